"""The Oxigraph store of an updated graph file: in place from the previous store against a bulk
load of the new file, timed, and the two stores compared.

Usage::

    .venv/bin/python scripts/bench_store_delta.py OLD/graph.ttl NEW/graph.ttl [--max-fraction 1.0]

``OLD/graph.ttl.oxigraph`` must be the store of ``OLD/graph.ttl`` (``kg build --oxigraph yes``);
``NEW/graph.ttl`` is usually the graph file of an update of that folder (``kg build --update``
into a hard-link copy, ``cp -al``). Both stores are written into a temporary folder (left alone:
the previous store is copied as a RocksDB checkpoint) and removed at the end. Prints one line per
path (wall and CPU seconds, the in-place path's report) and whether the two stores hold the same
quads (count and an order-free hash of every quad).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _digest(store) -> tuple[int, int]:
    import numpy as np

    hashes = np.fromiter((hash(q) for q in store), dtype=np.int64)
    hashes.sort()
    return len(hashes), hash(hashes.tobytes())


def main(argv: list[str] | None = None) -> int:
    import pyoxigraph as ox

    from kg.rdf.formats import format_for_path
    from kg.rdf.store import oxigraph_dir
    from kg.rdf.store_delta import apply_delta

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--max-fraction", type=float, default=1.0, help="the in-place guard (default: never refuse)")
    parser.add_argument("--no-bulk", action="store_true", help="only the in-place path (no comparison)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-store-delta-"))
    try:
        t, c = time.perf_counter(), time.process_time()
        ox.Store.read_only(str(oxigraph_dir(args.old))).backup(str(work / "in-place"))
        store = ox.Store(str(work / "in-place"))
        report = apply_delta(store, args.old, args.new, max_fraction=args.max_fraction)
        store.flush()
        print(f"in place: {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} CPU s, {report.as_dict()}", flush=True)
        if args.no_bulk:
            return 0
        in_place = _digest(store)
        del store
        t, c = time.perf_counter(), time.process_time()
        store = ox.Store(str(work / "bulk"))
        store.bulk_load(path=str(args.new), format=getattr(ox.RdfFormat, format_for_path(args.new).oxigraph_format))
        store.optimize()
        store.flush()
        print(f"bulk load: {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} CPU s", flush=True)
        bulk = _digest(store)
        del store
        print(f"stores equal: {in_place == bulk} ({in_place[0]:,} and {bulk[0]:,} quads)")
        return 0 if in_place == bulk else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
