"""Semantic Scholar Graph API paper records: one object, a list (the batch endpoint, where an
unknown id is ``null``), JSON Lines, or pages ``{"total", "offset", "next", "data": [...]}``.

Fields used: ``paperId``, ``title``, ``abstract``, ``publicationDate`` / ``year``,
``externalIds`` (``DOI``, ``ArXiv``), ``authors[].name``, ``venue`` /
``publicationVenue.name`` / ``journal.name``, ``url``, ``fieldsOfStudy`` /
``s2FieldsOfStudy[].category``. Citation and reference pages wrap each paper in
``citingPaper`` / ``citedPaper``; the wrapped paper is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kg.ingest.assemble import Draft
from kg.ingest.jsonio import iter_json_document
from kg.ingest.layouts import papers_from_values
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.models import Paper


def _name(obj: Any) -> Any:
    return obj.get("name") if isinstance(obj, dict) else None


def s2_draft(record: dict) -> Draft:
    """A :class:`Draft` from one Semantic Scholar paper."""
    for wrapper in ("citingPaper", "citedPaper"):
        if "title" not in record and isinstance(record.get(wrapper), dict):
            record = record[wrapper]
    external = record.get("externalIds") if isinstance(record.get("externalIds"), dict) else {}
    categories = record.get("fieldsOfStudy")
    if not categories and isinstance(record.get("s2FieldsOfStudy"), list):
        categories = record["s2FieldsOfStudy"]
    return Draft(
        title=record.get("title"),
        abstract=record.get("abstract"),
        source_id=record.get("paperId"),
        date=record.get("publicationDate") or record.get("year"),
        authors=record.get("authors"),
        venue=record.get("venue") or _name(record.get("publicationVenue")) or _name(record.get("journal")),
        doi=external.get("DOI"),
        arxiv_id=external.get("ArXiv"),
        url=record.get("url"),
        categories=categories,
        latex="never",
    )


@register("s2", description="Semantic Scholar Graph API papers: one object, a list, JSON Lines or {\"data\": [...]} pages")
def read_s2(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="s2")
