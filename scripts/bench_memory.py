"""What grows with the corpus: the build process's memory after each stage, at N papers.

Runs kg build's stages in this one process (ingest, extraction from the cache, resolve, ids,
graph, NetworkX graph; the order and calls of :func:`kg.pipeline.build`), with the collector
run and the resident set size (RSS) read after each, then frees the NetworkX graph, the
knowledge graph and the resolution in turn. The writers are left out: they stream, and add
little over the graph they read (docs/scale.md, "Memory"). With ``--writers`` each writer is
also run and its peak RSS over the graph is sampled every 20 ms.

Use a warm extraction cache, or extraction dominates and the workers' memory is not counted::

    python scripts/bench_memory.py ../shared/corpora/arxiv_ml.jsonl.gz 20000 40000 --cache-dir CACHE
"""

from __future__ import annotations

import argparse
import gc
import gzip
import shutil
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def measure(source: Path, size: int, cache_dir: str | None, writers: bool) -> None:
    from kg.build import build_graph
    from kg.graph.build import to_networkx
    from kg.nlp import pipeline_version
    from kg.pipeline import BuildOptions, BuildStats, load_inputs, run_extraction
    from kg.resolve import release_caches, resolve
    from kg.resolve.stable_ids import apply_ids, assign_ids

    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        corpus = work / "corpus.jsonl"
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rt", encoding="utf-8") as src:
            corpus.write_text("".join(islice(src, size)), encoding="utf-8")
        t0 = time.process_time()

        def report(stage: str) -> None:
            gc.collect()
            print(f"| {size:,} | {stage} | {_rss() / 2**20:,.0f} | {time.process_time() - t0:.1f} |", flush=True)

        options = BuildOptions(inputs=[corpus], cache_dir=cache_dir, jobs=1)
        stats = BuildStats()
        papers = load_inputs(options, stats)
        report("ingest")
        extractions = run_extraction(list(papers.values()), options, stats, Path(cache_dir) if cache_dir else None)
        report("extract")
        resolution = resolve(extractions, papers)
        report("resolve")
        assignment = assign_ids(resolution.concepts, None)
        apply_ids(resolution, assignment.rename)
        release_caches()
        report("ids, caches released")
        kg = build_graph(papers, extractions, resolution, extractor_version=pipeline_version())
        kg.stats = stats
        report("graph")
        G = to_networkx(kg)
        report(f"NetworkX graph ({G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, "
               f"{len(kg.concepts):,} concepts, {len(kg.evidence):,} evidence)")
        if writers:
            _writers(kg, G, extractions, resolution, work / "out", size)
        del G
        report("NetworkX graph freed")
        del kg
        report("knowledge graph freed")
        del resolution
        report("resolution freed")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _writers(kg, G, extractions, resolution, out: Path, size: int) -> None:
    from kg.export.neo4j_files import write_bulk_import
    from kg.graph.io import write_graphml, write_node_link
    from kg.rdf.write import write_rdf
    from kg.render.map import write_map
    from kg.summary import write_mentions

    out.mkdir()
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss())
            stop.wait(0.02)

    threading.Thread(target=sample, daemon=True).start()
    jobs = [("graph.ttl", lambda: write_rdf(kg, out)), ("graph.json", lambda: write_node_link(G, out / "graph.json")),
            ("graph.graphml", lambda: write_graphml(G, out / "graph.graphml")), ("map.html", lambda: write_map(G, out / "map.html")),
            ("neo4j", lambda: write_bulk_import(G, out / "neo4j", cypher=out / "neo4j" / "import.cypher")),
            ("mentions.jsonl", lambda: write_mentions(kg, extractions, resolution, out / "mentions.jsonl"))]
    for name, write in jobs:
        gc.collect()
        base = peak[0] = _rss()
        t0 = time.process_time()
        write()
        print(f"| {size:,} | writer {name}: peak +{(peak[0] - base) / 2**20:,.0f} MB over the graph | {base / 2**20:,.0f} | {time.process_time() - t0:.1f} |", flush=True)
    stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="JSON Lines file (.gz too); the first N records are used")
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--cache-dir", default=None, help="extraction cache (warm, or extraction runs in this process)")
    parser.add_argument("--writers", action="store_true", help="also run each writer and sample its peak")
    args = parser.parse_args(argv)
    print("| papers | after | RSS MB | CPU s |\n|---:|---|---:|---:|")
    for size in args.sizes:
        measure(args.corpus, size, args.cache_dir, args.writers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
