"""JSON reader (``--format json``): an array of paper objects, an API page, one object, or
JSON Lines saved as ``.json`` (the arXiv snapshot), streamed where the shape allows it
(:func:`kg.ingest.jsonio.iter_json_document`)."""

from __future__ import annotations

from collections.abc import Iterator

from kg.ingest.jsonio import iter_json_document
from kg.ingest.layouts import papers_from_values
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.models import Paper


@register("json", description="a JSON array of paper objects, an API page or one object", extensions=(".json",))
def read_json(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source))
