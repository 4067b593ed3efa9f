"""Crossref REST API responses (``--format crossref``): a single work
``{"status": "ok", "message-type": "work", "message": {...}}``, a ``/works`` page
``{"message-type": "work-list", "message": {"items": [...]}}``, or bare work objects.

The envelope is opened by :func:`kg.ingest.layouts.page_items`; each work is read as CSL-JSON
(:func:`kg.ingest.csl.csl_draft`: ``title`` is a list, ``abstract`` is JATS, dates are
``date-parts``). Detected without ``--format`` from the ``message-type`` key or, for bare works,
Crossref's own keys (``DOI`` with ``reference-count``, ``is-referenced-by-count``, ``indexed``).
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.ingest.jsonio import iter_json_document
from kg.ingest.layouts import papers_from_values
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.models import Paper

#: Keys only Crossref's work records carry.
CROSSREF_KEYS = ("reference-count", "is-referenced-by-count", "indexed", "deposited", "references-count")


def is_crossref_work(record: dict) -> bool:
    """Does this object look like a Crossref work (``DOI`` plus a Crossref-only key)?"""
    return "DOI" in record and any(key in record for key in CROSSREF_KEYS)


@register("crossref", description="Crossref REST API responses: a work, or a /works page (message.items)")
def read_crossref(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="csl")
