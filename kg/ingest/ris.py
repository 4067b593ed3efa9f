"""RIS (``--format ris``): the export of Scopus, Web of Science, Zotero, Mendeley, EndNote and
PubMed-via-EndNote, as ``.ris``, ``.txt`` or ``.nbib``; records parsed by ``rispy``.

A record starts at a ``TY  - `` line and ends at ``ER  - ``. The file is cut into records at
each ``TY`` line (so each record keeps its line number and a broken one loses nothing else),
and each record is parsed by :class:`rispy.RisParser`, which joins continuation lines. A
record without ``ER`` is read up to the next ``TY`` (warning); text between records is
ignored (warning). Stray carriage returns at line starts (seen in real exports) are dropped.

Fields (first present wins): title ``TI``, ``T1``, ``CT``; abstract ``AB``, ``N2``; date
``PY`` / ``Y1`` (``YYYY/MM/DD/other``) refined by ``DA`` (``2011/05/11``, ``Jun``,
``Mar 1``); authors ``AU``, ``A1`` (``Last, First`` turned round); DOI ``DO`` (the first of
several, warning); venue ``JO``, ``JF``, ``T2``, ``JA``, ``J2``; URL ``UR``; keywords ``KW``;
source id ``ID``, else ``AN``; PMID ``AN`` when the database is PubMed (``DP``/``DB``
``NLM``, ``PubMed``, ``MEDLINE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import rispy

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.dates import parse_date, parse_month, year_month
from kg.ingest.registry import register
from kg.ingest.source import Source, iter_lines
from kg.models import Paper

_TAG_RE = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
_YEAR_RE = re.compile(r"\b(\d{4})\b")
_PUBMED_DBS = ("nlm", "pubmed", "medline")


def invert_name(name: str) -> str:
    """``"Labanski, A."`` -> ``"A. Labanski"``; a name without one comma is kept as written.

    >>> invert_name("Labanski, A."), invert_name("G. Kalbe"), invert_name("Smith, J., Jr.")
    ('A. Labanski', 'G. Kalbe', 'J. Smith Jr.')
    """
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[0] and parts[1]:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[1]} {parts[0]} {parts[2]}"
    return name.strip()


def ris_date(primary: str | None, da: str | None) -> tuple[str | None, str | None]:
    """(ISO date, text) from ``PY``/``Y1`` and ``DA``, as precise as they are together.

    >>> ris_date("2011", "Jun"), ris_date("2011", "Mar 1"), ris_date("2019/03/02/", None), ris_date("1 Jan.-Feb. 2019", None)
    (('2011-06', '2011 Jun'), ('2011-03-01', '2011 Mar 1'), ('2019-03-02', '2019/03/02/'), ('2019', '1 Jan.-Feb. 2019'))
    """
    texts = [t.strip() for t in (primary, da) if t and t.strip()]
    text = " ".join(texts) or None
    best: str | None = None
    for value in (primary, da):
        if not value or not value.strip():
            continue
        value = value.strip()
        found = parse_date(value)
        if found and (best is None or (len(found) > len(best) and found.startswith(best))):
            best = found
    year = best[:4] if best and best[:4].isdigit() else None
    if year is None and primary and (m := _YEAR_RE.search(primary)):
        year = m.group(1)
        best = year
    if year and da and da.strip() and (best is None or len(best) <= 4):
        words = da.strip().rstrip(".")
        refined = parse_date(f"{words} {year}") if not _YEAR_RE.search(words) else None
        if refined is None and parse_month(words):
            refined = year_month(year, words)
        if refined:
            best = refined
    return best, text


def _first(record: dict, *names: str) -> Any:
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _split_records(source: Source) -> Iterator[tuple[int, list[str]]]:
    """``(line of TY, lines)`` for each record; text outside records is reported once per run."""
    start: int | None = None
    lines: list[str] = []
    stray: int | None = None
    for lineno, raw in iter_lines(source):
        line = raw.lstrip("\r\ufeff").replace("\r", " ")
        tag = _TAG_RE.match(line)
        if tag and tag.group(1) == "TY":
            if start is not None:
                source.report.warning(source.where(start), "RIS record has no 'ER  - ' end line; read up to the next 'TY  - '")
                yield start, lines + ["ER  - "]
            start, lines = lineno, [line]
            continue
        if start is None:
            if line.strip() and stray is None:
                stray = lineno
                source.report.warning(source.where(lineno), "text outside any RIS record (before 'TY  - ') ignored")
            continue
        lines.append(line)
        if tag and tag.group(1) == "ER":
            yield start, lines
            start, lines = None, []
    if start is not None:
        source.report.warning(source.where(start), "RIS record has no 'ER  - ' end line (file truncated?); read to the end")
        yield start, lines + ["ER  - "]


def ris_draft(record: dict) -> Draft:
    """A :class:`Draft` from one record as rispy parsed it (rispy's field names)."""
    warnings: list[str] = []
    date, date_text = ris_date(_first(record, "year", "publication_year"), _first(record, "date"))
    dois = [d for d in (record.get("doi"),) if isinstance(d, str)]
    doi = dois[0].split()[0] if dois and dois[0].split() else None
    if dois and len(dois[0].split()) > 1:
        warnings.append(f"several DOIs in DO ({dois[0][:80]!r}); the first kept")
    authors = [invert_name(a) for key in ("authors", "first_authors") for a in (record.get(key) or []) if isinstance(a, str) and a.strip()]
    unknown = record.get("unknown_tag") or {}
    database = " ".join(str(_first(record, "database_provider", "name_of_database") or "").split()).lower()
    pmid = record.get("accession_number") if any(db in database for db in _PUBMED_DBS) else None
    keywords = [k for k in record.get("keywords") or [] if isinstance(k, str)]
    return Draft(
        title=_first(record, "title", "primary_title") or _first(unknown, "CT"),
        abstract=_first(record, "abstract", "notes_abstract"),
        source_id=_first(record, "id", "accession_number"),
        date=date_text,
        date_iso=date,
        authors=authors,
        venue=_first(record, "journal_name", "alternate_title3", "secondary_title", "alternate_title2", "alternate_title1"),
        doi=doi,
        pmid=pmid,
        url=_first(record, "urls"),
        categories=keywords,
        latex="never",
        extra_warnings=warnings,
    )


@register("ris", description="RIS (Scopus, Web of Science, Zotero, EndNote, PubMed via EndNote)", extensions=(".ris",))
def read_ris(source: Source) -> Iterator[Paper]:
    parser = rispy.RisParser()
    for index, (start, lines) in enumerate(_split_records(source)):
        where = source.where(start, index)
        try:
            records = parser.parse_lines(iter(lines))
        except KeyError:  # rispy: a continuation line with no field before it
            records = []
        if len(records) != 1:
            source.report.error(where, "RIS record could not be parsed")
            continue
        paper = make_paper(ris_draft(records[0]), where, source.report)
        if paper is not None:
            yield paper
