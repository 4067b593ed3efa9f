"""CSL-JSON (``--format csl``): what Zotero, Better BibTeX, citeproc and DOI content
negotiation write - one item object or an array of them - and the Crossref works it is
derived from (:mod:`kg.ingest.crossref`).

Fields: ``title`` (a string, or Crossref's list: the first), ``abstract`` (JATS markup such as
``<jats:p>`` removed, a leading ``Abstract`` heading dropped), date from ``issued`` (else
``published-print``, ``published-online``, ``published``, ``created``): ``date-parts``
(``[[2015, 11, 19]]``), ``raw`` or ``literal``; ``author`` (``given`` + ``family``, or
``literal``); ``DOI``; ``URL``; ``container-title`` (venue; a string or a list); ``PMID``;
``keyword`` / ``subject`` (categories); ``id`` (source id).
"""

from __future__ import annotations

import re
from typing import Any

from kg.ingest.assemble import Draft
from kg.ingest.dates import parse_date

_DATE_KEYS = ("issued", "published-print", "published-online", "published", "created")
_JATS_HEADING_RE = re.compile(r"^\s*<(?:jats:)?title>\s*abstract\s*</(?:jats:)?title>", re.I)
_JATS_BLOCK_RE = re.compile(r"</?(?:jats:)?(?:p|sec|title|list|list-item)(?:\s[^>]*)?>", re.I)


def csl_date(value: Any) -> tuple[str | None, str | None]:
    """(ISO date, text) from a CSL date object.

    >>> csl_date({"date-parts": [[2015, 11, 19]]}), csl_date({"date-parts": [["2020", "3"]]}), csl_date({"raw": "2019-05"})
    (('2015-11-19', '2015-11-19'), ('2020-03', '2020-03'), ('2019-05', '2019-05'))
    """
    if isinstance(value, str):
        return parse_date(value), value
    if not isinstance(value, dict):
        return None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            numbers = []
        if numbers:
            text = "-".join(f"{n:04d}" if i == 0 else f"{n:02d}" for i, n in enumerate(numbers))
            iso = parse_date(text)
            while iso is None and len(numbers) > 1:  # month 0 or day 0: say less, never guess
                numbers = numbers[:-1]
                iso = parse_date("-".join(f"{n:04d}" if i == 0 else f"{n:02d}" for i, n in enumerate(numbers)))
            return iso, text
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str):
            return parse_date(value[key]), value[key]
    return None, None


def jats_to_text(abstract: Any) -> Any:
    """A Crossref abstract without its JATS markup: a leading ``Abstract`` heading dropped,
    block tags turned into spaces (inline tags are removed later by the common clean-up).

    >>> jats_to_text("<jats:title>Abstract</jats:title><jats:p>Oligomers are toxic.</jats:p><jats:p>More.</jats:p>")
    'Oligomers are toxic. More.'
    """
    if not isinstance(abstract, str):
        return abstract
    text = _JATS_HEADING_RE.sub("", abstract)
    return " ".join(_JATS_BLOCK_RE.sub(" ", text).split())


def _first_text(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), None)
    return value


def csl_draft(record: dict) -> Draft:
    """A :class:`Draft` from one CSL-JSON item or Crossref work."""
    date = text = None
    for key in _DATE_KEYS:
        date, text = csl_date(record.get(key))
        if date:
            break
    categories = record.get("keyword") or record.get("subject")
    if isinstance(categories, str) and "," in categories:
        categories = [c.strip() for c in categories.split(",")]
    return Draft(
        title=_first_text(record.get("title")),
        abstract=jats_to_text(record.get("abstract")),
        source_id=record.get("id") if isinstance(record.get("id"), (str, int)) else None,
        date=text,
        date_iso=date,
        authors=record.get("author") or (),
        venue=_first_text(record.get("container-title")),
        doi=record.get("DOI"),
        pmid=record.get("PMID"),
        url=record.get("URL"),
        categories=categories,
        latex="auto",
    )
