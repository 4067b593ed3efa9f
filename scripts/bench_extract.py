"""Extraction speed alone: abstracts/s and words/s of ``kg.extract.extract_papers``.

Reads a benchmark corpus (``scripts/make_bench_corpus.py``) with kg.ingest, then extracts it
without cache, once per ``--jobs`` value, in a fresh run each time (the pipeline is loaded,
and worker processes started, inside the timed part: that is what ``kg build`` pays).
``steady`` is the rate after the first result, i.e. without the start-up.

``--n-process`` also times spaCy's own ``nlp.pipe(n_process=N)`` followed by the same
Doc -> Extraction conversion, the alternative to kg's worker pool (docs/scale.md).

Usage::

    python scripts/make_bench_corpus.py 3000 -o bench/corpus-3k.jsonl
    python scripts/bench_extract.py bench/corpus-3k.jsonl --jobs 1 2 [--n-process] [--profile out.html]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path


def read_papers(path: str, n: int | None):
    from kg.ingest import IngestReport, iter_papers

    papers = []
    for paper in iter_papers([path], report=IngestReport()):
        papers.append(paper)
        if n is not None and len(papers) >= n:
            break
    return papers


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children (worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_extract(papers, jobs: int, model, batch_size: int) -> dict:
    from kg.extract import extract_papers

    c0 = cpu_seconds()
    t0 = time.perf_counter()
    first = None
    count = 0
    for _ in extract_papers(papers, model=model, jobs=jobs, cache_dir=None, batch_size=batch_size):
        count += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    return {"variant": f"extract_papers --jobs {jobs}", "seconds": end - t0, "first": first - t0, "count": count, "cpu": cpu_seconds() - c0}


def time_n_process(papers, n_process: int, model, batch_size: int) -> dict:
    """spaCy's multiprocessing: whole Docs are serialised back to this process and converted here."""
    from kg.extract.convert import doc_to_extraction
    from kg.nlp import load_pipeline

    c0 = cpu_seconds()
    t0 = time.perf_counter()
    nlp = load_pipeline(model)
    first = None
    count = 0
    for doc, paper in zip(nlp.pipe((p.text for p in papers), n_process=n_process, batch_size=batch_size), papers):
        doc_to_extraction(doc, paper.id)
        count += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    return {"variant": f"nlp.pipe(n_process={n_process})", "seconds": end - t0, "first": first - t0, "count": count, "cpu": cpu_seconds() - c0}


def _row(r: dict, words: int) -> None:
    print(f"  {r['variant']}: {r['count']} papers in {r['seconds']:.1f} s wall, {r['cpu']:.1f} CPU s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="JSON Lines corpus from scripts/make_bench_corpus.py")
    parser.add_argument("-n", type=int, default=None, help="use the first N papers only")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--n-process", action="store_true", help="also time nlp.pipe(n_process=J) for each --jobs value")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", default=None)
    parser.add_argument("--profile", default=None, metavar="HTML", help="profile the last --jobs run with pyinstrument into this file")
    args = parser.parse_args(argv)

    papers = read_papers(args.corpus, args.n)
    words = sum(len(p.text.split()) for p in papers)
    print(f"{len(papers)} papers, {words} words ({words / len(papers):.0f} per paper); {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    rows = []
    for jobs in args.jobs:
        if args.profile and jobs == args.jobs[-1]:
            from pyinstrument import Profiler

            with Profiler() as profiler:
                rows.append(time_extract(papers, jobs, args.model, args.batch_size))
            Path(args.profile).write_text(profiler.output_html())
            print(profiler.output_text(unicode=False, color=False, show_all=False)[:6000])
        else:
            rows.append(time_extract(papers, jobs, args.model, args.batch_size))
        _row(rows[-1], words)
        if args.n_process:
            try:
                rows.append(time_n_process(papers, jobs, args.model, args.batch_size))
                _row(rows[-1], words)
            except ValueError as exc:  # spaCy wraps worker errors in ValueError E871
                print(f"nlp.pipe(n_process={jobs}) failed: {str(exc).strip().splitlines()[-1]}")
    print()
    print("| variant | papers | wall s | first result s | abstracts/s | words/s | steady abstracts/s | CPU s | abstracts per CPU-s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        steady = (r["count"] - 1) / max(r["seconds"] - r["first"], 1e-9)
        print(
            f"| {r['variant']} | {r['count']} | {r['seconds']:.1f} | {r['first']:.1f} | {r['count'] / r['seconds']:.0f} | {words / r['seconds']:,.0f} "
            f"| {steady:.0f} | {r['cpu']:.1f} | {r['count'] / r['cpu']:.0f} |"
        )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
