"""``kg build``'s RDF output: the knowledge graph in kg's ontology, streamed to one file.

The triples come from :func:`kg.rdf.triples.iter_blocks` and go through the serialiser the
format registry (:data:`kg.rdf.formats.FORMATS`) names, straight into a temporary file that
replaces ``graph.<ext>`` only once complete (:func:`kg.output.atomic_open`). No rdflib ``Graph``
is built, so memory stays flat however many triples there are (docs/rdf.md has figures).
"""

from __future__ import annotations

from pathlib import Path

from kg.models import KnowledgeGraph
from kg.output import atomic_open
from kg.rdf.formats import get_format
from kg.rdf.iris import check_base_iri
from kg.rdf.triples import iter_blocks

def write_rdf(kg: KnowledgeGraph, folder: str | Path, *, format: str = "turtle", base_iri: str | None = None) -> Path:
    """Write ``kg`` as RDF into ``folder`` and return the file's path.

    Parameters
    ----------
    kg : the resolved knowledge graph.
    folder : where to write; the file is ``graph.ttl``, ``graph.nt``, ``graph.jsonld`` or
        ``graph.trig`` after the format.
    format : a name of :data:`kg.rdf.formats.FORMATS` (``turtle``, ``nt``, ``json-ld``,
        ``trig``) or an alias (``ttl``, ``ntriples``, ``jsonld``).
    base_iri : namespace of the instance IRIs (default ``https://w3id.org/kg/resource/``).

    Returns
    -------
    Path of the written file. Raises ``ValueError`` for an unknown format or a bad base IRI,
    before anything is written.

    Example
    -------
    >>> import tempfile
    >>> from kg.models import KnowledgeGraph, Paper
    >>> kg = KnowledgeGraph(papers={"arxiv:1": Paper(id="arxiv:1", title="T", abstract="A")})
    >>> write_rdf(kg, tempfile.mkdtemp(), format="nt").name
    'graph.nt'
    """
    fmt = get_format(format)
    base = check_base_iri(base_iri)
    path = Path(folder) / fmt.filename
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as fh:
        fmt.write(iter_blocks(kg, base), fh, base)
    return path
