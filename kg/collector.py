"""Pausing Python's cyclic garbage collector while a stage builds millions of objects.

Resolution, graph building and the NetworkX view each allocate millions of dicts, lists and
records that stay alive until the build ends. Every few thousand allocations CPython's collector
runs, and every so often it walks *all* live containers looking for reference cycles; kg's
records hold none, so at 100,000 papers those walks cost a third of these stages' time (and
touch every object, which matters once writers run in forked processes). Reference counting
still frees everything as usual while the collector is paused.

Example
-------
>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

F = TypeVar("F", bound=Callable)


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it after only if it was enabled
    (so pauses nest, and a caller that turned it off keeps it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pausing(fn: F) -> F:
    """Decorator: run ``fn`` with the collector :func:`paused`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with paused():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
