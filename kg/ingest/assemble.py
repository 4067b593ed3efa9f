"""From the raw values a reader found to one clean, validated :class:`~kg.models.Paper`.

Every reader fills a :class:`Draft` with values as the source gave them; :func:`make_paper`
applies the rules every format shares, so that they are written once:

* the title is required (missing, empty after clean-up, or of a type that is not text:
  error, record skipped); a number is coerced with a warning;
* a missing or empty abstract keeps the record with a warning (titles alone still name
  methods and tasks); an abstract given as a list of strings is joined with a warning;
* titles and abstracts longer than kg's per-record limits are cut to their first part with a
  warning (:mod:`kg.ingest.limits`), then cleaned (:func:`kg.ingest.clean.clean_text`);
* dates are parsed to ISO 8601 (:mod:`kg.ingest.dates`); an unreadable date is dropped with
  a warning and kept verbatim in ``date_text``;
* DOIs and arXiv ids are normalised; one that is not valid is dropped with a warning;
* optional fields of the wrong type are dropped with a warning, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.ingest.clean import clean_text, looks_truncated, strip_invisible
from kg.ingest.dates import parse_date
from kg.ingest.ids import arxiv_id_from_doi, normalise_arxiv_id, normalise_doi, normalise_pmid, paper_id
from kg.ingest.latex import latex_to_text
from kg.ingest.limits import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, cut_text, cut_warning
from kg.ingest.report import IngestReport, Where
from kg.models import Paper


@dataclass
class Draft:
    """A record's values as read; :func:`make_paper` validates and cleans them.

    ``date`` may be a raw value (string, year number) or, with ``date_iso``, already parsed
    by the reader (e.g. the arXiv snapshot's version dates). ``latex`` says whether the source
    writes LaTeX: ``always`` (BibTeX, the arXiv snapshot and API), ``never`` (every other
    source: a backslash in a JSON or CSV string is text, ``\\" and`` is not ``änd``), or
    ``auto`` (convert text that visibly uses LaTeX; no reader uses it).
    """

    title: Any = None
    abstract: Any = None
    source_id: Any = None
    date: Any = None
    date_iso: str | None = None
    authors: Any = ()
    venue: Any = None
    doi: Any = None
    arxiv_id: Any = None
    pmid: Any = None
    url: Any = None
    categories: Any = ()
    latex: str = "never"
    truncated: bool | None = None  # None: decide from the abstract
    extra_warnings: list[str] = field(default_factory=list)


class Skip(Exception):
    """A record that cannot become a paper; the message is the reason."""


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def text_field(value: Any, name: str, *, required: bool, warnings: list[str]) -> str | None:
    """A text value of a record, coerced only where that is obviously safe.

    Strings pass; numbers become their decimal text (a title ``1984``) with a warning; a list of
    strings is joined with spaces (abstracts split into paragraphs) with a warning; anything else
    is an error for a required field and a dropped value (with a warning) otherwise.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        warnings.append(f"{name} is a number ({value!r}); read as text")
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and name != "title":
        warnings.append(f"{name} is a list of {len(value)} strings; joined with spaces")
        return " ".join(value)
    reason = f"{name} is {_type_name(value)}, not text"
    if required:
        raise Skip(reason)
    warnings.append(reason + "; ignored")
    return None


_CATEGORY_RE = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?$")


def split_authors(text: str) -> list[str]:
    """Names from one author string: ``"A; B"``, ``"A, B and C"`` or BibTeX's ``"Last, First and ..."``.

    >>> split_authors("Smith, John and Doe, Jane"), split_authors("J. Smith, J. Doe and A. Roe")
    (['John Smith', 'Jane Doe'], ['J. Smith', 'J. Doe', 'A. Roe'])
    """
    text = " ".join(text.split())
    if not text:
        return []
    if ";" in text:
        return [p for p in (s.strip() for s in text.split(";")) if p]
    parts = [p for p in re.split(r"\s+and\s+", text) if p.strip()]
    if len(parts) > 1 and all(p.count(",") == 1 for p in parts):
        return [" ".join(reversed([s.strip() for s in p.split(",")])).strip() for p in parts]
    if len(parts) == 1 and text.count(",") == 1 and len(text.split()) <= 4 and " " not in text.split(",")[0].strip():
        last, first = (s.strip() for s in text.split(","))  # "Lovelace, Ada": one author
        return [f"{first} {last}".strip()]
    names: list[str] = []
    for part in parts:
        names.extend(s.strip() for s in part.split(",") if s.strip())
    return names


def author_name(value: Any) -> str | None:
    """A display name from a string or an author object of the common APIs."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "display_name", "displayName", "full_name", "fullName", "literal"):
            if isinstance(value.get(key), str):
                return value[key]
        given = value.get("given") or value.get("first") or value.get("firstName") or value.get("forename")
        family = value.get("family") or value.get("last") or value.get("lastName") or value.get("surname")
        if isinstance(family, str):
            return f"{given} {family}" if isinstance(given, str) else family
        if isinstance(value.get("author"), dict):  # OpenAlex authorship
            return author_name(value["author"])
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):  # [last, first, suffix]
        last, first, *rest = value + ["", ""]
        return " ".join(p for p in (first, last, *(rest[:1])) if p)
    return None


def authors_field(value: Any, warnings: list[str], *, latex: str) -> tuple[str, ...]:
    """Author display names, cleaned, in order, without empties."""
    if value is None or value == "" or value == ():
        return ()
    if isinstance(value, str):
        raw = split_authors(value)
    elif isinstance(value, (list, tuple)):
        raw = []
        bad = 0
        for item in value:
            name = author_name(item)
            if name is None:
                bad += 1
            else:
                raw.append(name)
        if bad:
            warnings.append(f"{bad} author entr{'y' if bad == 1 else 'ies'} not understood; left out")
    else:
        warnings.append(f"authors is {_type_name(value)}; ignored")
        return ()
    names = []
    for name in raw:
        if latex != "never" and ("\\" in name or "{" in name):
            name = latex_to_text(name, unknown="strip" if latex == "always" else "keep", braces=True)
        name = " ".join(strip_invisible(name).split())
        if name:
            names.append(name)
    return tuple(names)


def list_field(value: Any, name: str, warnings: list[str]) -> tuple[str, ...]:
    """Categories or keywords: a list of strings (or of ``{"display_name"|"category"}``), or
    one string split on ``;``, ``,`` or white space (arXiv writes ``"cs.LG stat.ML"``)."""
    if value is None or value == "":
        return ()
    items: list[str] = []
    if isinstance(value, str):
        if ";" in value or "," in value:
            items = value.split(";" if ";" in value else ",")
        elif all(_CATEGORY_RE.match(token) for token in value.split()) and re.search(r"[.\-]", value):
            items = value.split()  # arXiv's "cs.LG stat.ML"
        else:
            items = [value]
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str):
                items.append(item)
            elif isinstance(item, dict):
                label = next((item[k] for k in ("display_name", "category", "name", "term") if isinstance(item.get(k), str)), None)
                if label is not None:
                    items.append(label)
    else:
        warnings.append(f"{name} is {_type_name(value)}; ignored")
        return ()
    seen: dict[str, None] = {}
    for item in items:
        item = " ".join(strip_invisible(item).split())
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def _optional_text(value: Any, name: str, warnings: list[str]) -> str | None:
    text = text_field(value, name, required=False, warnings=warnings)
    if text is None:
        return None
    text = " ".join(strip_invisible(text).split())
    return text or None


def _within(value: str, name: str, limit: int, warnings: list[str]) -> str:
    """``value`` cut to its first ``limit`` characters (:mod:`kg.ingest.limits`), before any
    clean-up, with a warning when it was longer."""
    if len(value) <= limit:
        return value
    kept = cut_text(value, limit)
    warnings.append(cut_warning(name, len(value), limit, len(kept)))
    return kept


def make_paper(draft: Draft, where: Where, report: IngestReport) -> Paper | None:
    """Validate and clean one record; report its problems; None when it is skipped.

    Counts the record in ``report.records_read`` either way.
    """
    warnings = list(draft.extra_warnings)
    try:
        raw_title = text_field(draft.title, "title", required=True, warnings=warnings)
        if raw_title is None:
            raise Skip("missing title")
        raw_title = _within(raw_title, "title", MAX_TITLE_CHARS, warnings)
        title = clean_text(raw_title, latex=draft.latex)
        if not title:
            raise Skip("empty title")
        raw_abstract = text_field(draft.abstract, "abstract", required=True, warnings=warnings)
        if raw_abstract is not None:
            raw_abstract = _within(raw_abstract, "abstract", MAX_ABSTRACT_CHARS, warnings)
    except Skip as exc:
        report.error(where, str(exc))
        return None
    abstract = clean_text(raw_abstract, latex=draft.latex) if raw_abstract else ""
    if not abstract:
        warnings.append("missing abstract" if raw_abstract is None else "empty abstract")

    date_text = None
    date = draft.date_iso
    if date is None and draft.date not in (None, ""):
        if isinstance(draft.date, (str, int, float)) and not isinstance(draft.date, bool):
            date_text = " ".join(str(draft.date).split()) if isinstance(draft.date, str) else str(draft.date)
            date = parse_date(draft.date)
            if date is None:
                warnings.append(f"date {date_text!r} not understood; kept as text only")
        else:
            warnings.append(f"date is {_type_name(draft.date)}; ignored")
    elif isinstance(draft.date, str):
        date_text = " ".join(draft.date.split()) or None

    raw_doi = _optional_text(draft.doi, "doi", warnings)
    doi = normalise_doi(raw_doi) if raw_doi else None
    if raw_doi and doi is None:
        warnings.append(f"DOI {raw_doi!r} is not a DOI; ignored")
    raw_arxiv = _optional_text(draft.arxiv_id, "arXiv id", warnings)
    arxiv_id = normalise_arxiv_id(raw_arxiv) if raw_arxiv else None
    if raw_arxiv and arxiv_id is None:
        warnings.append(f"arXiv id {raw_arxiv!r} is not an arXiv id; ignored")
    arxiv_id = arxiv_id or arxiv_id_from_doi(doi)
    raw_pmid = _optional_text(draft.pmid, "PMID", warnings)
    pmid = normalise_pmid(raw_pmid) if raw_pmid else None
    if raw_pmid and pmid is None:
        warnings.append(f"PMID {raw_pmid!r} is not a PubMed id; ignored")

    source_id = draft.source_id
    if source_id is not None and not isinstance(source_id, str):
        source_id = str(source_id) if isinstance(source_id, (int, float)) and not isinstance(source_id, bool) else None
    venue = _optional_text(draft.venue, "venue", warnings)
    if venue and draft.latex != "never" and ("\\" in venue or "{" in venue):
        venue = clean_text(venue, latex=draft.latex) or None
    paper = Paper(
        id=paper_id(arxiv_id=arxiv_id, doi=doi, title=title),
        title=title,
        abstract=abstract,
        source_id=source_id.strip() or None if isinstance(source_id, str) else None,
        date=date,
        date_text=date_text,
        authors=authors_field(draft.authors, warnings, latex=draft.latex),
        venue=venue,
        doi=doi,
        arxiv_id=arxiv_id,
        url=_optional_text(draft.url, "url", warnings),
        categories=list_field(draft.categories, "categories", warnings),
        source_file=where.file,
        source_line=where.line,
        truncated=looks_truncated(abstract) if draft.truncated is None else draft.truncated,
        pmid=pmid,
    )
    report.records_read += 1
    for warning in warnings:
        report.warning(where, warning + "; record kept")
    return paper
