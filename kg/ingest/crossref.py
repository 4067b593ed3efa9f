"""Crossref REST API responses (``--format crossref``): a single work
``{"status": "ok", "message-type": "work", "message": {...}}``, a ``/works`` page
``{"message-type": "work-list", "message": {"items": [...]}}``, or bare work objects.

The envelope is opened by :func:`kg.ingest.layouts.page_items`; each work is read as CSL-JSON
(:func:`kg.ingest.csl.csl_draft`: ``title`` is a list, ``abstract`` is JATS, dates are
``date-parts``). Detected without ``--format`` from the ``message-type`` key or, for bare works,
Crossref's own keys (``DOI`` with ``reference-count``, ``is-referenced-by-count``, ``indexed``).
"""

from __future__ import annotations



#: Keys only Crossref's work records carry.
CROSSREF_KEYS = ("reference-count", "is-referenced-by-count", "indexed", "deposited", "references-count")


def is_crossref_work(record: dict) -> bool:
    """Does this object look like a Crossref work (``DOI`` plus a Crossref-only key)?"""
    return "DOI" in record and any(key in record for key in CROSSREF_KEYS)
