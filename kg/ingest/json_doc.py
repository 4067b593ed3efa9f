"""JSON document readers: ``--format json`` (an array of paper objects, an API page, one object,
or JSON Lines saved as ``.json``) and the readers of one known layout (``arxiv``, ``openalex``,
``s2``, ``csl``, ``crossref``), all streamed where the shape allows it
(:func:`kg.ingest.jsonio.iter_json_document`).

Each reader only chooses the layout; how a record of that layout becomes a paper is in the
layout's own module (:mod:`kg.ingest.arxiv`, :mod:`kg.ingest.openalex`, :mod:`kg.ingest.s2`,
:mod:`kg.ingest.csl`, :mod:`kg.ingest.crossref`), which :mod:`kg.ingest.layouts` imports: the
readers live here, not there, so that no layout module imports :mod:`kg.ingest.layouts` back.
"""

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


@register("arxiv", description="the arXiv metadata snapshot (JSON Lines)")
def read_arxiv(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="arxiv")


@register("openalex", description="OpenAlex works: one object, a list, JSON Lines or API pages")
def read_openalex(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="openalex")


@register("s2", description="Semantic Scholar Graph API papers: one object, a list, JSON Lines or {\"data\": [...]} pages")
def read_s2(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="s2")


@register("csl", description="CSL-JSON (Zotero, Better BibTeX, DOI content negotiation): one item or an array")
def read_csl(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="csl")


@register("crossref", description="Crossref REST API responses: a work, or a /works page (message.items)")
def read_crossref(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source), layout="csl")
