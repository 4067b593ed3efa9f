"""``extract_papers``: one :class:`~kg.models.Extraction` per paper, in input order, streamed.

The flow for a build of N papers:

1. key every paper's text (:func:`kg.extract.cache.cache_key`) and ask the cache which keys it
   holds, so the work left is known before any model is loaded;
2. choose where to run it (:mod:`kg.extract.engines`): nowhere when everything is cached, in
   this process when there is little to do (starting workers costs more than it saves), local
   worker processes for more (``jobs``, default the number of cores), or a Dask cluster;
3. walk the papers in batches of ``batch_size``, send each batch's uncached texts off, keep a
   bounded number of batches in flight and yield results strictly in input order, storing
   fresh results in the cache as each batch comes back.

Memory stays bounded: at most ``window`` batches of texts and results are held at a time, and
results are yielded one by one (the caller decides whether to keep them).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.extract.worker import CHUNK_CHARS, MAX_CHARS, Settings, extract_batch
from kg.models import BuildStats, Extraction, Paper, Problem

#: Fewest uncached papers per worker process for a pool to pay off: starting a worker and
#: loading the model takes about as long as extracting this many abstracts (docs/scale.md).
MIN_PAPERS_PER_WORKER = 300

#: Inputs of at least this many papers (cached ones counted) never load the model in the calling
#: process: where :data:`MIN_PAPERS_PER_WORKER` would extract in this process, one worker
#: process extracts instead. ``kg build`` goes on to hold the graph in this process, and a model
#: loaded here stays with it through every later stage: after 200 abstracts extracted in the
#: process its resident set is 0.72 GB against 0.03 GB with the worker, and emptying the pipeline
#: caches and ``malloc_trim`` give back only 0.08 GB of it (one run each, docs/scale.md). A daily
#: update adds a few hundred papers to a large build, so it took this path and carried the model
#: through the writers. The worker costs about 1 s of wall time more (200 abstracts: 5.9 and
#: 6.7 s against 4.9 and 5.1 s in the process, the same CPU time); below this size the model is
#: most of a build's memory wherever it is loaded, and a model loaded here is kept for the next
#: call.
MODEL_APART_MIN_PAPERS = 1000

#: Papers keyed and looked up in the cache per query in the first pass.
_LOOKUP_BLOCK = 4096


class ExtractionError(RuntimeError):
    """A batch could not be extracted (a worker process died, the cluster went away, ...)."""


@dataclass
class _Batch:
    start: int  # index range [start, end) into papers
    end: int
    fresh: list[int]  # indices (into papers) of the uncached ones, sent to the engine
    future: object | None


def extract_papers(
    papers: Iterable[Paper],
    *,
    model: str | Path | None = None,
    jobs: int | None = None,
    cache_dir: str | Path | None = None,
    dask_address: str | None = None,
    stats: BuildStats | None = None,
    batch_size: int = 64,
    chunk_chars: int = CHUNK_CHARS,
    max_chars: int = MAX_CHARS,
    on_problem: Callable[[Problem], None] | None = None,
) -> Iterator[Extraction]:
    """Extract every paper's ``text``; yields one :class:`Extraction` per paper, in input order.

    Parameters
    ----------
    papers : sequence of :class:`kg.models.Paper` (another iterable is read into a list first)
    model : spaCy pipeline directory; None for the packaged one (:func:`kg.nlp.load_pipeline`)
    jobs : local worker processes at most; None for the number of cores
        (:func:`available_cores`). Few uncached papers run in this process whatever ``jobs``
        says (see :data:`MIN_PAPERS_PER_WORKER`), or in one worker process for an input of
        :data:`MODEL_APART_MIN_PAPERS` papers or more.
    cache_dir : folder of the result cache (:mod:`kg.extract.cache`); None for no cache
    dask_address : a Dask distributed scheduler (``tcp://host:8786``) to run batches on
        instead of local processes; workers need the same kg and model installed
    stats : if given, ``extracted`` and ``from_cache`` are added to and warnings (oversized or
        failing texts, a damaged cache) appended to ``problems``
    batch_size : papers per batch sent to a worker (and per ``nlp.pipe`` batch)
    chunk_chars, max_chars : oversized-text handling (:mod:`kg.extract.worker`)
    on_problem : called with each warning as it is found

    Example
    -------
    >>> from kg.models import Paper
    >>> [e.paper_id for e in extract_papers([Paper("p1", "A title", "An abstract.")])]  # doctest: +SKIP
    ['p1']
    """
    from kg.progress import progress

    if not isinstance(papers, Sequence):
        papers = list(papers)
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    extractions = _extract(papers, model, jobs, cache_dir, dask_address, stats, batch_size, chunk_chars, max_chars, on_problem)
    return progress(extractions, "extract", total=len(papers), unit="paper")


# Kept whole (~85 lines): its inner functions share one run's cache, settings, stats and warning callback.
def _extract(papers: Sequence[Paper], model, jobs, cache_dir, dask_address, stats, batch_size, chunk_chars, max_chars, on_problem) -> Iterator[Extraction]:
    from kg.extract.cache import ExtractionCache, cache_key, key_prefix
    from kg.extract.codec import decode
    from kg.nlp import pipeline_version

    stats = stats if stats is not None else BuildStats()
    model = None if model is None else str(Path(model).expanduser().resolve())
    version = pipeline_version(model)
    settings = Settings(model=model, version=version, chunk_chars=chunk_chars, max_chars=max_chars, batch_size=batch_size)
    prefix = key_prefix(version, chunk_chars, max_chars)

    def warn(paper: Paper | None, reason: str, file: str | None = None) -> None:
        if paper is not None:
            problem = Problem(file=paper.source_file or paper.id, line=paper.source_line, reason=f"paper {paper.id}: {reason}", severity="warning")
        else:
            problem = Problem(file=file or "", line=None, reason=reason, severity="warning")
        stats.problems.append(problem)
        if on_problem is not None:
            on_problem(problem)

    cache = ExtractionCache(cache_dir) if cache_dir is not None else None
    engine = None
    try:
        if cache is not None:
            for line in cache.warnings:
                warn(None, line, str(cache.path))
        keys = [cache_key(prefix, p.text) for p in papers]
        cached: set[bytes] = set()
        if cache is not None:
            for i in range(0, len(keys), _LOOKUP_BLOCK):
                cached |= cache.contains(keys[i : i + _LOOKUP_BLOCK])
        todo = sum(1 for k in keys if k not in cached)
        engine = _choose_engine(todo, jobs, dask_address, model, len(papers))

        pending: deque[_Batch] = deque()
        in_flight = 0

        def finish(batch: _Batch) -> Iterator[Extraction]:
            blobs: dict[int, bytes] = {}
            if batch.future is not None:
                try:
                    results = batch.future.result()
                except Exception as exc:
                    first, last = papers[batch.start].id, papers[batch.end - 1].id
                    hint = " (a worker process died: out of memory, killed, or its pipeline failed to load; see the messages above)" if isinstance(exc, BrokenProcessPool) else ""
                    raise ExtractionError(f"extraction of papers {first} .. {last} failed on {engine.name}: {type(exc).__name__}: {exc}{hint}") from exc
                blobs = dict(zip(batch.fresh, results))
                if cache is not None:
                    cache.put_many(dict((keys[i], blob) for i, blob in blobs.items()).items())
                stats.extracted += len(blobs)
            hits = [i for i in range(batch.start, batch.end) if i not in blobs]
            if hits:
                stored = cache.get_many([keys[i] for i in hits]) if cache is not None else {}
                lost = [i for i in hits if keys[i] not in stored]
                if lost:  # removed from the cache since the first pass (another process): redo them
                    redone = engine.submit(extract_batch, [papers[i].text for i in lost], settings).result()
                    stored.update(zip((keys[i] for i in lost), redone))
                    stats.extracted += len(lost)
                stats.from_cache += len(hits) - len(lost)
                blobs.update((i, stored[keys[i]]) for i in hits)
            for i in range(batch.start, batch.end):
                paper = papers[i]
                ext, warnings = decode(blobs[i], paper.id, paper.text)
                for reason in warnings:
                    warn(paper, reason)
                yield ext

        for start in range(0, len(papers), batch_size):
            end = min(start + batch_size, len(papers))
            fresh = [i for i in range(start, end) if keys[i] not in cached]
            future = engine.submit(extract_batch, [papers[i].text for i in fresh], settings) if fresh else None
            pending.append(_Batch(start, end, fresh, future))
            in_flight += future is not None
            while pending and (pending[0].future is None or in_flight >= engine.window or pending[0].future.done()):
                batch = pending.popleft()
                in_flight -= batch.future is not None
                yield from finish(batch)
        while pending:
            yield from finish(pending.popleft())
    finally:
        if engine is not None:
            engine.shutdown()
        if cache is not None:
            cache.close()


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers narrow), else the count."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _choose_engine(todo: int, jobs: int | None, dask_address: str | None, model: str | None, total: int = 0):
    """Dask when asked; else local processes when there is enough uncached work for them to pay
    off; else this process, unless the input has ``total`` papers, at least
    :data:`MODEL_APART_MIN_PAPERS`: then one worker process. ``jobs`` is an upper bound on local
    processes."""
    from kg.extract import engines

    if todo == 0:
        return engines.inline()  # nothing to run: load no model, start no worker
    if dask_address:
        return engines.dask_cluster(dask_address)
    jobs = jobs if jobs is not None else available_cores()
    workers = min(jobs, todo // MIN_PAPERS_PER_WORKER)
    if workers > 1:
        return engines.local_pool(workers, model)
    if total >= MODEL_APART_MIN_PAPERS:
        return engines.local_pool(1, model)
    return engines.inline()
