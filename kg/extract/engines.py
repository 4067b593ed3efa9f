"""Where extraction batches run: in this process, in local worker processes, or on Dask.

All three are used through one interface, ``submit(fn, *args) -> future`` plus ``shutdown()``
and a ``window`` (how many batches to keep in flight), so :mod:`kg.extract.run` has one
ordered, bounded loop for all of them.

* :func:`inline` runs each batch at once in the calling process: no start-up cost, one core.
* :func:`local_pool` starts ``workers`` processes (``spawn``: no threads or locks inherited
  from the building process), each with one math-library thread and the pipeline loaded once
  by its initializer. Chosen over ``nlp.pipe(n_process=N)``, which ships whole Docs back to the
  parent (measured in docs/scale.md); a pool returns only the small encoded results.
* :func:`dask_cluster` sends batches as tasks to a running Dask distributed scheduler; each
  worker process loads the pipeline once (:func:`kg.extract.worker.get_pipeline` keeps it).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

#: How long to wait for a Dask scheduler to answer.
DASK_CONNECT_TIMEOUT = "30s"


@dataclass
class Engine:
    """A place to run batches: ``submit`` returns an object with ``result()`` and ``done()``."""

    name: str
    submit: Callable[..., Any]
    shutdown: Callable[[], None]
    window: int  # batches kept in flight
    workers: int


def inline() -> Engine:
    """Run every batch immediately in this process (the future is already done)."""

    def submit(fn, *args):
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to the caller through future.result(), as a pool would
            future.set_exception(exc)
        return future

    return Engine("inline", submit, lambda: None, window=1, workers=1)


def local_pool(workers: int, model: str | None) -> Engine:
    """``workers`` local processes, each loading the pipeline once."""
    from kg.extract.worker import init_worker, limit_threads

    limit_threads()  # inherited by the spawned workers through the environment
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(model, os.getpid()),  # the workers end with this process (kg.lifeline)
    )
    return Engine(
        f"{workers} process{'es' if workers > 1 else ''}",
        pool.submit,
        lambda: pool.shutdown(wait=True, cancel_futures=True),
        window=2 * workers + 1,
        workers=workers,
    )


def dask_cluster(address: str) -> Engine:
    """Batches as tasks on the Dask distributed scheduler at ``address``.

    Raises
    ------
    ConnectionError
        When no scheduler answers at ``address`` within :data:`DASK_CONNECT_TIMEOUT`.
    """
    from distributed import Client

    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except OSError as exc:
        raise ConnectionError(f"no Dask scheduler at {address}: {exc}") from exc
    threads = sum(client.nthreads().values()) or 1

    def submit(fn, *args):
        return client.submit(fn, *args, pure=False)

    return Engine(f"Dask at {address} ({threads} worker threads)", submit, client.close, window=2 * threads + 2, workers=threads)
