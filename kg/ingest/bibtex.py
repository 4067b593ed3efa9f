"""BibTeX (``--format bibtex``), parsed by bibtexparser 1.4.3, one entry at a time.

The file is cut into entries at each ``@type{`` / ``@type(`` that starts a line, and each piece
is given to one bibtexparser parser (so ``@string`` macros and the month names carry over).
A piece the parser cannot read (unbalanced braces, a missing key) is reported with its line
and skipped, and the next entry is read as usual: one bad entry never hides the others.

``@string`` macros are not expanded by bibtexparser but lazily, with a size cap, where an entry
uses them (:mod:`kg.ingest.bibtex_strings`): a macro that cannot be expanded (longer than
:data:`kg.ingest.limits.MAX_BIBTEX_STRING_CHARS`, undefined macros, a cycle) is reported
with its line, and so is each entry that uses it (skipped); the other entries are read.

Fields: ``title`` (required), ``abstract``, ``year`` + ``month`` (or biblatex ``date``),
``doi``, ``eprint`` with ``archivePrefix``/``eprinttype = arXiv`` (or an arXiv-looking
``eprint``), ``journal`` / ``booktitle`` / ``journaltitle`` (venue), ``url``, ``keywords``
(categories), ``author`` (``A and B``, ``Last, First`` or ``First Last``; ``and others``
dropped). Values are LaTeX: braces, accents and commands are made readable. The entry key
is the source id.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator


from kg.ingest.assemble import Draft, make_paper
from kg.ingest.bibtex_strings import StringError, StringExpander
from kg.ingest.limits import MAX_BIBTEX_ENTRY_CHARS
from kg.ingest.dates import parse_date, parse_month, year_month
from kg.ingest.registry import register
from kg.ingest.source import Source, iter_lines
from kg.models import Paper

_ENTRY_START_RE = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]")
_NOT_ENTRIES = {"comment", "string", "preamble"}
_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)

# bibtexparser logs every piece it skips; kg reports those itself, once, with the line.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def split_bibtex_authors(value: str) -> list[str]:
    """``"Lovelace, Ada and Charles Babbage and others"`` -> ``["Ada Lovelace", "Charles Babbage"]``.

    Splits on ``and`` outside braces (``{Barnes and Noble}`` is one corporate author).
    """
    names: list[str] = []
    depth = 0
    start = 0
    pieces: list[str] = []
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            pieces.append(value[start:match.start()])
            start = match.end()
    pieces.append(value[start:])
    for piece in pieces:
        piece = " ".join(piece.split())
        if not piece or piece.lower() == "others":
            continue
        parts = [p.strip() for p in _split_top_commas(piece)]
        if len(parts) == 2:  # Last, First
            piece = f"{parts[1]} {parts[0]}"
        elif len(parts) >= 3:  # von Last, Jr, First
            piece = f"{parts[2]} {parts[0]} {parts[1]}"
        names.append(piece.strip())
    return names


def _split_top_commas(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()] or [text]


def _pieces(source: Source) -> Iterator[tuple[int, str | None, str | None]]:
    """``(first line, text, entry type)`` of each entry (and of the text between entries);
    text is None for an entry longer than :data:`kg.ingest.limits.MAX_BIBTEX_ENTRY_CHARS`
    (its lines are not kept)."""
    start_line, kind, buffer, size = 1, None, [], 0
    for lineno, line in iter_lines(source, keepends=True):
        match = _ENTRY_START_RE.match(line)
        if match:
            if buffer or size:
                yield start_line, "".join(buffer) if size <= MAX_BIBTEX_ENTRY_CHARS else None, kind
            start_line, kind, buffer, size = lineno, match.group(1).lower(), [], 0
        size += len(line)
        if size <= MAX_BIBTEX_ENTRY_CHARS:
            buffer.append(line)
        else:
            buffer = []
    if buffer or size:
        yield start_line, "".join(buffer) if size <= MAX_BIBTEX_ENTRY_CHARS else None, kind


def _reason(text: str) -> str:
    if text.count("{") != text.count("}"):
        return f"unbalanced braces ({text.count('{')} opening, {text.count('}')} closing)"
    if not re.match(r"\s*@\s*[A-Za-z]+\s*[{(]\s*[^,\s{}()]+\s*,", text):
        return "entry has no citation key"
    return "not a valid BibTeX entry"


def _arxiv_of(entry: dict) -> str | None:
    eprint = entry.get("eprint")
    if not eprint:
        return None
    prefix = (entry.get("archiveprefix") or entry.get("eprinttype") or "").strip().lower()
    if prefix in ("arxiv", "") :
        return eprint
    return None


def entry_draft(entry: dict) -> Draft:
    """A :class:`Draft` from one bibtexparser entry dict (field names lower case)."""
    date = None
    date_iso = None
    if entry.get("date"):
        date = entry["date"]
    elif entry.get("year"):
        date = " ".join(x for x in (entry.get("month"), entry.get("year")) if x)
        date_iso = year_month(entry["year"].strip("{} "), entry.get("month"))
        if date_iso is None:
            date_iso = parse_date(date)  # leave it to make_paper to warn
    warnings = []
    if entry.get("month") and entry.get("year") and parse_month(entry["month"]) is None:
        warnings.append(f"month {entry['month']!r} not understood; year kept")
    authors = split_bibtex_authors(entry["author"]) if entry.get("author") else ()
    return Draft(
        title=entry.get("title"),
        abstract=entry.get("abstract"),
        source_id=entry.get("ID"),
        date=date,
        date_iso=date_iso,
        authors=authors,
        venue=entry.get("journal") or entry.get("journaltitle") or entry.get("booktitle"),
        doi=entry.get("doi"),
        arxiv_id=_arxiv_of(entry),
        url=entry.get("url"),
        categories=entry.get("keywords"),
        latex="always",
        extra_warnings=warnings,
    )


@register("bibtex", description="BibTeX entries (with abstract fields)", extensions=(".bib", ".bibtex"))
def read_bibtex(source: Source) -> Iterator[Paper]:
    with warnings.catch_warnings():  # bibtexparser 1.4 calls pyparsing's deprecated camelCase API
        warnings.simplefilter("ignore", DeprecationWarning)
        from bibtexparser.bparser import BibTexParser  # imported here: pyparsing is slow to import

        parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=False)
    parser.expect_multiple_parse = True
    strings = parser.bib_database.strings
    expander = StringExpander(strings)
    index = 0
    for line, text, kind in _pieces(source):
        if kind is None:
            continue  # text before the first entry: a comment to BibTeX
        if text is None:
            source.report.error(source.where(line, index), f"entry longer than the limit of {MAX_BIBTEX_ENTRY_CHARS:,} characters; not parsed", record_level=kind not in _NOT_ENTRIES)
            index += kind not in _NOT_ENTRIES
            continue
        before = len(parser.bib_database.entries)
        defined = dict(strings)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                parser.parse(text, partial=True)
            parsed = parser.bib_database.entries[before:]
        except Exception as exc:  # noqa: BLE001 - pyparsing raises many types; the entry is reported, not hidden
            parsed = []
            failed = True
            reason = f"BibTeX parser failed ({type(exc).__name__}: {exc})"
        else:
            failed = False
            reason = _reason(text)
        if kind == "string":
            _check_strings(source, line, strings, defined, expander, reason if failed else _string_reason(text))
            continue
        if kind in _NOT_ENTRIES:
            continue
        if not parsed:
            source.report.error(source.where(line, index), reason)
            index += 1
            continue
        for entry in parsed:
            where = source.where(line, index)
            index += 1
            try:
                entry = {key: value if key in ("ID", "ENTRYTYPE") else expander.expand(value) for key, value in entry.items()}
            except StringError as exc:
                source.report.error(where, f"a field cannot be expanded: {exc}")
                continue
            paper = make_paper(entry_draft(entry), where, source.report)
            if paper is not None:
                yield paper


def _string_reason(text: str) -> str:
    if text.count("{") != text.count("}"):
        return f"unbalanced braces ({text.count('{')} opening, {text.count('}')} closing)"
    return "not a valid @string"


def _check_strings(source: Source, line: int, strings: dict, before: dict, expander: StringExpander, reason: str) -> None:
    """Report an ``@string`` piece that defined nothing (the parser failed or skipped it), and
    each macro it defined that cannot be expanded (removed: an entry that uses it is then
    reported as using an undefined macro)."""
    new = [name for name, value in strings.items() if before.get(name) is not value]
    if not new:
        source.report.warning(source.where(line), f"@string not read ({reason}); entries that use it will be skipped")
        return
    for name in new:
        try:
            expander.check(strings[name])
        except StringError as exc:
            del strings[name]
            source.report.warning(source.where(line), f"@string {name!r} not usable: {exc}; entries that use it will be skipped")
