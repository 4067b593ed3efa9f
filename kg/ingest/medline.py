"""MEDLINE / PubMed text (``--format medline``): PubMed's "PubMed" format, ``.nbib``, ``.txt``.

Each record starts with ``PMID- `` and records are separated by blank lines; a field is a
tag of up to four letters padded to four, ``- ``, and the value; continuation lines start
with six spaces and are joined with a space. A small parser of its own: the format is a
dozen lines to parse, the PyPI parsers for it are either unmaintained (``nbib``, last
release 2021) or part of a large package (Biopython's ``Bio.Medline``, which brings numpy),
and neither reports line numbers.

Fields: title ``TI`` (else ``BTI``, book titles), abstract ``AB``, date ``DP`` (``2019 Nov
2``, ``2011 May-Jun``, ``2011 Spring``), authors ``FAU`` (``Last, First``) else ``AU``,
DOI from ``LID``/``AID`` (``10.1/x [doi]``), venue ``JT`` else ``TA``, keywords ``OT``,
PMID ``PMID``. A line that is neither a field nor a continuation is reported and skipped
(warning); a record without a title is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.dates import parse_date, year_month
from kg.ingest.registry import register
from kg.ingest.ris import invert_name
from kg.ingest.source import Source, iter_lines
from kg.models import Paper

_FIELD_RE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- ?(.*)$")
_DP_RE = re.compile(r"^(\d{4})(?:\s+([A-Za-z]{3,9})\.?(?:\s*-\s*[A-Za-z]{3,9})?(?:\s+(\d{1,2}))?)?")


def medline_date(dp: str | None) -> str | None:
    """ISO date from a ``DP`` value, as precise as it is (a season or range gives the year/first month).

    >>> medline_date("2019 Nov 2"), medline_date("2011 May-Jun"), medline_date("2011 Spring"), medline_date("2008")
    ('2019-11-02', '2011-05', '2011', '2008')
    """
    if not dp:
        return None
    match = _DP_RE.match(dp.strip())
    if not match:
        return None
    year, month, day = match.groups()
    if month and day:
        return parse_date(f"{month} {day}, {year}") or year_month(year, month)
    return year_month(year, month) if month else parse_date(year)


def _records(source: Source) -> Iterator[tuple[int, list[tuple[int, str, str]]]]:
    """``(line of PMID, [(line, tag, value)])`` per record."""
    fields: list[tuple[int, str, str]] = []
    start: int | None = None
    for lineno, raw in iter_lines(source):
        line = raw.lstrip("\r\ufeff")
        if not line.strip():
            if start is not None:
                yield start, fields
            start, fields = None, []
            continue
        if line.startswith("      ") or (line[:1].isspace() and fields):
            if fields:
                at, tag, value = fields[-1]
                fields[-1] = (at, tag, f"{value} {line.strip()}")
            continue
        match = _FIELD_RE.match(line)
        if not match:
            source.report.warning(source.where(lineno), f"not a MEDLINE field line ({line[:40]!r}); ignored")
            continue
        tag, value = match.group(1), match.group(2).strip()
        if tag == "PMID" and start is not None:
            yield start, fields
            start, fields = None, []
        if start is None:
            if tag != "PMID":
                source.report.warning(source.where(lineno), f"MEDLINE record does not start with PMID (starts with {tag}); read anyway")
            start = lineno
        fields.append((lineno, tag, value))
    if start is not None:
        yield start, fields


def medline_draft(fields: list[tuple[int, str, str]]) -> Draft:
    """A :class:`Draft` from the fields of one record."""
    values: dict[str, list[str]] = {}
    for _, tag, value in fields:
        values.setdefault(tag, []).append(value)
    first = lambda *tags: next((values[t][0] for t in tags if values.get(t)), None)  # noqa: E731
    doi = None
    for tag in ("LID", "AID"):
        for value in values.get(tag, []):
            if value.endswith("[doi]"):
                doi = doi or value[: -len("[doi]")].strip()
    authors = [invert_name(a) for a in values.get("FAU", [])] or values.get("AU", [])
    dp = first("DP")
    return Draft(
        title=first("TI", "BTI"),
        abstract=first("AB"),
        source_id=first("PMID"),
        date=dp,
        date_iso=medline_date(dp),
        authors=authors,
        venue=first("JT", "TA"),
        doi=doi,
        pmid=first("PMID"),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{first('PMID')}/" if first("PMID") else None,
        categories=values.get("OT", []),
        latex="never",
    )


@register("medline", description="MEDLINE / PubMed text (PMID- records)", extensions=(".nbib", ".medline"))
def read_medline(source: Source) -> Iterator[Paper]:
    for index, (start, fields) in enumerate(_records(source)):
        paper = make_paper(medline_draft(fields), source.where(start, index), source.report)
        if paper is not None:
            yield paper
