"""What runs where the model is: load kg's pipeline once per process and extract batches of texts.

The same task function, :func:`extract_batch`, runs in the building process (small inputs),
in a local worker process (``--jobs N``) and on a Dask worker (``--dask``). It loads the
pipeline on first use and keeps it for the life of the process, so each worker pays the
model's start-up cost once. It returns encoded results (:mod:`kg.extract.codec`): small to send
back, and exactly what the cache stores.

Texts are processed with ``nlp.pipe`` in batches. A text longer than ``chunk_chars`` is cut
into pieces (:mod:`kg.extract.chunks`) whose offsets are shifted back; a text longer than
``max_chars`` is extracted up to that length only and the result carries a warning. A text on
which the pipeline itself fails gets an empty result and a warning naming the error, so one
hostile record never stops a build of thousands.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

#: Texts up to this many characters are one Doc; longer ones are cut into pieces this long.
CHUNK_CHARS = 100_000
#: Characters of one text extracted at most (10 MB); the rest is skipped with a warning.
MAX_CHARS = 10_000_000

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

_pipelines: dict[str, object] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """What a worker needs to know besides the texts (sent with every task; small)."""

    model: str | None = None
    version: str = ""  # pipeline version the caller keyed the cache with; checked here
    chunk_chars: int = CHUNK_CHARS
    max_chars: int = MAX_CHARS
    batch_size: int = 64


class PipelineMismatch(RuntimeError):
    """A worker loaded a different pipeline version than the building process keyed its cache with."""


def limit_threads() -> None:
    """One math-library thread per process: N worker processes on N cores must not each start
    N BLAS/OpenMP threads. Effective for libraries loaded after the call."""
    for var in _THREAD_VARS:
        os.environ.setdefault(var, "1")


def init_worker(model: str | None, parent: int | None = None) -> None:
    """Initializer of a local worker process: one thread, Ctrl-C left to the parent, ended with
    the process ``parent`` (:func:`kg.lifeline.end_with_parent`), model loaded."""
    import signal

    if parent is not None:
        from kg.lifeline import end_with_parent

        end_with_parent(parent)
    limit_threads()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    get_pipeline(model)


def get_pipeline(model: str | None):
    """kg's spaCy pipeline for ``model``, loaded once per process (thread-safe)."""
    key = "" if model is None else str(model)
    nlp = _pipelines.get(key)
    if nlp is None:
        with _lock:
            nlp = _pipelines.get(key)
            if nlp is None:
                from kg.nlp import load_pipeline

                nlp = load_pipeline(model)
                _pipelines[key] = nlp
    return nlp


def extract_batch(texts: Sequence[str], settings: Settings) -> list[bytes]:
    """Encoded results (:func:`kg.extract.codec.encode`) for ``texts``, in order.

    Raises :class:`PipelineMismatch` when ``settings.version`` is set and this process's
    pipeline has another version (a Dask worker with another kg or model installed).
    """
    from kg.nlp import pipeline_version

    nlp = get_pipeline(settings.model)
    if settings.version:
        mine = pipeline_version(settings.model)
        if mine != settings.version:
            raise PipelineMismatch(f"worker pipeline {mine!r} differs from the build's {settings.version!r} (same kg and model needed on every worker)")
    with _lock:
        return extract_texts(nlp, texts, chunk_chars=settings.chunk_chars, max_chars=settings.max_chars, batch_size=settings.batch_size)


def extract_texts(nlp, texts: Sequence[str], *, chunk_chars: int = CHUNK_CHARS, max_chars: int = MAX_CHARS, batch_size: int = 64) -> list[bytes]:
    """Run ``nlp`` over ``texts`` (cutting oversized ones) and encode one result per text.

    The pieces go through the pipeline in batches of at most ``batch_size`` pieces and
    ``chunk_chars`` characters (:func:`piece_batches`), each batch's Docs dropped before the
    next: the tok2vec's working memory (about 15 kB per token, 2.5 kB per character, measured)
    grows with the characters of one ``nlp.pipe`` batch, so it is bounded by ``chunk_chars``
    whatever the length of one text. Before, all pieces of a long text went into one batch and
    a 1 MB text took 2.35 GB (docs/scale.md).
    """
    from kg.extract.codec import encode
    from kg.extract.convert import concat_extractions, shift_extraction

    chunk_chars = max(1, min(chunk_chars, nlp.max_length))
    warnings: list[list[str]] = [[] for _ in texts]
    parts: list[list] = [[] for _ in texts]
    for i, text in enumerate(texts):
        if len(text) > max_chars:
            warnings[i].append(f"text of {len(text):,} characters is longer than {max_chars:,}; only the first {max_chars:,} were extracted")
    for batch in piece_batches([min(len(t), max_chars) for t in texts], texts, chunk_chars, batch_size):
        results = _run_pieces(nlp, [texts[i][s:e] for i, s, e in batch], batch_size)
        for (i, start, end), (ext, error) in zip(batch, results):
            if error is not None:
                warnings[i].append(f"extraction failed on characters {start:,}-{end:,} and skipped them: {error}")
            else:
                parts[i].append(shift_extraction(ext, start))
    out = []
    for i in range(len(texts)):
        ext = parts[i][0] if len(parts[i]) == 1 else concat_extractions("", parts[i])
        out.append(encode(ext, warnings[i]))
    return out


def piece_batches(lengths: Sequence[int], texts: Sequence[str], chunk_chars: int, batch_size: int) -> Iterator[list[tuple[int, int, int]]]:
    """``(text index, start, end)`` pieces of ``texts[i][:lengths[i]]``, in order, grouped into
    batches of at most ``batch_size`` pieces and ``chunk_chars`` characters (a batch holds at
    least one piece; no piece is longer than ``chunk_chars``).

    Example
    -------
    >>> texts = ["aa", "bbb", "c" * 5, "d"]
    >>> list(piece_batches([len(t) for t in texts], texts, 4, 10))
    [[(0, 0, 2)], [(1, 0, 3)], [(2, 0, 4)], [(2, 4, 5), (3, 0, 1)]]
    """
    from kg.extract.chunks import split_text

    batch: list[tuple[int, int, int]] = []
    chars = 0
    for i, n in enumerate(lengths):
        spans = [(0, n)] if n <= chunk_chars else split_text(texts[i][:n], chunk_chars)
        for start, end in spans:
            if batch and (len(batch) >= batch_size or chars + end - start > chunk_chars):
                yield batch
                batch, chars = [], 0
            batch.append((i, start, end))
            chars += end - start
    if batch:
        yield batch


#: Errors of the pipeline on one text that cost that text (reported), not the build.
_PIECE_ERRORS = (MemoryError, RecursionError, ValueError, IndexError, KeyError, TypeError, AttributeError, RuntimeError)


def _run_pieces(nlp, pieces: list[str], batch_size: int) -> list[tuple[object, str | None]]:
    """``(extraction, None)`` per piece, or ``(None, error)`` for a piece the pipeline fails on.

    The whole list goes through ``nlp.pipe``; if that raises, the pieces are redone one by one
    so that only the failing ones are lost (with their error reported by the caller).
    """
    from kg.extract.convert import doc_to_extraction

    results: list[tuple[object, str | None]] = []
    try:
        for doc in nlp.pipe(pieces, batch_size=batch_size):
            results.append((doc_to_extraction(doc, ""), None))
    except _PIECE_ERRORS:
        for piece in pieces[len(results) :]:
            try:
                results.append((doc_to_extraction(nlp(piece), ""), None))
            except _PIECE_ERRORS as exc:
                results.append((None, f"{type(exc).__name__}: {exc}"))
    return results
