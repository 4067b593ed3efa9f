"""Semantic Scholar Graph API paper records: one object, a list (the batch endpoint, where an
unknown id is ``null``), JSON Lines, or pages ``{"total", "offset", "next", "data": [...]}``.

Fields used: ``paperId``, ``title``, ``abstract``, ``publicationDate`` / ``year``,
``externalIds`` (``DOI``, ``ArXiv``), ``authors[].name``, ``venue`` /
``publicationVenue.name`` / ``journal.name``, ``url``, ``fieldsOfStudy`` /
``s2FieldsOfStudy[].category``. Citation and reference pages wrap each paper in
``citingPaper`` / ``citedPaper``; the wrapped paper is read.

A paper asked for with ``fields=citations.title,references.abstract,...`` carries lists of
paper objects under ``citations`` and ``references``. They are papers in their own right, but
they are often fetched for their ids only (and a record without a title cannot be read), so
by default they are counted in one warning per file (:class:`NestedCount`) and ``--s2-nested``
reads them as papers (:func:`nested_records`), which then de-duplicate with every other record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.ingest.assemble import Draft


def _name(obj: Any) -> Any:
    return obj.get("name") if isinstance(obj, dict) else None


#: The keys of a paper that hold lists of other papers.
NESTED_LISTS = ("citations", "references")


def unwrap(record: dict) -> dict:
    """The paper of a citation/reference page item (``citingPaper`` / ``citedPaper``), else the record."""
    for wrapper in ("citingPaper", "citedPaper"):
        if "title" not in record and isinstance(record.get(wrapper), dict):
            return record[wrapper]
    return record


def nested_records(record: dict) -> Iterator[tuple[str, Any]]:
    """``(place, value)`` of each record nested in a paper: ``("references[3]", {...})``.

    >>> [place for place, _ in nested_records({"title": "T", "citations": [{}], "references": [{}, None]})]
    ['citations[0]', 'references[0]', 'references[1]']
    """
    paper = unwrap(record)
    for key in NESTED_LISTS:
        items = paper.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                yield f"{key}[{i}]", item


@dataclass
class NestedCount:
    """The nested records of one file that were not read, for its one warning."""

    citations: int = 0
    references: int = 0
    titled: int = 0

    def add(self, place: str, value: Any) -> None:
        if place.startswith("citations"):
            self.citations += 1
        else:
            self.references += 1
        title = value.get("title") if isinstance(value, dict) else None
        self.titled += isinstance(title, str) and bool(title.strip())

    def warning(self) -> str | None:
        """The file's warning, or None when it holds no nested record.

        >>> NestedCount(citations=2, references=3, titled=4).warning()
        '5 nested Semantic Scholar records (citations: 2, references: 3; 4 with a title) not read; --s2-nested reads them as papers'
        """
        total = self.citations + self.references
        if not total:
            return None
        return (f"{total} nested Semantic Scholar records (citations: {self.citations}, references: {self.references}; "
                f"{self.titled} with a title) not read; --s2-nested reads them as papers")


def s2_draft(record: dict) -> Draft:
    """A :class:`Draft` from one Semantic Scholar paper."""
    record = unwrap(record)
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
