"""CPU time of the Neo4j writer (:func:`kg.export.neo4j_files.write_bulk_import`) on a built graph.

The graph is the ``graph.json`` of a finished build, read with :func:`kg.graph.build.load_graph`
and then frozen out of the cyclic collector's sight (``gc.freeze``), as ``kg build`` does
before its writers run. Two cases, each timed ``--repeats`` times in CPU seconds (this process):

* ``files``: the CSVs, ``constraints.cypher`` and ``README.md`` only;
* ``files+cypher``: the same plus ``import.cypher`` in the same pass (what ``kg build`` writes).

``--baseline DIR`` compares two versions of kg in one run: DIR is a copy of another version's
source tree (e.g. ``git archive HEAD~1 kg | tar -x -C DIR``); the script runs itself in child
processes, alternating that version and this one ``--pairs`` times (so both see the same load
on the machine), and prints each child's figures and the median of each side. The outputs of
the last run of each side are kept under ``--out`` so they can be diffed.

Usage::

    .venv/bin/kg build corpus.jsonl --out /tmp/b4k
    nice -n 10 .venv/bin/python scripts/bench_neo4j_files.py /tmp/b4k/graph.json --repeats 3
    nice -n 10 .venv/bin/python scripts/bench_neo4j_files.py /tmp/b4k/graph.json --baseline /tmp/old --pairs 3
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("files", "files+cypher")


def measure(graph: Path, out: Path, repeats: int) -> dict[str, list[float]]:
    """CPU seconds of each case, ``repeats`` times, on the graph loaded once."""
    from kg.export.neo4j_files import write_bulk_import
    from kg.graph.build import load_graph

    start = time.process_time()
    G = load_graph(graph)
    gc.collect()
    gc.freeze()
    print(f"# kg from {Path(sys.modules['kg'].__file__).parent}; loaded {G.number_of_nodes()} nodes, "
          f"{G.number_of_edges()} edges in {time.process_time() - start:.1f} CPU s", file=sys.stderr, flush=True)
    times: dict[str, list[float]] = {case: [] for case in CASES}
    for _ in range(repeats):
        for case in CASES:
            folder = out / case
            cypher = folder / "import.cypher" if case == "files+cypher" else None
            start = time.process_time()
            write_bulk_import(G, folder, cypher=cypher)
            times[case].append(time.process_time() - start)
    return times


def compare(graph: Path, out: Path, baseline: Path, pairs: int, repeats: int) -> dict[str, dict[str, list[float]]]:
    """Alternate child processes of the baseline source tree and of this one, ``pairs`` times."""
    sides = {"baseline": baseline.resolve(), "current": ROOT}
    results: dict[str, dict[str, list[float]]] = {side: {case: [] for case in CASES} for side in sides}
    for pair in range(pairs):
        for side, tree in sides.items():
            env = dict(os.environ, PYTHONPATH=str(tree))
            cmd = [sys.executable, str(Path(__file__).resolve()), str(graph), "--out", str(out / side),
                   "--repeats", str(repeats), "--json", "-"]
            done = subprocess.run(cmd, env=env, cwd=tree, capture_output=True, text=True)
            sys.stderr.write(done.stderr)
            done.check_returncode()
            times = json.loads(done.stdout)
            for case in CASES:
                results[side][case] += times[case]
            print(f"pair {pair + 1} {side:8s} " + "  ".join(f"{case} {min(times[case]):6.2f}" for case in CASES), flush=True)
    for case in CASES:
        old, new = statistics.median(results["baseline"][case]), statistics.median(results["current"][case])
        print(f"{case:13s} median CPU s: baseline {old:6.2f}  current {new:6.2f}  ({(new - old) / old:+.0%})")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph", type=Path, help="graph.json of a build")
    parser.add_argument("--out", type=Path, help="folder for the outputs (default: a temporary one)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each case per process")
    parser.add_argument("--baseline", type=Path, help="source tree of the kg version to compare with")
    parser.add_argument("--pairs", type=int, default=3, help="with --baseline: baseline/current alternations")
    parser.add_argument("--json", help="write the figures as JSON to this file ('-': stdout)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as tmp:
        out = args.out or Path(tmp)
        if args.baseline:
            results = compare(args.graph, out, args.baseline, args.pairs, args.repeats)
        else:
            results = measure(args.graph, out, args.repeats)
            if args.json != "-":
                for case, times in results.items():
                    print(f"{case:13s} CPU s: " + " ".join(f"{t:.2f}" for t in times) + f"  (min {min(times):.2f})")
    if args.json == "-":
        print(json.dumps(results))
    elif args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
