"""The arXiv metadata snapshot (Kaggle's ``arxiv-metadata-oai-snapshot.json``, JSON Lines).

One object per paper::

    {"id": "0704.0001", "title": "...", "abstract": "  ...", "categories": "hep-ph",
     "authors": "C. Bal\\'azs, E. L. Berger", "doi": "10.1103/PhysRevD.76.013009",
     "journal-ref": "Phys.Rev.D76:013009,2007", "update_date": "2008-11-13",
     "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...],
     "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""]]}

The date is the day version 1 was submitted; without ``versions`` it is the month the arXiv
id encodes (``0704.0001`` -> ``2007-04``), which is exact. ``update_date`` is the date of the
last change, not of the paper, and is not used. Titles and abstracts are LaTeX.
"""

from __future__ import annotations

import re
from typing import Any

from kg.ingest.assemble import Draft
from kg.ingest.dates import parse_date
from kg.ingest.ids import normalise_arxiv_id

_YYMM_RE = re.compile(r"^(?:[a-z\-]+(?:\.[A-Z]{2})?/)?(\d{2})(\d{2})")


def month_of_id(arxiv_id: str) -> str | None:
    """The submission month an arXiv id encodes: ``2101.00001`` -> ``2021-01``.

    >>> month_of_id("0704.0001"), month_of_id("hep-th/9901001"), month_of_id("2113.00001")
    ('2007-04', '1999-01', None)
    """
    match = _YYMM_RE.match(arxiv_id)
    if not match:
        return None
    yy, mm = int(match[1]), int(match[2])
    if not 1 <= mm <= 12:
        return None
    year = 1900 + yy if yy >= 91 else 2000 + yy
    return f"{year:04d}-{mm:02d}"


def _first_version(versions: Any) -> tuple[str | None, str | None]:
    """(ISO date, text) of version 1's ``created`` field."""
    if not isinstance(versions, list):
        return None, None
    for version in versions:
        if isinstance(version, dict) and version.get("version") in ("v1", 1, "1") and isinstance(version.get("created"), str):
            return parse_date(version["created"]), version["created"]
    first = versions[0] if versions else None
    if isinstance(first, dict) and isinstance(first.get("created"), str):
        return parse_date(first["created"]), first["created"]
    return None, None


def arxiv_draft(record: dict) -> Draft:
    """A :class:`Draft` from one snapshot record."""
    ident = record.get("id")
    arxiv_id = normalise_arxiv_id(str(ident)) if isinstance(ident, (str, int, float)) else None
    date_iso, date_text = _first_version(record.get("versions"))
    warnings = []
    if date_iso is None and date_text:
        warnings.append(f"version date {date_text!r} not understood")
    if date_iso is None and arxiv_id:
        date_iso = month_of_id(arxiv_id)
        date_text = None
    authors = record.get("authors_parsed")
    if not isinstance(authors, list) or not authors:
        authors = record.get("authors")
    doi = record.get("doi")
    if isinstance(doi, str) and len(doi.split()) > 1:  # "10.1/a 10.2/b": several DOIs in one field
        warnings.append(f"{len(doi.split())} DOIs in the doi field ({' '.join(doi.split())[:80]!r}); the first kept")
        doi = doi.split()[0]
    return Draft(
        title=record.get("title"),
        abstract=record.get("abstract"),
        source_id=ident,
        date=date_text,
        date_iso=date_iso,
        authors=authors,
        venue=record.get("journal-ref") or record.get("journal_ref"),
        doi=doi,
        arxiv_id=str(ident) if isinstance(ident, (str, int, float)) and not isinstance(ident, bool) else None,
        url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None,
        categories=record.get("categories"),
        latex="always",
        extra_warnings=warnings,
    )
