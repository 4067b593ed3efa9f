#!/usr/bin/env python
"""Benchmark kg's RDF writer and both SPARQL stores at 10^5 and 10^6 triples (or other sizes).

For each size it makes a knowledge graph of about that many triples (seeded synthetic graphs by
default; ``--scale graph.json`` repeats a real build with distinct ids instead), writes it as
Turtle and N-Triples (time, size, the writer's peak memory), then, in a fresh process per store,
loads it (time, peak RSS) and runs every example query ``--repeat`` times (median latency,
rows). Results are printed as Markdown tables (for docs/rdf.md) and written as JSON with --json.

``--store-bench`` measures what ``kg build`` now does instead (kg/rdf/oxstore.py): the store-ready
time (the build's loader process: bulk load of graph.ttl), its peak RSS and size on disk, then
each example query in its own process with a hard timeout: the query's time inside the process,
and the whole process (start, open the store, query, print CSV), which is what ``kg query`` costs;
"before" runs the queries as they were (``tests/rdf/from_evidence/*.rq``, counting over the links
and evidence) on the same store, in the same run.

    .venv/bin/python scripts/bench_sparql.py                      # 1e5 and 1e6 triples
    .venv/bin/python scripts/bench_sparql.py --sizes 100000 --stores oxigraph
    .venv/bin/python scripts/bench_sparql.py --scale output/graph.json --sizes 1000000
    .venv/bin/python scripts/bench_sparql.py --store-bench --scale output/graph.json --sizes 10000000
    .venv/bin/python scripts/bench_sparql.py --store-bench --graph /work/big/out20k/graph.ttl
    .venv/bin/python scripts/bench_sparql.py --store-bench --built --graph /work/big/out20k/graph.ttl

``--built`` queries the store the build wrote beside the graph instead of loading it again: its
ready time is the build's own (``write:oxigraph`` in the build's ``timings.json``, wall only).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make_kg(triples: int, scale_from: str | None, seed: int):
    """A KnowledgeGraph of roughly ``triples`` triples."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/synthetic_kg.py: a test and benchmark generator
    from synthetic_kg import kg_from_graph, scale_kg, synthetic_kg
    from kg.rdf.triples import iter_blocks

    def count(kg) -> int:
        return sum(len(body) for _, body in iter_blocks(kg, "https://w3id.org/kg/resource/"))

    if scale_from:
        from kg.graph.build import load_graph

        real = kg_from_graph(load_graph(scale_from))
        per_copy = count(real)
        return scale_kg(real, max(1, round(triples / per_copy)))
    probe = 200
    per_paper = count(synthetic_kg(probe, seed=seed)) / probe
    return synthetic_kg(max(10, round(triples / per_paper)), seed=seed)


def _child_write(args) -> dict:
    """Make the graph and write it in every measured format (run in its own process)."""
    from kg.rdf.write import write_rdf

    t0 = time.perf_counter()
    kg = _make_kg(args.triples, args.scale, args.seed)
    made = time.perf_counter() - t0
    rss_kg = _peak_rss_mb()
    out = {"papers": len(kg.papers), "links": len(kg.links), "relations": len(kg.relations),
           "evidence": len(kg.evidence), "make_s": round(made, 2), "rss_with_kg_mb": round(rss_kg)}
    for fmt in ("nt", "turtle"):
        t0 = time.perf_counter()
        path = write_rdf(kg, args.folder, format=fmt)
        out[f"write_{fmt}_s"] = round(time.perf_counter() - t0, 2)
        out[f"{fmt}_mb"] = round(path.stat().st_size / 2**20, 1)
    with open(Path(args.folder) / "graph.nt", "rb") as fh:
        out["triples"] = sum(1 for _ in fh)
    out["peak_rss_mb"] = round(_peak_rss_mb())
    return out


class _Timeout(Exception):
    pass


def _child_store(args) -> dict:
    """Load the graph into one store and time every example query (run in its own process)."""
    from kg.rdf.query import examples, load_store, render, run_query

    graph = Path(args.folder) / "graph.ttl"
    t0 = time.perf_counter()
    store = load_store(graph, args.store)
    out = {"load_s": round(time.perf_counter() - t0, 2), "queries": {}}
    if args.store == "memory":
        out["triples"] = len(store.handle)

    def alarm(signum, frame):
        raise _Timeout

    signal.signal(signal.SIGALRM, alarm)
    for name, example in examples().items():
        times, rows = [], None
        for _ in range(args.repeat):
            signal.alarm(args.query_timeout)
            t0 = time.perf_counter()
            try:
                rows = render(run_query(store, example.text), "json").rows
            except _Timeout:
                times = None
                break
            finally:
                signal.alarm(0)
            times.append(time.perf_counter() - t0)
        out["queries"][name] = {"median_s": None if times is None else round(statistics.median(times), 3), "rows": rows}
    out["peak_rss_mb"] = round(_peak_rss_mb())
    return out


def _child_write_turtle(args) -> dict:
    """Make the graph and write it as Turtle only (the build's default), for --store-bench."""
    from kg.rdf.write import write_rdf

    t0 = time.perf_counter()
    kg = _make_kg(args.triples, args.scale, args.seed)
    out = {"papers": len(kg.papers), "make_s": round(time.perf_counter() - t0, 2)}
    t0 = time.perf_counter()
    path = write_rdf(kg, args.folder, format="turtle")
    out["write_turtle_s"] = round(time.perf_counter() - t0, 2)
    out["turtle_mb"] = round(path.stat().st_size / 2**20, 1)
    out["peak_rss_mb"] = round(_peak_rss_mb())
    return out


def _child_load(args) -> dict:
    """What the build's store process does: bulk-load graph.ttl into its Oxigraph store."""
    from kg.rdf.store import build_oxigraph

    t0 = time.perf_counter()
    folder = build_oxigraph(args.graph)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    import pyoxigraph as ox

    triples = len(ox.Store.read_only(str(folder)))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {"store_ready_s": round(seconds, 1), "store_ready_cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_rss_mb": round(_peak_rss_mb()),
            "store_mb": round(size / 2**20), "triples": triples}


def _child_query(args) -> dict:
    """One query on the built store, as ``kg query --store auto --format csv`` runs it."""
    t_start = time.perf_counter()
    from kg.rdf.oxstore import choose_backend
    from kg.rdf.query import format_result, load_store, run_query

    t0 = time.perf_counter()
    store = load_store(args.graph, choose_backend(args.graph))
    opened = time.perf_counter() - t0
    text = Path(args.query_file).read_text(encoding="utf-8")
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_query(store, text)
    output = format_result(result, "csv")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"backend": store.backend, "open_s": round(opened, 3), "query_s": round(seconds, 3), "query_cpu_s": round(cpu, 3),
            "rows": max(0, len(output.splitlines()) - 1), "in_process_s": round(time.perf_counter() - t_start, 3),
            "command_cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}


def _timed_query(graph: Path, query_file: Path, timeout: int) -> dict:
    t0 = time.perf_counter()
    cmd = [sys.executable, __file__, "--child", "query", "--graph", str(graph), "--query-file", str(query_file)]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"query_s": None, "command_s": None}
    if result.returncode != 0:
        raise SystemExit(f"query child failed: {' '.join(cmd)}\n{result.stderr[-3000:]}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    out["command_s"] = round(time.perf_counter() - t0, 2)
    return out


def _built_store(graph: Path) -> dict:
    """What :func:`_child_load` reports, for the store the build already wrote beside ``graph``."""
    import pyoxigraph as ox

    from kg.rdf.store import oxigraph_dir, oxigraph_up_to_date

    if not oxigraph_up_to_date(graph):
        raise SystemExit(f"--built: no up-to-date Oxigraph store beside {graph}")
    folder = oxigraph_dir(graph)
    timings = graph.parent / "timings.json"
    seconds = json.loads(timings.read_text())["seconds"].get("write:oxigraph") if timings.is_file() else None
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {"store_ready_s": seconds, "store_ready_cpu_s": None, "peak_rss_mb": None,
            "store_mb": round(size / 2**20), "triples": len(ox.Store.read_only(str(folder)))}


def _store_bench(graph: Path, before_dir: Path, timeout: int, before_timeout: int, built: bool = False) -> dict:
    """Store-ready time and size, then every example query after (and before) on one store."""
    from kg.rdf.query import examples

    print(f"# loading {graph} into Oxigraph", file=sys.stderr, flush=True)
    load = _built_store(graph) if built else _run_child("load", graph=graph)
    entry = {"graph": str(graph), "graph_mb": round(graph.stat().st_size / 2**20, 1), "load": load, "queries": {}}
    for name, example in examples().items():
        print(f"# {name}", file=sys.stderr, flush=True)
        row = {"after": _timed_query(graph, example.path, timeout)}
        before = before_dir / f"{name}.rq"
        if before.is_file() and before.read_text(encoding="utf-8") != example.text:
            row["before"] = _timed_query(graph, before, before_timeout)
        entry["queries"][name] = row
    return entry


def _store_markdown(entries: list[dict]) -> str:
    lines = []
    for e in entries:
        load = e["load"]
        lines += [f"{e['graph']}: {e.get('papers', '?')} papers, {load['triples']:,} triples, Turtle {e['graph_mb']} MB; "
                  f"store ready in {load['store_ready_s']} s ({load['store_ready_cpu_s']} s CPU; loader peak RSS {load['peak_rss_mb']} MB), store {load['store_mb']} MB", "",
                  "Wall time (CPU time of the process in brackets):", "",
                  "| query | rows | after: query | after: whole command | before: query |", "|---|---|---|---|---|"]
        for name, q in e["queries"].items():
            a, b = q["after"], q.get("before")

            def cell(r, key):
                return "timeout" if r.get(key) is None else f"{r[key]} s ({r[key.replace('_s', '_cpu_s')]} s)"
            before = "same query" if b is None else cell(b, "query_s")
            lines.append(f"| {name} | {a.get('rows', '?')} | {cell(a, 'query_s')} | {cell(a, 'command_s')} | {before} |")
        lines.append("")
    return "\n".join(lines)


def _run_child(mode: str, **kwargs) -> dict:
    cmd = [sys.executable, __file__, "--child", mode]
    for key, value in kwargs.items():
        if value is not None:
            cmd += [f"--{key.replace('_', '-')}", str(value)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(cmd)}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _markdown(results: list[dict], stores: list[str]) -> str:
    lines = ["| target | triples | papers | write N-Triples | write Turtle | Turtle size | writer peak RSS |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        w = r["write"]
        lines.append(f"| {r['target']:.0e} | {w['triples']:,} | {w['papers']:,} | {w['write_nt_s']} s | "
                     f"{w['write_turtle_s']} s | {w['turtle_mb']} MB | {w['peak_rss_mb']} MB |")
    lines += ["", "| target | store | load | peak RSS | " + " | ".join(results[0]["stores"][stores[0]]["queries"]) + " |",
              "|---|---|---|---|" + "---|" * len(results[0]["stores"][stores[0]]["queries"])]
    for r in results:
        for store in stores:
            s = r["stores"][store]
            cells = [("timeout" if q["median_s"] is None else f"{q['median_s']} s") for q in s["queries"].values()]
            lines.append(f"| {r['target']:.0e} | {store} | {s['load_s']} s | {s['peak_rss_mb']} MB | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], metavar="TRIPLES")
    parser.add_argument("--stores", nargs="+", default=["memory", "oxigraph"], choices=["memory", "oxigraph"])
    parser.add_argument("--scale", default=None, metavar="GRAPH_JSON", help="repeat this real build instead of synthetic graphs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (median reported)")
    parser.add_argument("--query-timeout", type=int, default=300, metavar="S")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--store-bench", action="store_true", help="measure the build-written store: ready time, size, each query before/after")
    parser.add_argument("--graph", default=None, metavar="GRAPH_TTL", help="--store-bench on this built graph instead of making one")
    parser.add_argument("--before", default=str(Path(__file__).resolve().parents[1] / "tests" / "rdf" / "from_evidence"),
                        metavar="DIR", help="the queries as they were, for --store-bench")
    parser.add_argument("--before-timeout", type=int, default=120, metavar="S")
    parser.add_argument("--built", action="store_true", help="--store-bench --graph: query the build's store, do not load it again")
    parser.add_argument("--query-file", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--triples", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--store", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "write":
        print(json.dumps(_child_write(args)))
        return 0
    if args.child == "store":
        print(json.dumps(_child_store(args)))
        return 0
    if args.child in ("turtle", "load", "query"):
        child = {"turtle": _child_write_turtle, "load": _child_load, "query": _child_query}[args.child]
        print(json.dumps(child(args)))
        return 0
    if args.store_bench:
        entries = []
        graphs = [(Path(args.graph), None)] if args.graph else [(None, t) for t in args.sizes]
        for graph, target in graphs:
            folder = None
            if graph is None:
                folder = tempfile.mkdtemp(prefix="kg-bench-")
                print(f"# {target:.0e} triples: writing Turtle", file=sys.stderr, flush=True)
                write = _run_child("turtle", folder=folder, triples=target, scale=args.scale, seed=args.seed)
                graph = Path(folder) / "graph.ttl"
            try:
                entry = _store_bench(graph, Path(args.before), args.query_timeout, args.before_timeout, built=args.built and folder is None)
                if folder:
                    entry["write"], entry["papers"] = write, write["papers"]
                entries.append(entry)
            finally:
                if folder:
                    shutil.rmtree(folder, ignore_errors=True)
        if args.json:
            Path(args.json).write_text(json.dumps(entries, indent=2))
        print(_store_markdown(entries))
        return 0

    results = []
    for target in args.sizes:
        folder = tempfile.mkdtemp(prefix="kg-bench-")
        try:
            print(f"# {target:.0e} triples: writing", file=sys.stderr, flush=True)
            write = _run_child("write", folder=folder, triples=target, scale=args.scale, seed=args.seed)
            entry = {"target": target, "write": write, "stores": {}}
            for store in args.stores:
                print(f"# {target:.0e} triples: {store}", file=sys.stderr, flush=True)
                entry["stores"][store] = _run_child("store", folder=folder, store=store, repeat=args.repeat,
                                                    query_timeout=args.query_timeout)
            results.append(entry)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(_markdown(results, args.stores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
