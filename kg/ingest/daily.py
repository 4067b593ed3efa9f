"""The "Daily Papers" listing dumps (text copied from the Hugging Face daily papers page).

Two layouts occur (both in ``kg/data/sample/``):

1. page chrome lines (``new``, ``Get trending papers in your email inbox!``, ``Subscribe``,
   ``Daily Papers``, ``byAK and the research community``), a date line (``Aug 5``), then
   titles and abstracts alternating, separated by blank lines;
2. page chrome lines, then ``Subscribe`` glued to the first title (``SubscribeVariational
   Learning is ...``), then titles and abstracts alternating on consecutive lines, no date.

The reader handles both the same way: the header (chrome and date lines) is read until the
first other line, ``Subscribe`` is cut off the first title, and from there every non-blank
line is, in turn, a title and an abstract. The alternation is checked as it goes: a line that
cannot be a title (a long, multi-sentence paragraph) where a title is due is reported as an
abstract without a title; a title-like line where an abstract is due, followed by an
abstract-like line, is taken as the next title and the paper before it is kept without
abstract (warning). A listing date has no year: ``Aug 5`` becomes ``--08-05`` (``date_text``
keeps ``Aug 5``); a date line with a year gives a full date. Abstracts cut off mid-sentence are
marked ``truncated``. Source line numbers are the title's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.dates import parse_date
from kg.ingest.registry import register
from kg.ingest.source import Source, iter_lines
from kg.models import Paper

#: Page chrome of the daily papers page, as it appears when the page is copied as text.
CHROME_RE = re.compile(
    r"^(?:new|subscribe|daily papers|papers|trending|search|submit|submit paper|sign up|log in|login"
    r"|get trending papers in your email inbox(?: once a day)?!?"
    r"|by\s*ak and the research community)$",
    re.IGNORECASE,
)
_GLUED_SUBSCRIBE_RE = re.compile(r"^Subscribe(?=\S)")
_DATE_LINE_RE = re.compile(r"^[A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?(?:,? \d{4})?$")
_SENTENCE_RE = re.compile(r"[.!?][\"')\]]?\s+[A-Z(]")

TITLE_MAX = 300  # characters; arXiv titles are far shorter, abstracts far longer


def looks_like_title(line: str) -> bool:
    """Could ``line`` be a paper title? Short, and not several sentences."""
    return len(line) <= TITLE_MAX and len(_SENTENCE_RE.findall(line)) < 2


def looks_like_abstract(line: str) -> bool:
    """Is ``line`` clearly an abstract? Long, several sentences, or sentences ending in a full stop."""
    sentences = len(_SENTENCE_RE.findall(line))
    return len(line) > TITLE_MAX or sentences >= 2 or (sentences == 1 and len(line) >= 80 and line.rstrip()[-1:] in ".!?")


def _content_lines(source: Source) -> Iterator[tuple[int, str, str | None]]:
    """``(line, text, listing date text)`` for each non-blank line after the header."""
    in_header = True
    date_text: str | None = None
    for lineno, raw in iter_lines(source):
        line = " ".join(raw.split())
        if not line:
            continue
        if in_header:
            if CHROME_RE.match(line):
                continue
            if _DATE_LINE_RE.match(line) and parse_date(line):
                date_text = line
                continue
            glued = _GLUED_SUBSCRIBE_RE.match(line)
            if glued:
                line = line[glued.end():]
            in_header = False
        yield lineno, line, date_text


@register("daily", description='"Daily Papers" listing dumps (plain text)', extensions=(".txt",))
def read_daily(source: Source) -> Iterator[Paper]:
    lines = _content_lines(source)
    pending: tuple[int, str, str | None] | None = None  # a title waiting for its abstract
    lookahead: list[tuple[int, str, str | None]] = []
    index = 0

    def next_line() -> tuple[int, str, str | None] | None:
        if lookahead:
            return lookahead.pop()
        return next(lines, None)

    def emit(title: tuple[int, str, str | None], abstract: str | None) -> Paper | None:
        nonlocal index
        lineno, text, date_text = title
        draft = Draft(title=text, abstract=abstract, date=date_text, latex="never")
        paper = make_paper(draft, source.where(lineno, index), source.report)
        index += 1
        return paper

    while (item := next_line()) is not None:
        lineno, text, _ = item
        if pending is None:
            if looks_like_title(text):
                pending = item
            else:
                source.report.error(source.where(lineno, index), "a paragraph where a title was expected (abstract without a title?)")
                index += 1
            continue
        # an abstract is due: is this line rather the next title, the abstract missing?
        if looks_like_title(text) and not looks_like_abstract(text) and len(text) <= 200:
            following = next_line()
            if following is not None:
                lookahead.append(following)
                if looks_like_abstract(following[1]):
                    if (paper := emit(pending, None)) is not None:
                        yield paper
                    pending = item
                    continue
        if (paper := emit(pending, text)) is not None:
            yield paper
        pending = None
    if pending is not None:
        if (paper := emit(pending, None)) is not None:
            yield paper
