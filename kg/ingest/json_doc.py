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

from collections.abc import Callable, Iterator

from kg.ingest.jsonio import iter_json_document
from kg.ingest.layouts import papers_from_values
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.models import Paper


@register("json", description="a JSON array of paper objects, an API page or one object", extensions=(".json",))
def read_json(source: Source) -> Iterator[Paper]:
    yield from papers_from_values(source, iter_json_document(source))


#: ``--format`` name -> (layout, description) of the readers of one known layout.
LAYOUT_READERS = {
    "arxiv": ("arxiv", "the arXiv metadata snapshot (JSON Lines)"),
    "openalex": ("openalex", "OpenAlex works: one object, a list, JSON Lines or API pages"),
    "s2": ("s2", "Semantic Scholar Graph API papers: one object, a list, JSON Lines or {\"data\": [...]} pages"),
    "csl": ("csl", "CSL-JSON (Zotero, Better BibTeX, DOI content negotiation): one item or an array"),
    "crossref": ("csl", "Crossref REST API responses: a work, or a /works page (message.items)"),
}


def layout_reader(name: str, layout: str) -> Callable[[Source], Iterator[Paper]]:
    """The reader of ``--format name``: JSON documents read in ``layout``."""

    def read(source: Source) -> Iterator[Paper]:
        yield from papers_from_values(source, iter_json_document(source), layout=layout)

    read.__name__ = read.__qualname__ = f"read_{name}"
    return read


for _name, (_layout, _description) in LAYOUT_READERS.items():
    register(_name, description=_description)(layout_reader(_name, _layout))
