"""Field names of generic JSON, JSON Lines, CSV and TSV records, and how they map to a Paper.

Each paper field has a list of names tried in order (case, ``_``, ``-`` and spaces ignored);
``--field KEY=NAME`` replaces the list of one field by the single name given::

    kg build papers.csv --field abstract=summary --field date=pub_year

The defaults cover the common exports (arXiv, Crossref-, Zotero- and pandas-style dumps).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kg.ingest.assemble import Draft
from kg.ingest.dates import year_month
from kg.ingest.ids import normalise_arxiv_id, normalise_doi

#: Paper field -> names tried in a record, first match wins.
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "paper_id", "identifier", "key", "uid", "record_id"),
    "title": ("title", "paper_title", "article_title", "document_title", "item_title"),
    "abstract": ("abstract", "summary", "abstract_text", "abstracttext", "paper_abstract", "description"),
    "date": ("date", "published", "publication_date", "published_date", "pub_date", "publish_date",
             "issued", "created", "year", "publication_year", "pub_year"),
    "month": ("month",),
    "authors": ("authors", "author", "author_names", "creators", "creator"),
    "doi": ("doi", "item_doi"),
    "arxiv_id": ("arxiv_id", "arxiv", "eprint", "arxiv_identifier"),
    "url": ("url", "link", "landing_page_url", "abs_url", "html_url", "pdf_url"),
    "venue": ("venue", "journal", "booktitle", "conference", "container_title", "journal_ref", "publication", "source_title",
              "publication_title"),
    "categories": ("categories", "category", "keywords", "subjects", "tags", "fields_of_study", "topics"),
}


class UnknownField(ValueError):
    """A ``--field`` override names a paper field kg does not have."""


def field_key(name: str) -> str:
    """How record keys are compared: case-folded, without ``_``, ``-``, ``.`` or spaces."""
    return re.sub(r"[\s_\-.]+", "", name).casefold()


def resolve_fields(overrides: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    """The field-name table with ``overrides`` (``{"abstract": "summary"}``) applied.

    >>> resolve_fields({"abstract": "summary"})["abstract"]
    ('summary',)
    >>> try:
    ...     resolve_fields({"abstrct": "x"})
    ... except UnknownField as exc:
    ...     print(exc)
    --field abstrct=x: unknown field 'abstrct'; known: abstract, arxiv_id, authors, categories, date, doi, id, month, title, url, venue
    """
    table = dict(DEFAULT_FIELDS)
    for key, name in (overrides or {}).items():
        canonical = key.strip().lower().replace("-", "_")
        if canonical == "arxiv":
            canonical = "arxiv_id"
        if canonical not in table:
            raise UnknownField(f"--field {key}={name}: unknown field {key!r}; known: {', '.join(sorted(table))}")
        if not name.strip():
            raise UnknownField(f"--field {key}=: the record field name is empty")
        table[canonical] = (name.strip(),)
    return table


def _lookup(record: Mapping[str, Any], keys: dict[str, str], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        if name in record:
            actual = name
        else:
            actual = keys.get(field_key(name))
            if actual is None:
                continue
        value = record[actual]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return actual, value
    return None, None


def generic_draft(record: Mapping[str, Any], fields: dict[str, tuple[str, ...]]) -> Draft:
    """A :class:`Draft` from a flat record (JSON object or CSV row) using the field-name table."""
    keys: dict[str, str] = {}
    for key in record:
        if isinstance(key, str):
            keys.setdefault(field_key(key), key)
    get = lambda field: _lookup(record, keys, fields[field])[1]  # noqa: E731
    date_key, date = _lookup(record, keys, fields["date"])
    draft = Draft(
        title=get("title"),
        abstract=get("abstract"),
        source_id=get("id"),
        date=date,
        authors=get("authors"),
        venue=get("venue"),
        doi=get("doi"),
        arxiv_id=get("arxiv_id"),
        url=get("url"),
        categories=get("categories"),
        latex="never",  # JSON and CSV strings are text, not LaTeX
    )
    month = get("month")
    if date_key is not None and month is not None and field_key(date_key).endswith("year"):
        combined = year_month(date, month)
        if combined:
            draft.date_iso = combined
            draft.date = f"{month} {date}"
    _ids_from_id_and_url(draft)
    return draft


def _ids_from_id_and_url(draft: Draft) -> None:
    """An ``arXiv:...`` / arxiv.org or ``doi:`` / doi.org id or URL names the paper too."""
    for value in (draft.source_id, draft.url):
        if not isinstance(value, str):
            continue
        text = value.strip()
        if draft.arxiv_id is None and (text.lower().startswith("arxiv:") or "arxiv.org/" in text.lower()):
            if normalise_arxiv_id(text):
                draft.arxiv_id = text
        if draft.doi is None and (text.lower().startswith("doi:") or "doi.org/" in text.lower()):
            if normalise_doi(text):
                draft.doi = text
