"""Cut an oversized text into pieces spaCy can take, so that nothing of it is lost.

spaCy refuses texts longer than ``nlp.max_length`` (1,000,000 characters by default), and
its memory use grows with the length of one Doc. A normal title + abstract is a few thousand
characters and is never cut; a pathological record (a whole paper, or a 2 MB "abstract")
is cut into consecutive pieces of at most ``limit`` characters that together cover the text
exactly, each piece is processed as its own Doc, and offsets are shifted back
(:func:`kg.extract.convert.shift_extraction`).

Cuts fall, in order of preference, after a blank line, after a line break, after a sentence
end (``. ``, ``? ``, ``! ``), after any whitespace, and only as a last resort inside a word,
always in the second half of the window so that pieces stay large.
"""

from __future__ import annotations

import re

_BREAKS = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"[.?!][\"')\]]*\s+"),
    re.compile(r"\s+"),
)


def split_text(text: str, limit: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` pieces of ``text``, each at most ``limit`` characters long,
    that together cover ``text`` exactly (no character lost, none repeated).

    Example
    -------
    >>> text = "One sentence here. Another one there. A third."
    >>> pieces = split_text(text, 20)
    >>> [text[s:e] for s, e in pieces]
    ['One sentence here. ', 'Another one there. ', 'A third.']
    >>> split_text("short", 20)
    [(0, 5)]
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    pieces: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > limit:
        end = _cut(text, start, start + limit)
        pieces.append((start, end))
        start = end
    if start < n or not pieces:
        pieces.append((start, n))
    return pieces


def _cut(text: str, start: int, hard_end: int) -> int:
    """The best cut in ``text[start:hard_end]``: the end of the last break of the most
    preferred kind found in the second half of the window, else ``hard_end``."""
    floor = start + (hard_end - start) // 2
    window = text[floor:hard_end]
    for pattern in _BREAKS:
        last = None
        for last in pattern.finditer(window):
            pass
        if last is not None and last.end() > 0 and floor + last.end() > start:
            return floor + last.end()
    return hard_end
