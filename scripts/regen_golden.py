"""Regenerate the golden files of the tests: run only on purpose, then review the diff.

Golden files are outputs of small committed inputs that a test compares byte for byte. A test
that fails on one says the output changed; if the change is intended, run this script, read
``git diff tests/*/golden``, and commit the new files with the change that explains them.

* ``tests/build/golden/random-<seed>.jsonl``: :func:`kg.build.build_graph` (after
  :func:`kg.resolve.resolve`) of the seeded corpora of ``tests/build/corpus.py``, one record a
  line (``["link", ...]``, ``["relation", ...]``, ``["evidence", ...]``, fields in dataclass order);
* ``tests/export/golden/small/``: the Neo4j bulk-import folder and ``import.cypher`` of the small
  hand-made graph of ``tests/conftest.py`` (batches of 4 rows);
* ``tests/rdf/golden/<graph>/``: the RDF file of every format (``write_rdf``, default base IRI)
  of that small graph and of the hostile graph of ``tests/rdf/graphs.py``.

Usage::

    .venv/bin/python scripts/regen_golden.py          # write them
    .venv/bin/python scripts/regen_golden.py --check  # exit 1 if any differs (writes nothing)
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
#: (seed, papers, extractor version) of each build golden file
BUILD_CORPORA = ((1, 60, "kg-test 1"), (2, 60, None))
CYPHER_BATCH = 4


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def build_lines(seed: int, n_papers: int, version: str | None) -> str:
    """The golden text of one seeded corpus: every link, relation and evidence record."""
    from kg.build import build_graph
    from kg.resolve import resolve

    corpus = _load(TESTS / "build" / "corpus.py", "kg_tests_build_corpus")
    papers, exts = corpus.random_corpus(seed, n_papers)
    kg = build_graph(papers, exts, resolve(exts, papers), extractor_version=version)
    records = [("link", li) for li in kg.links] + [("relation", r) for r in kg.relations] + [("evidence", e) for e in kg.evidence.values()]
    return "".join(json.dumps([kind, *dataclasses.astuple(rec)], ensure_ascii=False) + "\n" for kind, rec in records)


def neo4j_files() -> dict[str, bytes]:
    """The Neo4j files of the small graph of tests/conftest.py, by name."""
    from kg.export.neo4j_files import write_bulk_import
    from kg.graph.build import to_networkx

    conftest = _load(TESTS / "conftest.py", "kg_tests_conftest")
    G = to_networkx(conftest.make_small_kg())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "neo4j"
        write_bulk_import(G, folder, cypher=folder / "import.cypher", batch_size=CYPHER_BATCH)
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def rdf_files() -> dict[str, dict[str, bytes]]:
    """The RDF files of the small and the hostile graph, by graph and file name."""
    from kg.rdf.formats import FORMATS
    from kg.rdf.write import write_rdf

    conftest = _load(TESTS / "conftest.py", "kg_tests_conftest")
    graphs = _load(TESTS / "rdf" / "graphs.py", "kg_tests_rdf_graphs")
    out = {}
    for name, kg in (("small", conftest.make_small_kg()), ("hostile", graphs.hostile_kg())):
        with tempfile.TemporaryDirectory() as tmp:
            out[name] = {(path := write_rdf(kg, Path(tmp), format=fmt)).name: path.read_bytes() for fmt in FORMATS}
    return out


def golden() -> dict[Path, bytes]:
    """Every golden file, by path."""
    files = {TESTS / "build" / "golden" / f"random-{seed}.jsonl": build_lines(seed, n, version).encode("utf-8") for seed, n, version in BUILD_CORPORA}
    files.update({TESTS / "export" / "golden" / "small" / name: data for name, data in neo4j_files().items()})
    files.update({TESTS / "rdf" / "golden" / graph / name: data for graph, named in rdf_files().items() for name, data in named.items()})
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if a golden file differs")
    args = parser.parse_args(argv)
    changed = []
    for path, data in golden().items():
        if not path.exists() or path.read_bytes() != data:
            changed.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    for path in changed:
        print(f"{'differs' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
