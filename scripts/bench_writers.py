"""Time and memory of everything ``kg build`` does after extraction, stage by stage.

The graph is a real build scaled up: ``graph.json`` of a finished build (e.g. the bundled
sample, ``kg build --out /tmp/sample``) is read back as a :class:`~kg.models.KnowledgeGraph`
(:func:`kg_from_graph` of ``tests/synthetic_kg.py``) and repeated ``--copies`` times with distinct paper and
evidence ids (:func:`scale_kg`: the head of the concept distribution is shared,
the tail grows), so the density of links, relations and evidence per paper stays real. 20
copies of the 468-paper sample are about 9,400 papers, 100 copies about 47,000.

Stages (each run on its own, in this order; ``--stages`` picks some):

* ``to_networkx``: the NetworkX view every writer but RDF reads;
* ``write_rdf`` (``--rdf-format``, default turtle), ``write_node_link`` (graph.json),
  ``write_graphml``, ``write_map``, ``write_bulk_import`` (Neo4j CSVs), ``write_cypher``
  (import.cypher), ``write_summary``;
* ``write_outputs``: all of the writers as ``kg build`` runs them (:func:`kg.pipeline.write_outputs`,
  concurrently where it forks), with an empty mentions.jsonl (a scaled graph has no extractions);
* with ``--resolve-papers N``: ``resolve`` and ``build_graph`` on the synthetic extraction corpus of
  ``scripts/bench_resolve.py`` (N papers, ``--mentions-per-paper`` mentions each).

For each stage it prints wall seconds, CPU seconds (this process plus the children it waited
for), the peak resident memory during the stage (this process: the kernel's high-water mark,
reset before each stage; with forked children: the sampled sum of this process's RSS and the
children's unshared memory) and the bytes written. ``--json FILE`` saves the table.

Instead of a scaled graph, ``--inputs FILE ... --cache-dir DIR`` makes the graph exactly as
``kg build`` does (ingest, the cached extractions, resolve, build_graph, to_networkx: the
functions of :mod:`kg.pipeline`); ``--pickle PATH`` keeps that graph (KnowledgeGraph and
NetworkX graph) in a pickle and reads it from there on later runs, so old and new code can be
timed in turns on the same graph. ``--repeats N`` runs each writer stage N times.

Usage::

    .venv/bin/kg build --out /tmp/sample -q
    .venv/bin/python scripts/bench_writers.py /tmp/sample/graph.json --copies 20
    .venv/bin/python scripts/bench_writers.py /tmp/sample/graph.json --copies 100 --resolve-papers 100000
    .venv/bin/python scripts/bench_writers.py --inputs papers.jsonl --cache-dir cache/ --pickle /tmp/g.pickle \
        --stages write_rdf,write_node_link,write_graphml --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import pickle
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER_STAGES = (
    "to_networkx",
    "write_rdf",
    "write_node_link",
    "write_graphml",
    "write_map",
    "write_bulk_import",
    "write_cypher",
    "write_summary",
    "write_outputs",
)


def _reset_peak() -> None:
    """Reset this process's peak-RSS counter (VmHWM), so each stage gets its own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:  # not Linux, or not allowed: the peak then stays cumulative
        pass


def _status_kb(field: str, pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children_uss_kb() -> int:
    """Unshared memory (private pages) of this process's live children."""
    import psutil

    total = 0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_full_info().uss // 1024
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


class _TreeSampler(threading.Thread):
    """Samples this process's RSS plus its children's USS every ``interval`` seconds."""

    def __init__(self, interval: float = 0.25):
        super().__init__(daemon=True)
        self.interval, self.peak_kb, self._done = interval, 0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS") + _children_uss_kb())
            self._done.wait(self.interval)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_kb


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _size(paths) -> int:
    total = 0
    for path in paths:
        path = Path(path)
        if path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        elif path.exists():
            total += path.stat().st_size
    return total


def measure(name: str, fn: Callable[[], object], results: list[dict], outputs: Callable[[object], list] = lambda r: []) -> object:
    """Run one stage; append ``{stage, wall_s, cpu_s, peak_mb, bytes}`` to ``results``."""
    gc.collect()
    _reset_peak()
    sampler = _TreeSampler()
    sampler.start()
    c0, t0 = _cpu(), time.perf_counter()
    value = fn()
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    tree_kb = sampler.stop()
    peak_kb = max(_status_kb("VmHWM"), tree_kb)
    row = {"stage": name, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_kb / 1024), "bytes": _size(outputs(value))}
    results.append(row)
    print(f"{name:<18} {row['wall_s']:>8.2f} {row['cpu_s']:>8.2f} {row['peak_mb']:>8} {row['bytes'] / 1e6:>10.1f}", flush=True)
    return value


def _bench_resolve_module():
    spec = importlib.util.spec_from_file_location("bench_resolve", ROOT / "scripts" / "bench_resolve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph", type=Path, nargs="?", help="graph.json of a finished build (e.g. the bundled sample)")
    ap.add_argument("--inputs", type=Path, nargs="+", help="instead of graph.json: paper files, made into a graph as kg build does")
    ap.add_argument("--cache-dir", type=Path, help="with --inputs: the extraction cache to read (and fill)")
    ap.add_argument("--pickle", type=Path, help="read the graph from this pickle if it exists, else write it there")
    ap.add_argument("--repeats", type=int, default=1, help="run each writer stage this many times (default 1)")
    ap.add_argument("--copies", type=int, default=20, help="how many times to repeat the graph (default 20)")
    ap.add_argument("--stages", default=",".join(WRITER_STAGES), help="comma-separated stages to run (default: all writer stages)")
    ap.add_argument("--rdf-format", default="turtle")
    ap.add_argument("--resolve-papers", type=int, default=0, help="also time resolve and build_graph on this many synthetic papers")
    ap.add_argument("--mentions-per-paper", type=int, default=15)
    ap.add_argument("--out", type=Path, help="folder to write into (default: a temporary folder, removed)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = ap.parse_args(argv)

    from kg.graph.build import load_graph, to_networkx
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/synthetic_kg.py: a test and benchmark generator
    from synthetic_kg import kg_from_graph, scale_kg

    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = set(stages) - set(WRITER_STAGES)
    if args.graph is not None and args.inputs is not None:
        ap.error("give graph.json or --inputs, not both")
    if args.graph is None and args.inputs is None and not (args.pickle and args.pickle.exists()):
        ap.error("give graph.json, --inputs or an existing --pickle")
    if unknown:
        ap.error(f"unknown stage(s) {', '.join(sorted(unknown))}; choose from {', '.join(WRITER_STAGES)}")
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-writers-"))
    out.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    print(f"{'stage':<18} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'MB out':>10}", flush=True)
    try:
        if args.resolve_papers:
            _bench_resolve(args, results)
        if args.pickle and args.pickle.exists():
            kg, G = measure("load pickle", lambda: _read_pickle(args.pickle), results)
        elif args.inputs:
            kg, G = measure("ingest..to_networkx", lambda: graph_from_inputs(args.inputs, args.cache_dir), results)
        else:
            kg = measure("load+scale", lambda: scale_kg(kg_from_graph(load_graph(args.graph)), args.copies), results)
            G = measure("to_networkx", lambda: to_networkx(kg), results)
        if args.pickle and not args.pickle.exists():
            with open(args.pickle, "wb") as fh:
                pickle.dump((kg, G), fh, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"# {len(kg.papers)} papers, {len(kg.concepts)} concepts, {len(kg.links)} links, "
              f"{len(kg.relations)} relations, {len(kg.evidence)} evidence records", flush=True)
        # as kg.pipeline.write_outputs does: the graph is long-lived, the collector skips it
        gc.collect()
        gc.freeze()
        _bench_writers(kg, G, stages, out, args, results)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"graph": str(args.graph or args.inputs), "copies": args.copies, "papers": len(kg.papers), "results": results}, indent=2) + "\n")
    return 0


def graph_from_inputs(inputs: list[Path], cache_dir: Path | None):
    """``(KnowledgeGraph, NetworkX graph)`` of ``inputs`` as a first ``kg build`` into an empty
    folder makes them (the stage functions of :mod:`kg.pipeline`, one extraction process)."""
    from kg.build import build_graph
    from kg.graph.build import to_networkx
    from kg.models import BuildStats
    from kg.nlp import pipeline_version
    from kg.pipeline import BuildOptions, hide_concepts, load_inputs, run_extraction
    from kg.resolve import resolve
    from kg.resolve.stable_ids import apply_ids, assign_ids

    options = BuildOptions(inputs=inputs, jobs=1, cache_dir=cache_dir)
    stats = BuildStats()
    papers = load_inputs(options, stats)
    extractions = run_extraction(list(papers.values()), options, stats, cache_dir)
    resolution = hide_concepts(resolve(extractions, papers), options.min_confidence, stats)
    assignment = assign_ids(resolution.concepts, None)
    apply_ids(resolution, assignment.rename)
    version = pipeline_version(options.model)
    kg = build_graph(papers, extractions, resolution, extractor_version=version)
    kg.stats, kg.extractor_version, kg.redirects = stats, version, assignment.redirects
    return kg, to_networkx(kg)


def _read_pickle(path: Path):
    with open(path, "rb") as fh:
        return pickle.load(fh)


def _bench_resolve(args, results: list[dict]) -> None:
    from kg.build import build_graph
    from kg.resolve import resolve

    corpus = _bench_resolve_module().corpus
    papers, exts = corpus(args.resolve_papers, args.mentions_per_paper)
    print(f"# resolve corpus: {len(papers)} papers, {sum(len(e.mentions) for e in exts)} mentions", flush=True)
    res = measure("resolve", lambda: resolve(exts, papers), results)
    kg = measure("build_graph", lambda: build_graph(papers, exts, res), results)
    print(f"# {len(res.concepts)} concepts, {len(kg.links)} links, {len(kg.relations)} relations, {len(kg.evidence)} evidence records", flush=True)
    del papers, exts, res, kg


def _bench_writers(kg, G, stages: list[str], out: Path, args, results: list[dict]) -> None:
    from kg.export.neo4j_cypher import write_cypher
    from kg.export.neo4j_files import write_bulk_import
    from kg.graph.io import write_graphml, write_node_link
    from kg.pipeline import BuildOptions, write_outputs
    from kg.rdf.write import write_rdf
    from kg.render.map import write_map
    from kg.summary import write_summary

    single = out / "single"
    runs: dict[str, tuple[Callable[[], object], Callable[[object], list]]] = {
        "write_rdf": (lambda: write_rdf(kg, single, format=args.rdf_format), lambda p: [p]),
        "write_node_link": (lambda: write_node_link(G, single / "graph.json"), lambda p: [p]),
        "write_graphml": (lambda: write_graphml(G, single / "graph.graphml"), lambda p: [p]),
        "write_map": (lambda: write_map(G, single / "map.html"), lambda p: [p]),
        "write_bulk_import": (lambda: write_bulk_import(G, single / "neo4j"), lambda p: [p]),
        "write_cypher": (lambda: write_cypher(G, single / "import.cypher"), lambda p: [p]),
        "write_summary": (lambda: write_summary(kg, G, single / "summary.md"), lambda p: [p]),
    }
    for stage in stages:
        if stage in runs:
            fn, outputs = runs[stage]
            for _ in range(args.repeats):
                measure(stage, fn, results, outputs)
        elif stage == "write_outputs":
            folder = out / "all"
            options = BuildOptions(out=folder, rdf_format=args.rdf_format)
            measure(stage, lambda: write_outputs(kg, G, [], None, folder, options), results, lambda files: [folder])
    if "write_outputs" in stages:
        sizes = {p.relative_to(out / "all").as_posix(): p.stat().st_size for p in sorted((out / "all").rglob("*")) if p.is_file()}
        print("# output sizes (MB): " + ", ".join(f"{name} {n / 1e6:.1f}" for name, n in sizes.items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
