"""JSON record layouts: which shape a record has and how it becomes a :class:`Draft`.

The JSON readers (``jsonl``, ``json``) look at the first object of a file to choose a layout:

* ``arxiv``: the arXiv metadata snapshot (``authors_parsed``, or ``versions`` + ``update_date``);
* ``openalex``: OpenAlex works (``abstract_inverted_index``, ``authorships``, or an
  ``https://openalex.org/W...`` id);
* ``s2``: Semantic Scholar Graph API papers (``paperId`` or ``externalIds``);
* ``csl``: CSL-JSON items and Crossref works (``issued`` / ``published`` date objects,
  a hyphenated ``container-title``, or Crossref's own keys);
* ``generic``: anything else, through the field-name table (:mod:`kg.ingest.fields`).

API pages (``{"results": [...]}``, ``{"data": [...]}``) are opened and their records read, and so
is Crossref's envelope (``{"message-type": "work", "message": {...}}``, ``message.items``).
Semantic Scholar papers may hold papers (``citations``, ``references``): counted in one warning,
or read after the paper that holds them with ``Source.s2_nested`` (:mod:`kg.ingest.s2`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kg.ingest import arxiv, csl, openalex, s2
from kg.ingest.assemble import Draft, Skip, make_paper
from kg.ingest.crossref import is_crossref_work
from kg.ingest.fields import generic_draft, resolve_fields
from kg.ingest.jsonio import JsonValue
from kg.ingest.report import Where
from kg.ingest.s2 import NestedCount, nested_records
from kg.ingest.source import Source
from kg.models import Paper

DraftFn = Callable[[dict, dict], Draft]

_PAGE_KEYS = ("results", "data", "items", "works", "papers", "records")


def sniff_layout(record: dict) -> str:
    """The layout of one JSON object (see the module docstring)."""
    if "authors_parsed" in record or ("versions" in record and "update_date" in record):
        return "arxiv"
    ident = record.get("id")
    if "abstract_inverted_index" in record or "authorships" in record or (isinstance(ident, str) and ident.startswith("https://openalex.org/")):
        return "openalex"
    if "paperId" in record or "externalIds" in record or "citingPaper" in record or "citedPaper" in record:
        return "s2"
    if is_crossref_work(record) or "container-title" in record or any(
        isinstance(record.get(key), dict) and "date-parts" in record[key] for key in ("issued", "published")
    ):
        return "csl"
    return "generic"


def _layouts() -> dict[str, DraftFn]:
    return {
        "generic": lambda record, fields: generic_draft(record, fields),
        "arxiv": lambda record, fields: arxiv.arxiv_draft(record),
        "openalex": lambda record, fields: openalex.openalex_draft(record),
        "s2": lambda record, fields: s2.s2_draft(record),
        "csl": lambda record, fields: csl.csl_draft(record),
    }


def page_items(record: dict) -> list | None:
    """The records of an API page, or None when ``record`` is a record itself."""
    message = record.get("message")
    if "message-type" in record and isinstance(message, dict):  # Crossref: one work, or a page
        return message["items"] if isinstance(message.get("items"), list) else [message]
    if "title" in record or "display_name" in record:
        return None
    for key in _PAGE_KEYS:
        if isinstance(record.get(key), list):
            return record[key]
    return None


def _type_name(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def papers_from_values(source: Source, values: Iterable[JsonValue], layout: str | None = None) -> Iterator[Paper]:
    """Papers from parsed JSON values, in the given layout or the one the first object has."""
    fields = resolve_fields(source.fields)
    layouts = _layouts()
    chosen = layout
    unread = NestedCount()

    def paper_of(record: Any, where: Where) -> Paper | None:
        if not isinstance(record, dict):
            what = "null (Semantic Scholar returns null for an id it does not know)" if record is None else _type_name(record)
            source.report.error(where, f"record is {what}, not an object")
            return None
        try:
            draft = layouts[chosen](record, fields)
        except Skip as exc:
            source.report.error(where, str(exc))
            return None
        return make_paper(draft, where, source.report)

    for item in values:
        records: list[tuple[Any, int]]
        value = item.value
        if isinstance(value, dict) and (items := page_items(value)) is not None:
            records = [(rec, i) for i, rec in enumerate(items)]
        else:
            records = [(value, item.index)]
        for record, index in records:
            if chosen is None and isinstance(record, dict):
                chosen = "generic" if source.fields else sniff_layout(record)
            if (paper := paper_of(record, source.where(item.line, index))) is not None:
                yield paper
            if chosen != "s2" or not isinstance(record, dict):
                continue
            for place, nested in nested_records(record):
                if not source.s2_nested:
                    unread.add(place, nested)
                elif (paper := paper_of(nested, source.where(item.line, index, place))) is not None:
                    yield paper
    if (warning := unread.warning()) is not None:
        source.report.warning(source.where(), warning)
