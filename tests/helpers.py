"""Helpers shared by tests in several folders."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module (scripts/ is not a package), imported once per process and
    registered as ``kg_scripts_<name>`` (so that its dataclasses and pickles find their module).

    Example
    -------
    >>> load_script("regen_golden") is load_script("regen_golden")
    True
    """
    module_name = f"kg_scripts_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def write_sample_slices(folder: Path, *sizes: int) -> list[Path]:
    """Consecutive slices of the bundled sample's papers, ``sizes[0]`` then ``sizes[1]``..., each
    written to ``folder`` as a JSON Lines file (``part0.jsonl``, ...) with ids and dates kept: the
    inputs of a build and of the updates that follow it."""
    from kg.ingest import SAMPLE_DIR, IngestReport, iter_papers

    papers = list(iter_papers([SAMPLE_DIR], report=IngestReport()))[: sum(sizes)]
    paths, start = [], 0
    for k, size in enumerate(sizes):
        path = folder / f"part{k}.jsonl"
        path.write_text("".join(json.dumps({"id": p.source_id or p.id, "title": p.title, "abstract": p.abstract,
                                            "date": p.date}) + "\n" for p in papers[start : start + size]))
        paths.append(path)
        start += size
    return paths


def files_snapshot(folder: Path, keep: Path) -> dict[str, tuple[str, int, int]]:
    """Content hash, size and mtime of every file of ``folder`` (an Oxigraph store), each file also
    hard-linked into ``keep``, so that a later snapshot of ``keep`` shows whether any of them was
    written, even after ``folder`` itself was replaced and deleted."""
    import hashlib
    import os

    keep.mkdir(parents=True, exist_ok=True)
    state = {}
    for p in sorted(folder.iterdir()):
        if not (keep / p.name).exists():
            os.link(p, keep / p.name)
        st = p.stat()
        state[p.name] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns)
    return state


def store_quads(store_dir: Path) -> set:
    """Every quad of the Oxigraph store in ``store_dir`` (opened read-only)."""
    import pyoxigraph as ox

    return set(ox.Store.read_only(str(store_dir)))


def bulk_loaded_quads(graph: Path, tmp: Path) -> set:
    """The quads of Oxigraph's own bulk load of the graph file ``graph``, copied into ``tmp`` first:
    the clean load an in-place update must equal."""
    import shutil

    from kg.rdf.store import build_oxigraph

    copy = tmp / graph.name
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(graph, copy)
    return store_quads(build_oxigraph(copy))
