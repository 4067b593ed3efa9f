"""A :class:`~kg.models.KnowledgeGraph` as a stream of RDF subject blocks, in kg's ontology.

The graph is never held as an rdflib ``Graph``: :func:`iter_blocks` yields one
``(subject IRI, [(predicate IRI, object), ...])`` block at a time, and the serialisers of
:mod:`kg.rdf.formats` write each block as it comes. The blocks are made from the records of
:func:`iter_records` (:func:`expand`), which Turtle writes without making the blocks. Objects are IRIs (plain ``str``) or
:class:`Lit` literals. The order is deterministic: papers by id (each followed by its qualified
links), concepts by id (each followed by its qualified relations), then the counts of
:mod:`kg.rdf.aggregates`, then evidence by paper and id, then the PROV activities. The same subject may appear in more than one block (evidence
annotations get their ``oa:hasBody`` edges where the edge is written), which every RDF syntax allows.

What is written (``ontology/README.md`` has the diagram):

* paper: ``a fabio:ScholarlyWork``; ``dcterms:identifier`` (kg id), ``dcterms:title``,
  ``dcterms:abstract``, ``dcterms:date`` (typed ``xsd:date`` / ``gYearMonth`` / ``gYear`` /
  ``gMonthDay`` as precise as the source), ``dc:creator`` (one literal per author, in order),
  ``prism:doi``, ``kg:arxivId``, ``prism:publicationName``, ``dcterms:subject`` (categories),
  ``rdfs:seeAlso`` (url), ``kg:sourceId``, ``kg:dateText``, ``kg:truncated``; and one direct
  triple per link (``kg:mentions``, ``kg:proposes``, ...).
* link: ``a kg:PaperLink``; ``rdf:subject`` paper, ``rdf:predicate`` role property,
  ``rdf:object`` concept, ``kg:count``, ``kg:confidence``.
* concept: ``a skos:Concept, kg:<Type>``; ``skos:prefLabel``, ``skos:altLabel`` (every other
  surface form), ``skos:inScheme``, ``dcterms:identifier``, ``kg:paperCount``,
  ``kg:mentionCount``, ``kg:confidence``, ``kg:ambiguousType`` (only when true), ``kg:acronym``,
  ``kg:firstSeen``, ``kg:lastSeen``; one direct triple per
  relation it is the source of (plus ``skos:broader`` / ``skos:related`` where the relation
  specialises one).
* relation: ``a kg:RelationAssertion``; ``rdf:subject``, ``rdf:predicate``, ``rdf:object``,
  ``kg:count`` (sentences), ``kg:paperCount``, ``kg:confidence``.
* aggregates (:mod:`kg.rdf.aggregates`): per-role paper counts on concepts, ``kg:ConceptPair``
  nodes with their supporting papers, ``kg:ConceptsByDate`` rows.
* evidence: ``a oa:Annotation``; ``oa:hasBody`` each edge it supports, ``oa:hasTarget`` one
  ``oa:SpecificResource`` per quoted span, ``kg:confidence``,
  ``prov:wasGeneratedBy`` the rule's ``prov:Activity``, which ``prov:wasAssociatedWith`` the
  extractor (a ``prov:SoftwareAgent`` labelled with its version).
* span (``<paper>/text/<start>-<end>``, written once however many annotations quote it):
  ``a oa:SpecificResource``; ``oa:hasSource`` the paper, ``oa:hasSelector`` an
  ``oa:TextQuoteSelector`` (``oa:exact``, ``oa:prefix``/``oa:suffix``: the rest of the sentence
  around it, up to 200 characters each side) and an ``oa:TextPositionSelector`` (``oa:start``/``oa:end``).

Offsets are Unicode code points into ``title + "\\n" + abstract`` (SPARQL's ``SUBSTR`` counts the
same way, from 1).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from operator import attrgetter

from rdflib.namespace import DC, DCTERMS, PROV, RDF, RDFS, SKOS

from kg.evidence_records import by_paper, paper_of
from kg.models import Concept, Evidence, KnowledgeGraph, Paper
from kg.rdf import iris
from kg.rdf.aggregates import iter_aggregate_blocks, iter_rank_records
from kg.rdf.literals import XSD_BOOLEAN as _XSD_BOOLEAN
from kg.rdf.literals import XSD_DECIMAL as _XSD_DECIMAL
from kg.rdf.literals import XSD_INTEGER as _XSD_INTEGER
from kg.rdf.literals import Lit, date, decimal, integer, text
from kg.rdf.literals import clean as _clean
from kg.rdf.literals import exact_quote, quoted_spans
from kg.rdf.namespace import (
    CONCEPT_CLASSES,
    KG,
    OA,
    ONTOLOGY_IRI,
    PAPER_CLASS,
    PRISM,
    RELATION_PROPERTIES,
    ROLE_PROPERTIES,
    SKOS_SUPER_PROPERTIES,
)

log = logging.getLogger(__name__)


Obj = str | Lit
Block = tuple[str, list[tuple[str, Obj]]]

#: How many characters of context an ``oa:TextQuoteSelector`` keeps on each side of the quote,
#: never crossing the sentence boundary: for all but very long sentences, prefix + exact +
#: suffix is the whole supporting sentence.
QUOTE_CONTEXT = 200

# Plain-str constants: building blocks from str is several times faster than from URIRef.
A = str(RDF.type)
_P = {name: str(term) for name, term in {
    "identifier": DCTERMS.identifier, "title": DCTERMS.title, "abstract": DCTERMS.abstract,
    "date": DCTERMS.date, "subject": DCTERMS.subject, "conformsTo": DCTERMS.conformsTo,
    "creator": DC.creator, "doi": PRISM.doi, "publicationName": PRISM.publicationName,
    "seeAlso": RDFS.seeAlso, "label": RDFS.label, "prefLabel": SKOS.prefLabel, "altLabel": SKOS.altLabel,
    "inScheme": SKOS.inScheme, "rdfSubject": RDF.subject, "rdfPredicate": RDF.predicate, "rdfObject": RDF.object,
    "hasBody": OA.hasBody, "hasTarget": OA.hasTarget, "hasSource": OA.hasSource, "hasSelector": OA.hasSelector,
    "exact": OA.exact, "prefix": OA.prefix, "suffix": OA.suffix, "start": OA.start, "end": OA.end,
    "wasGeneratedBy": PROV.wasGeneratedBy, "wasAttributedTo": PROV.wasAttributedTo,
    "wasAssociatedWith": PROV.wasAssociatedWith, "isReplacedBy": DCTERMS.isReplacedBy,
}.items()}
_K = {name: str(getattr(KG, name)) for name in (
    "PaperLink", "RelationAssertion", "count", "paperCount", "mentionCount", "confidence", "acronym",
    "firstSeen", "lastSeen", "arxivId", "sourceId", "dateText", "truncated", "ambiguousType",
    "coOccurrenceRank", "coOccurringConcept", "coOccurrenceAssertion",
)}
_C = {name: str(term) for name, term in {
    "Paper": PAPER_CLASS, "Concept": SKOS.Concept, "ConceptScheme": SKOS.ConceptScheme,
    "Annotation": OA.Annotation, "SpecificResource": OA.SpecificResource,
    "TextQuoteSelector": OA.TextQuoteSelector, "TextPositionSelector": OA.TextPositionSelector,
    "Activity": PROV.Activity, "SoftwareAgent": PROV.SoftwareAgent,
}.items()}
_CLASSES = {label: str(cls) for label, cls in CONCEPT_CLASSES.items()}
_ROLES = {role: str(prop) for role, prop in ROLE_PROPERTIES.items()}
_RELATIONS = {rtype: str(prop) for rtype, prop in RELATION_PROPERTIES.items()}
_SKOS_SUPER = {rtype: str(prop) for rtype, prop in SKOS_SUPER_PROPERTIES.items()}
_BY_ROLE_AND_CONCEPT = attrgetter("role", "concept_id")
_BY_TYPE_AND_TARGET = attrgetter("type", "target")


#: Records of :func:`iter_records`: a plain block, or a tuple tagged with the shape of one of the
#: many-times-repeated blocks (the serialisers spell those from templates). See :func:`expand`.
Record = tuple


def iter_records(kg: KnowledgeGraph, base: str) -> Iterator[Record]:
    """The blocks of ``kg`` in :func:`iter_blocks` order, as records (see :func:`expand`).

    ``("block", subject, body)`` is one plain block; the shapes written once per link, relation,
    evidence reference, evidence record and quoted span are tagged tuples of their values:

    * ``("link", node, paper, role property, concept, count, confidence)``;
    * ``("relation", node, source, relation property, target, count, papers, confidence)``;
    * ``("body", annotation, node)``: one ``oa:hasBody`` edge;
    * ``("annotation", annotation, [targets], confidence, activity)``;
    * ``("span", target, paper, exact, prefix, suffix, start, end)``: the target, its
      ``TextQuoteSelector`` and its ``TextPositionSelector`` (three blocks);
    * ``("cooccurrence", row, rank, other concept, assertion)``: one ranked co-occurrence row
      of a concept (:func:`kg.rdf.aggregates.iter_rank_records`);

    counts and positions as ``xsd:integer`` lexical forms, confidences as ``xsd:decimal`` ones,
    texts already cleaned as :func:`text` cleans them (empty prefix or suffix: not written).
    Links, relations and evidence that point to something missing are left out and counted in
    one warning.
    """
    dropped: dict[str, int] = defaultdict(int)
    agent = iris.agent_iri(base, kg.extractor_version)
    scheme = iris.scheme_iri(base)
    yield from _scheme_records(kg, scheme, agent)
    concept_node = {cid: iris.concept_iri(base, cid) for cid in kg.concepts}
    yield from _paper_records(kg, base, concept_node, dropped)
    yield from _concept_records(kg, base, scheme, concept_node, dropped)
    yield from _redirect_records(kg, base, concept_node)
    for subject, body in iter_aggregate_blocks(kg, base):
        yield "block", subject, body
    yield from iter_rank_records(kg, base)
    yield from _evidence_records(kg, base, agent, dropped)
    if dropped:
        log.warning("RDF: left out %s", ", ".join(f"{n} {what}" for what, n in sorted(dropped.items())))


def _scheme_records(kg: KnowledgeGraph, scheme: str, agent: str) -> Iterator[Record]:
    """The concept scheme (attributed to the extractor) and the extractor as a software agent."""
    yield "block", scheme, [
        (A, _C["ConceptScheme"]),
        (_P["label"], Lit("kg concepts")),
        (_P["conformsTo"], ONTOLOGY_IRI),
        (_P["wasAttributedTo"], agent),
    ]
    yield "block", agent, [(A, _C["SoftwareAgent"]), (_P["label"], text(kg.extractor_version or "kg"))]


def _paper_records(kg: KnowledgeGraph, base: str, concept_node: dict[str, str], dropped: dict[str, int]) -> Iterator[Record]:
    """Papers by id, each block with one direct triple per link, then each link (by role and
    concept) as a ``kg:PaperLink`` followed by its evidence's ``oa:hasBody`` edges."""
    links_by_paper: dict[str, list] = defaultdict(list)
    for link in kg.links:
        if link.paper_id not in kg.papers or link.concept_id not in kg.concepts:
            dropped["links to an unknown paper or concept"] += 1
        elif link.role not in _ROLES:
            dropped[f"links with an unknown role ({link.role})"] += 1
        else:
            links_by_paper[link.paper_id].append(link)
    for paper_id in sorted(kg.papers):
        p = iris.paper_iri(base, paper_id)
        links = sorted(links_by_paper.pop(paper_id, ()), key=_BY_ROLE_AND_CONCEPT)
        body = _paper_properties(kg.papers[paper_id])
        body.extend((_ROLES[li.role], concept_node[li.concept_id]) for li in links)
        yield "block", p, list(dict.fromkeys(body))  # a repeated author or category is one triple
        for li in links:
            node = iris.link_iri(base, paper_id, li.role, li.concept_id)
            yield "link", node, p, _ROLES[li.role], concept_node[li.concept_id], str(int(li.count)), decimal(li.confidence).value
            yield from _evidence_bodies(kg, base, li.evidence, node, dropped)


def _concept_records(kg: KnowledgeGraph, base: str, scheme: str, concept_node: dict[str, str],
                     dropped: dict[str, int]) -> Iterator[Record]:
    """Concepts by id, each block with one direct triple per relation it is the source of (and
    the SKOS property it specialises), then each relation (by type and target) as a
    ``kg:RelationAssertion`` followed by its evidence's ``oa:hasBody`` edges."""
    relations_by_source: dict[str, list] = defaultdict(list)
    for rel in kg.relations:
        if rel.source not in kg.concepts or rel.target not in kg.concepts:
            dropped["relations to an unknown concept"] += 1
        elif rel.type not in _RELATIONS:
            dropped[f"relations of an unknown type ({rel.type})"] += 1
        else:
            relations_by_source[rel.source].append(rel)
    for concept_id in sorted(kg.concepts):
        c = concept_node[concept_id]
        rels = sorted(relations_by_source.pop(concept_id, ()), key=_BY_TYPE_AND_TARGET)
        body = _concept_properties(kg.concepts[concept_id], scheme)
        for rel in rels:
            target = concept_node[rel.target]
            body.append((_RELATIONS[rel.type], target))
            if rel.type in _SKOS_SUPER:
                body.append((_SKOS_SUPER[rel.type], target))
        yield "block", c, list(dict.fromkeys(body))  # e.g. skos:broader from both hyponym-of and variant-of
        for rel in rels:
            node = iris.relation_iri(base, rel.source, rel.type, rel.target)
            yield ("relation", node, c, _RELATIONS[rel.type], concept_node[rel.target],
                   str(int(rel.count)), str(int(rel.papers)), decimal(rel.confidence).value)
            yield from _evidence_bodies(kg, base, rel.evidence, node, dropped)


def _redirect_records(kg: KnowledgeGraph, base: str, concept_node: dict[str, str]) -> Iterator[Record]:
    """``dcterms:isReplacedBy`` from each retired id of an earlier build of this folder
    (:mod:`kg.resolve.stable_ids`) to the concept it leads to, when that concept is written."""
    for old in sorted(kg.redirects):
        new = kg.redirects[old]
        if new in kg.concepts and old not in kg.concepts:
            yield "block", iris.concept_iri(base, old), [(_P["isReplacedBy"], concept_node[new])]


def _evidence_records(kg: KnowledgeGraph, base: str, agent: str, dropped: dict[str, int]) -> Iterator[Record]:
    """Evidence by paper and id, each annotation followed by the spans of its paper not written
    yet (:func:`_annotation`), then one ``prov:Activity`` per extraction rule, by name."""
    activities: dict[str, str] = {}
    current_paper, paper_text, paper_node, spans_written = None, "", "", set()
    for ev in by_paper(kg.evidence):
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
        yield from _annotation(ev, iris.evidence_iri(base, ev.id), paper_node, paper_text, activity, spans_written)
    for method in sorted(activities):
        yield "block", activities[method], [
            (A, _C["Activity"]),
            (_P["label"], text(method)),
            (_P["wasAssociatedWith"], agent),
        ]


def expand(records: Iterable[Record]) -> Iterator[Block]:
    """The plain subject blocks of :func:`iter_records`' records (what :func:`iter_blocks` yields)."""
    for record in records:
        tag = record[0]
        if tag == "block":
            yield record[1], record[2]
        elif tag == "body":
            yield record[1], [(_P["hasBody"], record[2])]
        elif tag == "annotation":
            _, ann, targets, confidence, activity = record
            yield ann, [
                (A, _C["Annotation"]),
                *((_P["hasTarget"], t) for t in targets),
                (_K["confidence"], Lit(confidence, _XSD_DECIMAL)),
                (_P["wasGeneratedBy"], activity),
            ]
        elif tag == "span":
            _, target, paper, exact, before, after, start, end = record
            quote, position = target + "/quote", target + "/position"
            yield target, [
                (A, _C["SpecificResource"]),
                (_P["hasSource"], paper),
                (_P["hasSelector"], quote),
                (_P["hasSelector"], position),
            ]
            selector: list[tuple[str, Obj]] = [(A, _C["TextQuoteSelector"]), (_P["exact"], Lit(exact))]
            if before:
                selector.append((_P["prefix"], Lit(before)))
            if after:
                selector.append((_P["suffix"], Lit(after)))
            yield quote, selector
            yield position, [
                (A, _C["TextPositionSelector"]),
                (_P["start"], Lit(start, _XSD_INTEGER)),
                (_P["end"], Lit(end, _XSD_INTEGER)),
            ]
        elif tag == "link":
            _, node, paper, role, concept, count, confidence = record
            yield node, [
                (A, _K["PaperLink"]),
                (_P["rdfSubject"], paper),
                (_P["rdfPredicate"], role),
                (_P["rdfObject"], concept),
                (_K["count"], Lit(count, _XSD_INTEGER)),
                (_K["confidence"], Lit(confidence, _XSD_DECIMAL)),
            ]
        elif tag == "relation":
            _, node, source, prop, target, count, papers, confidence = record
            yield node, [
                (A, _K["RelationAssertion"]),
                (_P["rdfSubject"], source),
                (_P["rdfPredicate"], prop),
                (_P["rdfObject"], target),
                (_K["count"], Lit(count, _XSD_INTEGER)),
                (_K["paperCount"], Lit(papers, _XSD_INTEGER)),
                (_K["confidence"], Lit(confidence, _XSD_DECIMAL)),
            ]
        elif tag == "cooccurrence":
            _, row, rank, other, assertion = record
            yield row, [
                (_K["coOccurrenceRank"], Lit(rank, _XSD_INTEGER)),
                (_K["coOccurringConcept"], other),
                (_K["coOccurrenceAssertion"], assertion),
            ]
        else:
            raise AssertionError(f"unknown record {tag!r}")


class BlockStream:
    """The subject blocks of one graph: an iterator of :data:`Block` (what :func:`iter_blocks`
    returns) that also hands its :func:`iter_records` to a serialiser that spells records itself."""

    def __init__(self, kg: KnowledgeGraph, base: str):
        self._kg, self._base, self._blocks = kg, base, None

    def __iter__(self) -> BlockStream:
        return self

    def __next__(self) -> Block:
        if self._blocks is None:
            self._blocks = expand(iter_records(self._kg, self._base))
        return next(self._blocks)

    def records(self) -> Iterator[Record]:
        """The records of the whole graph (for a stream nothing has been read from yet)."""
        if self._blocks is not None:
            raise RuntimeError("records() of a block stream that is already being read")
        self._blocks = iter(())
        return iter_records(self._kg, self._base)


def iter_blocks(kg: KnowledgeGraph, base: str) -> BlockStream:
    """Yield every subject block of ``kg`` under instance base IRI ``base`` (see the module doc).

    ``base`` must already be checked (:func:`kg.rdf.iris.check_base_iri`). Links and relations
    that point to a paper or concept missing from ``kg``, and evidence ids missing from
    ``kg.evidence``, are left out and counted in one warning: the graph stays consistent.
    The blocks are :func:`expand` of :func:`iter_records`; serialisers that write the records
    directly (Turtle, TriG) take them from the returned :class:`BlockStream`.

    Example
    -------
    >>> from kg.models import KnowledgeGraph, Paper
    >>> kg = KnowledgeGraph(papers={"arxiv:1": Paper(id="arxiv:1", title="T", abstract="A")})
    >>> blocks = list(iter_blocks(kg, "https://ex.org/"))
    >>> blocks[2][0], blocks[2][1][:2]
    ('https://ex.org/paper/arxiv:1', [('http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://purl.org/spar/fabio/ScholarlyWork'), ('http://purl.org/dc/terms/identifier', Lit(value='arxiv:1', datatype=None))])
    """
    return BlockStream(kg, base)


def _paper_properties(paper: Paper) -> list[tuple[str, Obj]]:
    body: list[tuple[str, Obj]] = [
        (A, _C["Paper"]),
        (_P["identifier"], text(paper.id)),
        (_P["title"], text(paper.title)),
        (_P["abstract"], text(paper.abstract)),
    ]
    if paper.date:
        body.append((_P["date"], date(paper.date)))
    if paper.date_text and paper.date_text != paper.date:
        body.append((_K["dateText"], text(paper.date_text)))
    body.extend((_P["creator"], text(name)) for name in paper.authors)
    if paper.doi:
        body.append((_P["doi"], text(paper.doi)))
    if paper.arxiv_id:
        body.append((_K["arxivId"], text(paper.arxiv_id)))
    if paper.venue:
        body.append((_P["publicationName"], text(paper.venue)))
    body.extend((_P["subject"], text(cat)) for cat in paper.categories)
    if paper.url and (url := iris.web_iri(paper.url)):
        body.append((_P["seeAlso"], url))
    if paper.source_id and paper.source_id != paper.id:
        body.append((_K["sourceId"], text(paper.source_id)))
    if paper.truncated:
        body.append((_K["truncated"], Lit("true", _XSD_BOOLEAN)))
    return body


def _concept_properties(concept: Concept, scheme: str) -> list[tuple[str, Obj]]:
    if concept.type not in _CLASSES:
        raise ValueError(f"concept {concept.id!r} has unknown type {concept.type!r}")
    body: list[tuple[str, Obj]] = [
        (A, _C["Concept"]),
        (A, _CLASSES[concept.type]),
        (_P["prefLabel"], text(concept.label)),
        (_P["inScheme"], scheme),
        (_P["identifier"], text(concept.id)),
        (_K["paperCount"], integer(concept.paper_count)),
        (_K["mentionCount"], integer(concept.mention_count)),
        (_K["confidence"], decimal(concept.confidence)),
    ]
    if concept.ambiguous_type:
        body.append((_K["ambiguousType"], Lit("true", _XSD_BOOLEAN)))
    # Most frequent surface form first; the preferred label is not repeated (SKOS S13).
    forms = sorted(concept.aliases.items(), key=lambda kv: (-kv[1], kv[0]))
    body.extend((_P["altLabel"], text(form)) for form, _ in forms if form != concept.label)
    if concept.acronym:
        body.append((_K["acronym"], text(concept.acronym)))
    if concept.first_seen:
        body.append((_K["firstSeen"], date(concept.first_seen)))
    if concept.last_seen:
        body.append((_K["lastSeen"], date(concept.last_seen)))
    return body


def _evidence_bodies(kg: KnowledgeGraph, base: str, evidence_ids, node: str, dropped: dict[str, int]) -> Iterator[Record]:
    evidence, papers = kg.evidence, kg.papers
    for eid in evidence_ids:
        paper_id = paper_of(evidence, eid)
        if paper_id is not None and paper_id in papers:
            yield "body", iris.evidence_iri(base, eid), node
        else:
            dropped["references to unknown evidence"] += 1


def _annotation(ev: Evidence, ann: str, paper: str, paper_text: str, activity: str, spans_written: set) -> Iterator[Record]:
    """The oa:Annotation of one evidence record, and the targets of its spans not written yet.

    A target is one span of one paper's text (``<paper>/text/<start>-<end>``), shared by every
    annotation quoting that span: a mention is usually evidence for several edges (its paper
    link, each relation and co-occurrence in its sentence), and its selectors are written once.
    """
    spans = quoted_spans(ev)
    targets = [f"{paper}/text/{start}-{end}" for start, end in spans]
    yield "annotation", ann, targets, decimal(ev.confidence).value, activity
    for target, (start, end) in zip(targets, spans):
        if (start, end) in spans_written:
            continue
        spans_written.add((start, end))
        lo, hi = max(start, 0), max(end, 0)
        before = paper_text[max(min(ev.sentence_start, lo), lo - QUOTE_CONTEXT, 0) : lo]
        after = paper_text[hi : min(max(ev.sentence_end, hi), hi + QUOTE_CONTEXT)]
        yield "span", target, paper, exact_quote(paper_text, start, end), _clean(before), _clean(after), str(int(start)), str(int(end))
