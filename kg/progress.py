"""Progress bars on stderr: shown only for an interactive terminal and never with ``-q``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence every progress bar of this process (``kg -q``)."""
    global _quiet
    _quiet = quiet


def enabled() -> bool:
    """True when bars should be drawn: not quiet and stderr is a terminal."""
    return not _quiet and sys.stderr.isatty()


def progress(items: Iterable[T], desc: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """Wrap ``items`` in a tqdm bar on stderr when :func:`enabled`, else pass them through.

    tqdm only draws after ``mininterval`` (0.5 s) and is told to wait one second before
    the first draw, so quick stages print nothing.
    """
    if not enabled():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=desc, total=total, unit=unit, file=sys.stderr, delay=1.0, leave=False, dynamic_ncols=True)
