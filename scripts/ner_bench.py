#!/usr/bin/env python
"""Extraction speed of kg's spaCy pipeline: abstracts/s and words/s with 1 and N processes.

The texts are the SciERC train and dev abstracts (annotation-tool spaces collapsed), repeated
to ``--docs`` texts. Each process loads the pipeline once (not timed), runs a short warm-up,
then times ``nlp.pipe`` over its share; the throughput of a run is all texts divided by the
slowest process's time (wall clock), and also divided by its CPU time (``*_cpu``: the figure
a dedicated core per process gives, useful when the machine is shared). BLAS is pinned to one
thread per process.

``--components`` instead times each pipeline component separately in this process (CPU
time, the tokenizer included), as the share of the pipeline each one costs.

Example::

    .venv/bin/python scripts/ner_bench.py --processes 1 2 --docs 2000
    .venv/bin/python scripts/ner_bench.py --components --docs 600
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_texts(data: Path, n: int) -> list[str]:
    from kg.nlp.corpus import collapse_spaces, read_records

    texts = []
    for split in ("train", "dev"):
        texts += [collapse_spaces(r).text.strip() for r in read_records(data / split / "scierc.jsonl")]
    return [texts[i % len(texts)] for i in range(n)]


def _work(args: tuple[str | None, list[str]]) -> tuple[float, int, float]:
    from kg.nlp import load_pipeline

    model, texts = args
    nlp = load_pipeline(model)
    for _ in nlp.pipe(texts[:20]):
        pass
    t0, c0 = time.perf_counter(), time.process_time()
    n_ents = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
    return time.perf_counter() - t0, n_ents, time.process_time() - c0


def bench(texts: list[str], processes: int, model: str | None) -> dict:
    shares = [texts[i::processes] for i in range(processes)]
    if processes == 1:
        results = [_work((model, shares[0]))]
    else:
        with mp.get_context("spawn").Pool(processes) as pool:
            results = pool.map(_work, [(model, s) for s in shares])
    seconds = max(r[0] for r in results)
    cpu = max(r[2] for r in results)
    words = sum(len(t.split()) for t in texts)
    return {
        "processes": processes,
        "texts": len(texts),
        "words": words,
        "seconds": round(seconds, 2),
        "abstracts_per_s": round(len(texts) / seconds, 1),
        "words_per_s": round(words / seconds),
        "abstracts_per_s_at_200_words": round(words / seconds / 200, 1),
        "entities": sum(r[1] for r in results),
        # what the same run gives when each process has a core to itself (the machine may be shared)
        "cpu_seconds": round(cpu, 2),
        "abstracts_per_s_cpu": round(len(texts) / cpu, 1),
        "words_per_s_cpu": round(words / cpu),
    }


def component_times(texts: list[str], model: str | None) -> dict[str, float]:
    """CPU seconds each component (and the tokenizer) spends on ``texts``, run stage by stage."""
    from kg.nlp import load_pipeline

    nlp = load_pipeline(model)
    for _ in nlp.pipe(texts[:20]):
        pass
    c0 = time.process_time()
    docs = [nlp.tokenizer(t) for t in texts]
    times = {"tokenizer": time.process_time() - c0}
    for name, proc in nlp.pipeline:
        c0 = time.process_time()
        docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        times[name] = time.process_time() - c0
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--model", default=None, help="pipeline directory (default: the packaged one)")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--components", action="store_true", help="time each component instead (one process)")
    args = ap.parse_args(argv)
    texts = load_texts(args.data, args.docs)
    if args.components:
        times = component_times(texts, args.model)
        total = sum(times.values())
        for name, sec in times.items():
            print(f"{name:24s} {sec:7.2f} s  {100 * sec / total:5.1f}%")
        print(f"{'total':24s} {total:7.2f} s  {len(texts) / total:.0f} abstracts/s in CPU time")
        return 0
    for n in args.processes:
        print(json.dumps(bench(texts, n, args.model)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
