"""JSON Lines reader (``--format jsonl``): one JSON object per line, streamed.

The layout (generic field names, arXiv snapshot, OpenAlex, Semantic Scholar) is taken from
the first object (:mod:`kg.ingest.layouts`); ``--field`` overrides force the generic layout.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.ingest.jsonio import iter_json_lines
from kg.ingest.layouts import papers_from_values
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.models import Paper


@register("jsonl", description="JSON Lines, one paper object per line", extensions=(".jsonl", ".ndjson", ".jsonlines"))
def read_jsonl(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_lines(source))
