"""The RDF writer as it was before the Turtle templates: the reference the fast path must match.

Verbatim copies of ``iter_blocks``, ``_evidence_bodies`` and ``_annotation``
(kg/rdf/triples.py) and ``_turtle_blocks`` (kg/rdf/formats.py) at commit 2ae9ff1; the value
helpers and the term encoders they call are unchanged and imported. ``reference_text`` gives
what ``write_rdf`` wrote then.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TextIO

from kg.models import Evidence, KnowledgeGraph
from kg.rdf import iris
from kg.rdf.aggregates import iter_aggregate_blocks, iter_rank_blocks
from kg.rdf.formats import _turtle_encoders, _turtle_header, get_format, relative_base, write_jsonld, write_ntriples
from kg.rdf.iris import check_base_iri, graph_iri
from kg.rdf.namespace import ONTOLOGY_IRI
from kg.rdf.triples import (
    _C,
    _K,
    _P,
    _RELATIONS,
    _ROLES,
    _SKOS_SUPER,
    QUOTE_CONTEXT,
    A,
    Block,
    Lit,
    Obj,
    _concept_properties,
    _paper_properties,
    decimal,
    integer,
    text,
)

log = logging.getLogger("kg.rdf.triples")


def iter_blocks(kg: KnowledgeGraph, base: str) -> Iterator[Block]:
    """Yield every subject block of ``kg`` under instance base IRI ``base`` (see the module doc).

    ``base`` must already be checked (:func:`kg.rdf.iris.check_base_iri`). Links and relations
    that point to a paper or concept missing from ``kg``, and evidence ids missing from
    ``kg.evidence``, are left out and counted in one warning: the graph stays consistent.

    Example
    -------
    >>> from kg.models import KnowledgeGraph, Paper
    >>> kg = KnowledgeGraph(papers={"arxiv:1": Paper(id="arxiv:1", title="T", abstract="A")})
    >>> blocks = list(iter_blocks(kg, "https://ex.org/"))
    >>> blocks[2][0], blocks[2][1][:2]
    ('https://ex.org/paper/arxiv:1', [('http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://purl.org/spar/fabio/ScholarlyWork'), ('http://purl.org/dc/terms/identifier', Lit(value='arxiv:1', datatype=None))])
    """
    dropped: dict[str, int] = defaultdict(int)
    agent = iris.agent_iri(base, kg.extractor_version)
    scheme = iris.scheme_iri(base)
    yield scheme, [
        (A, _C["ConceptScheme"]),
        (_P["label"], Lit("kg concepts")),
        (_P["conformsTo"], ONTOLOGY_IRI),
        (_P["wasAttributedTo"], agent),
    ]
    yield agent, [(A, _C["SoftwareAgent"]), (_P["label"], text(kg.extractor_version or "kg"))]

    concept_node = {cid: iris.concept_iri(base, cid) for cid in kg.concepts}
    links_by_paper: dict[str, list] = defaultdict(list)
    for link in kg.links:
        if link.paper_id not in kg.papers or link.concept_id not in kg.concepts:
            dropped["links to an unknown paper or concept"] += 1
        elif link.role not in _ROLES:
            dropped[f"links with an unknown role ({link.role})"] += 1
        else:
            links_by_paper[link.paper_id].append(link)
    for paper_id in sorted(kg.papers):
        paper = kg.papers[paper_id]
        p = iris.paper_iri(base, paper_id)
        links = sorted(links_by_paper.pop(paper_id, ()), key=lambda li: (li.role, li.concept_id))
        body = _paper_properties(paper)
        body.extend((_ROLES[li.role], concept_node[li.concept_id]) for li in links)
        yield p, list(dict.fromkeys(body))  # a repeated author or category is one triple
        for li in links:
            node = iris.link_iri(base, paper_id, li.role, li.concept_id)
            yield node, [
                (A, _K["PaperLink"]),
                (_P["rdfSubject"], p),
                (_P["rdfPredicate"], _ROLES[li.role]),
                (_P["rdfObject"], concept_node[li.concept_id]),
                (_K["count"], integer(li.count)),
                (_K["confidence"], decimal(li.confidence)),
            ]
            yield from _evidence_bodies(kg, base, li.evidence, node, dropped)
    del links_by_paper

    relations_by_source: dict[str, list] = defaultdict(list)
    for rel in kg.relations:
        if rel.source not in kg.concepts or rel.target not in kg.concepts:
            dropped["relations to an unknown concept"] += 1
        elif rel.type not in _RELATIONS:
            dropped[f"relations of an unknown type ({rel.type})"] += 1
        else:
            relations_by_source[rel.source].append(rel)
    for concept_id in sorted(kg.concepts):
        concept = kg.concepts[concept_id]
        c = concept_node[concept_id]
        rels = sorted(relations_by_source.pop(concept_id, ()), key=lambda r: (r.type, r.target))
        body = _concept_properties(concept, scheme)
        for rel in rels:
            target = concept_node[rel.target]
            body.append((_RELATIONS[rel.type], target))
            if rel.type in _SKOS_SUPER:
                body.append((_SKOS_SUPER[rel.type], target))
        yield c, list(dict.fromkeys(body))  # e.g. skos:broader from both hyponym-of and variant-of
        for rel in rels:
            node = iris.relation_iri(base, rel.source, rel.type, rel.target)
            yield node, [
                (A, _K["RelationAssertion"]),
                (_P["rdfSubject"], c),
                (_P["rdfPredicate"], _RELATIONS[rel.type]),
                (_P["rdfObject"], concept_node[rel.target]),
                (_K["count"], integer(rel.count)),
                (_K["paperCount"], integer(rel.papers)),
                (_K["confidence"], decimal(rel.confidence)),
            ]
            yield from _evidence_bodies(kg, base, rel.evidence, node, dropped)
    del relations_by_source

    yield from iter_aggregate_blocks(kg, base)  # the build-time counts: shared code, not re-derived here
    yield from iter_rank_blocks(kg, base)  # and the ranks (tests/rdf/test_aggregates.py checks them against ORDER BY)

    activities: dict[str, str] = {}
    current_paper, paper_text, paper_node, spans_written = None, "", "", set()
    for ev in sorted(kg.evidence.values(), key=lambda e: (e.paper_id, e.id)):
        paper = kg.papers.get(ev.paper_id)
        if paper is None:
            dropped["evidence from an unknown paper"] += 1
            continue
        if ev.paper_id != current_paper:
            current_paper, paper_text = ev.paper_id, paper.text
            paper_node, spans_written = iris.paper_iri(base, ev.paper_id), set()
        activity = activities.get(ev.method)
        if activity is None:
            activity = activities[ev.method] = iris.activity_iri(base, ev.method)
        yield from _annotation(ev, base, paper_node, paper_text, activity, spans_written)
    for method in sorted(activities):
        yield activities[method], [
            (A, _C["Activity"]),
            (_P["label"], text(method)),
            (_P["wasAssociatedWith"], agent),
        ]
    if dropped:
        log.warning("RDF: left out %s", ", ".join(f"{n} {what}" for what, n in sorted(dropped.items())))


def _evidence_bodies(kg: KnowledgeGraph, base: str, evidence_ids, node: str, dropped: dict[str, int]) -> Iterator[Block]:
    for eid in evidence_ids:
        if eid in kg.evidence and kg.evidence[eid].paper_id in kg.papers:
            yield iris.evidence_iri(base, eid), [(_P["hasBody"], node)]
        else:
            dropped["references to unknown evidence"] += 1


def _annotation(ev: Evidence, base: str, paper: str, paper_text: str, activity: str, spans_written: set) -> Iterator[Block]:
    """The oa:Annotation of one evidence record, and the targets of its spans not written yet.

    A target is one span of one paper's text (``<paper>/text/<start>-<end>``), shared by every
    annotation quoting that span: a mention is usually evidence for several edges (its paper
    link, each relation and co-occurrence in its sentence), and its selectors are written once.
    """
    ann = iris.evidence_iri(base, ev.id)
    spans = ev.spans or ((ev.sentence_start, ev.sentence_end),)
    targets = [f"{paper}/text/{start}-{end}" for start, end in spans]
    yield ann, [
        (A, _C["Annotation"]),
        *((_P["hasTarget"], t) for t in targets),
        (_K["confidence"], decimal(ev.confidence)),
        (_P["wasGeneratedBy"], activity),
    ]
    for target, (start, end) in zip(targets, spans):
        if (start, end) in spans_written:
            continue
        spans_written.add((start, end))
        quote, position = f"{target}/quote", f"{target}/position"
        yield target, [
            (A, _C["SpecificResource"]),
            (_P["hasSource"], paper),
            (_P["hasSelector"], quote),
            (_P["hasSelector"], position),
        ]
        lo, hi = max(start, 0), max(end, 0)
        before = paper_text[max(min(ev.sentence_start, lo), lo - QUOTE_CONTEXT, 0) : lo]
        after = paper_text[hi : min(max(ev.sentence_end, hi), hi + QUOTE_CONTEXT)]
        selector: list[tuple[str, Obj]] = [(A, _C["TextQuoteSelector"]), (_P["exact"], text(paper_text[lo:hi]))]
        if before:
            selector.append((_P["prefix"], text(before)))
        if after:
            selector.append((_P["suffix"], text(after)))
        yield quote, selector
        yield position, [
            (A, _C["TextPositionSelector"]),
            (_P["start"], integer(start)),
            (_P["end"], integer(end)),
        ]


def _turtle_blocks(blocks: Iterable[Block], fh: TextIO, base: str | None, indent: str = "") -> None:
    iri, pred, obj = _turtle_encoders(base)
    sep = f" ;\n{indent}    "
    write = fh.write
    for subject, body in blocks:
        if body:
            write(indent + iri(subject) + " " + sep.join([pred(p) + " " + obj(o) for p, o in body]) + " .\n")


def reference_text(kg: KnowledgeGraph, format: str = "turtle", base_iri: str | None = None) -> str:
    """The text ``write_rdf(kg, ..., format=format, base_iri=base_iri)`` wrote at commit 2ae9ff1."""
    fmt = get_format(format)
    base = check_base_iri(base_iri)
    fh = io.StringIO()
    blocks = iter_blocks(kg, base)
    if fmt.name in ("turtle", "trig"):
        rel = relative_base(base)
        fh.write(_turtle_header(rel))
        if fmt.name == "trig":
            graph = graph_iri(base)
            fh.write(f"<{graph[len(rel):] if rel else graph}> {{\n")
            _turtle_blocks(blocks, fh, rel, indent="    ")
            fh.write("}\n")
        else:
            _turtle_blocks(blocks, fh, rel)
    elif fmt.name == "nt":
        write_ntriples(blocks, fh, base)
    else:
        write_jsonld(blocks, fh, base)
    return fh.getvalue()
