"""OpenAlex work records: one object, a list, JSON Lines, or API pages ``{"results": [...]}``.

OpenAlex does not ship abstracts as text but as ``abstract_inverted_index`` (word ->
positions); :func:`rebuild_abstract` puts the words back in order. Fields used: ``id``,
``doi``, ``title`` / ``display_name``, ``publication_date`` / ``publication_year``,
``authorships[].author.display_name``, ``primary_location.source.display_name`` (venue),
``primary_location.landing_page_url``, ``locations`` (an arxiv.org location gives the arXiv
id), ``ids``, ``topics`` / ``concepts`` (categories).
"""

from __future__ import annotations

from typing import Any

from kg.ingest.assemble import Draft
from kg.ingest.ids import normalise_arxiv_id
from kg.ingest.limits import MAX_INDEX_POSITIONS


class BadIndex(ValueError):
    """An ``abstract_inverted_index`` that is not ``{word: [positions]}``."""


def rebuild_abstract(index: Any, max_positions: int = MAX_INDEX_POSITIONS, warnings: list[str] | None = None) -> str | None:
    """The abstract text from an inverted index; None when there is none.

    The positions are counted first; when there are more than ``max_positions``
    (:data:`kg.ingest.limits.MAX_INDEX_POSITIONS`), only the words at positions below it are
    placed (the abstract's first part) and a warning is appended to ``warnings``.

    >>> rebuild_abstract({"Graph": [0], "networks": [2, 5], "neural": [1], "are": [3], "useful": [4]})
    'Graph neural networks are useful networks'
    >>> notes = []
    >>> rebuild_abstract({"a": [0, 2, 4], "b": [1, 3]}, max_positions=3, warnings=notes), len(notes)
    ('a b a', 1)
    """
    if index is None:
        return None
    if not isinstance(index, dict):
        raise BadIndex(f"abstract_inverted_index is {type(index).__name__}, not an object")
    total = 0
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in positions):
            raise BadIndex(f"abstract_inverted_index entry {word[:40]!r} has positions that are not a list of numbers")
        total += len(positions)
    if total > max_positions:
        if warnings is not None:
            warnings.append(f"abstract_inverted_index has {total:,} positions, more than the limit of {max_positions:,}; the words at the first {max_positions:,} were kept")
        placed = [(p, word) for word, positions in index.items() for p in positions if p < max_positions]
    else:
        placed = [(p, word) for word, positions in index.items() for p in positions]
    placed.sort(key=lambda pw: pw[0])
    return " ".join(word for _, word in placed)


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _arxiv_from_locations(record: dict) -> str | None:
    locations = record.get("locations")
    candidates = [record.get("primary_location")] + (locations if isinstance(locations, list) else [])
    for location in candidates:
        for key in ("landing_page_url", "pdf_url"):
            url = _get(location, key)
            if isinstance(url, str) and "arxiv.org/" in url.lower() and normalise_arxiv_id(url):
                return url
    ids = record.get("ids")
    if isinstance(ids, dict) and isinstance(ids.get("arxiv"), str):
        return ids["arxiv"]
    return None


def openalex_draft(record: dict) -> Draft:
    """A :class:`Draft` from one OpenAlex work."""
    warnings: list[str] = []
    try:
        abstract = rebuild_abstract(record.get("abstract_inverted_index"), warnings=warnings)
    except BadIndex as exc:
        warnings.append(f"{exc}; abstract left out")
        abstract = None
    if abstract is None and isinstance(record.get("abstract"), str):
        abstract = record["abstract"]
    authorships = record.get("authorships")
    authors: Any = None
    if isinstance(authorships, list):
        authors = [
            _get(a, "author", "display_name") or (a.get("raw_author_name") if isinstance(a, dict) else None) or a
            for a in authorships
        ]
    topics = record.get("topics") if isinstance(record.get("topics"), list) and record.get("topics") else record.get("concepts")
    date = record.get("publication_date") or record.get("publication_year")
    return Draft(
        title=record.get("title") if record.get("title") is not None else record.get("display_name"),
        abstract=abstract,
        source_id=record.get("id"),
        date=date,
        authors=authors,
        venue=_get(record, "primary_location", "source", "display_name"),
        doi=record.get("doi") or _get(record, "ids", "doi"),
        arxiv_id=_arxiv_from_locations(record),
        url=_get(record, "primary_location", "landing_page_url") or record.get("doi"),
        categories=topics,
        latex="never",
        extra_warnings=warnings,
    )
