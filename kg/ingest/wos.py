"""Web of Science exports (``--format wos``): tab-delimited ``savedrecs.txt`` and plain text.

* Tab-delimited: a header row of field tags (``PT AU ... TI SO ... AB ... PY PD ... DI ... UT``),
  then one record per row, unquoted. A row with more or fewer fields than the header keeps the
  columns the header names (WoS ends rows with an extra tab), with a warning; a row too short
  to hold a title is skipped.
* Plain text: ``FN Clarivate Analytics Web of Science`` / ``VR 1.0``, then records of two-letter
  tags from ``PT`` to ``ER`` with three-space continuation lines, parsed by rispy's
  :class:`~rispy.WokParser` one record at a time (so each keeps its line).

Fields (both layouts): title ``TI``, abstract ``AB``, date ``PY`` + ``PD`` (``JAN 15``,
``MAR``), authors ``AF`` (full names) else ``AU`` (``Last, First``, turned round), DOI ``DI``,
venue ``SO``, keywords ``DE``, source id ``UT`` (``WOS:...``), PMID ``PM``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.dates import parse_date, year_month
from kg.ingest.registry import register
from kg.ingest.ris import invert_name
from kg.ingest.source import Source, iter_lines
from kg.models import Paper

_PLAIN_TAG_RE = re.compile(r"^([A-Z][A-Z0-9])(?: |$)")


def wos_date(py: str | None, pd: str | None) -> str | None:
    """ISO date from ``PY`` and ``PD``.

    >>> wos_date("2019", "JAN 15"), wos_date("2019", "MAR"), wos_date("2019", "SPR"), wos_date(None, None)
    ('2019-01-15', '2019-03', '2019', None)
    """
    if not py or not py.strip():
        return None
    year = py.strip()
    if pd and pd.strip():
        words = pd.strip()
        return parse_date(f"{words} {year}") or year_month(year, words.split()[0]) or parse_date(year)
    return parse_date(year)


def _split(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [p.strip() for item in items for p in item.split(";") if p.strip()]


def wos_draft(record: dict[str, str | list[str]]) -> Draft:
    """A :class:`Draft` from one record, keyed by WoS field tag."""
    get = lambda tag: (lambda v: " ".join(v) if isinstance(v, list) else v)(record.get(tag)) or None  # noqa: E731
    authors = [invert_name(a) for a in (_split(record.get("AF")) or _split(record.get("AU")))]
    py, pd = get("PY"), get("PD")
    return Draft(
        title=get("TI"),
        abstract=get("AB"),
        source_id=get("UT"),
        date=" ".join(p for p in (pd, py) if p) or None,
        date_iso=wos_date(py, pd),
        authors=authors,
        venue=get("SO"),
        doi=get("DI"),
        pmid=get("PM"),
        categories=_split(record.get("DE")),
        latex="never",
    )


def _read_tabbed(source: Source, lines: Iterator[tuple[int, str]], header: list[str]) -> Iterator[Paper]:
    title_at = header.index("TI") if "TI" in header else None
    if title_at is None:
        source.report.error(source.where(1), "Web of Science header without a TI column; file skipped", record_level=False)
        return
    index = 0
    for lineno, line in lines:
        if not line.strip():
            continue
        where = source.where(lineno, index)
        index += 1
        row = line.split("\t")
        if len(row) != len(header) and not (len(row) == len(header) + 1 and not row[-1].strip()):
            if len(row) <= title_at:
                source.report.error(where, f"row has {len(row)} fields, too few to hold the title (column {title_at + 1} of {len(header)})")
                continue
            source.report.warning(where, f"row has {len(row)} fields, the header has {len(header)}; read by the header's columns")
        record = {tag: value for tag, value in zip(header, row) if tag}
        paper = make_paper(wos_draft(record), where, source.report)
        if paper is not None:
            yield paper


def _read_plain(source: Source, lines: Iterator[tuple[int, str]]) -> Iterator[Paper]:
    parser = rispy.WokParser(mapping=_IdentityMapping(), list_tags=["AU", "AF", "CR", "C1", "DE"])
    start: int | None = None
    chunk: list[str] = []
    index = 0
    for lineno, line in lines:
        tag = _PLAIN_TAG_RE.match(line)
        if tag and tag.group(1) == "PT":
            if start is not None:
                source.report.warning(source.where(start), "Web of Science record has no ER line; read up to the next PT")
                yield from _plain_record(source, parser, start, chunk + ["ER"], index)
                index += 1
            start, chunk = lineno, [line]
        elif start is not None:
            chunk.append(line)
            if tag and tag.group(1) == "ER":
                yield from _plain_record(source, parser, start, chunk, index)
                index += 1
                start, chunk = None, []
    if start is not None:
        yield from _plain_record(source, parser, start, chunk + ["ER"], index)


class _IdentityMapping(dict):
    """rispy mapping that keeps every tag as its own key (kg maps the tags itself)."""

    def __missing__(self, key: str) -> str:
        return key


def _plain_record(source: Source, parser: rispy.WokParser, start: int, chunk: list[str], index: int) -> Iterator[Paper]:
    where = source.where(start, index)
    try:
        records = parser.parse_lines(iter(chunk))
    except KeyError:  # rispy: a continuation line before any field of the record
        source.report.error(where, "Web of Science record has a continuation line before its first field")
        return
    if len(records) != 1:
        source.report.error(where, "Web of Science record could not be parsed")
        return
    paper = make_paper(wos_draft(records[0]), where, source.report)
    if paper is not None:
        yield paper


@register("wos", description="Web of Science exports (tab-delimited savedrecs.txt, or plain text)")
def read_wos(source: Source) -> Iterator[Paper]:
    lines = iter(iter_lines(source))
    for lineno, line in lines:
        line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        if line.startswith("FN ") or line.startswith("PT "):
            yield from _read_plain(source, _prepend((lineno, line), lines) if line.startswith("PT ") else lines)
        else:
            yield from _read_tabbed(source, lines, [c.strip() for c in line.split("\t")])
        return


def _prepend(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest
