"""Counts the example queries need, materialised at build time as plain triples.

Counting distinct papers over the qualified edges and their evidence at query time costs one
index lookup per paper link or evidence annotation: seconds at 10^7 triples, minutes at 10^8
(docs/rdf.md). The build already holds every link and every piece of evidence, so it counts
once and writes the totals, each next to what it summarises ("evidence one hop away"):

* per concept, distinct papers linking to it in any role (``kg:linkingPaperCount``) and in each
  role (``kg:proposingPaperCount``, ``kg:usingPaperCount``, ``kg:evaluatingPaperCount``,
  ``kg:reportingPaperCount``, ``kg:addressingPaperCount``), each written when not zero;
* per pair of concepts one of three questions relates (:data:`PAIRS`), a ``kg:ConceptPair`` node
  (``kg:MethodDatasetPair``, ``kg:MethodTaskPair``, ``kg:TaskMetricPair``) with the two concepts
  (``kg:pairMethod``, ``kg:pairDataset``, ``kg:pairTask``, ``kg:pairMetric``), its
  ``kg:paperCount`` and one ``kg:supportingPaper`` per counted paper. A paper supports a pair
  when it links to both concepts in the roles named below, or when one of its sentences states
  the relation named below (an evidence annotation of that relation's assertion quotes it);
* per publication date and concept type, a ``kg:ConceptsByDate`` node: ``dcterms:date`` (the
  papers' own literal), ``kg:conceptType``, ``kg:conceptCount`` (distinct concepts of the type
  the papers of that date link to) and ``kg:paperCount`` (those papers);
* ranks (:func:`iter_rank_records`): each example query that sorts a long list and keeps its head
  gets that order written as a 1-based ``xsd:integer`` on the nodes it sorts, so that it reads
  its first rows by rank instead of sorting (Oxigraph decodes every label it compares from disk:
  sorting 84,000 methods by count and label took 7-9 s CPU at 10^7 triples, docs/rdf.md);
* what a ranked row shows from its evidence (``kg:exampleQuote``, the first quoted text), and
  each concept's best-supported co-occurrences as ranked rows (``kg:topCoOccurrence``): the
  examples that read them joined evidence annotations or a ``UNION`` at query time, which
  Oxigraph 0.5 evaluates on its own before joining (minutes on a real 20k build, docs/rdf.md).

Every number equals what a SPARQL aggregate over the links and evidence gives, and every rank
the position the example's ``ORDER BY`` gives, every quote the one its aggregate picks
(tests/rdf/test_aggregates.py runs both on rdflib), so queries read one triple per row instead.
"""

from __future__ import annotations

import functools
import heapq
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from kg.evidence_records import paper_of
from kg.models import KnowledgeGraph
from kg.rdf import iris
from kg.rdf.iris import _digest
from kg.rdf.namespace import CONCEPT_CLASSES, KG, RELATION_PROPERTIES, ROLE_PROPERTIES
from kg.rdf.literals import Lit
from kg.rdf.literals import clean as _clean
from kg.rdf.literals import date as date_literal
from kg.rdf.literals import exact_quote, quoted_spans

#: kg's terms as plain strings: each ``KG.term`` is a DefinedNamespace lookup (about 4 us), and
#: the blocks below name a term once per triple, over a million times on a real 20k build.
_T = {name: str(KG[name]) for name in KG.__annotations__}

#: How many co-occurrences of each concept are written as ranked rows (cooccurring-concepts
#: lists 50): a row for every end of every co-occurrence assertion would be 443,722 on a real 20k
#: build; the first 50 of each concept are 350,220 of them (most concepts have short lists).
TOP_CO_OCCURRENCES = 50

_A = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DATE = "http://purl.org/dc/terms/date"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

#: Role -> the concept property counting the papers that link in that role.
ROLE_COUNTS: dict[str, str] = {
    "proposes": _T["proposingPaperCount"],
    "uses": _T["usingPaperCount"],
    "evaluates_on": _T["evaluatingPaperCount"],
    "reports": _T["reportingPaperCount"],
    "addresses": _T["addressingPaperCount"],
}


class Pair(NamedTuple):
    """One kind of concept pair: its class, the two concepts' types and properties, the roles in
    which one paper links to each, and the relations (type, whether the first concept is the
    relation's source) whose evidence papers also support it."""

    cls: str
    first: tuple[str, str]  # concept type, property
    second: tuple[str, str]
    first_roles: frozenset[str]
    second_roles: frozenset[str]
    relations: tuple[tuple[str, bool], ...]
    second_sorts_first: bool = False  # the example query orders by the second concept first


#: The three pairs of the example queries (datasets-per-method, methods-for-task, metrics-for-task).
PAIRS: tuple[Pair, ...] = (
    Pair(_T["MethodDatasetPair"], ("METHOD", _T["pairMethod"]), ("DATASET", _T["pairDataset"]),
         frozenset({"mentions", "proposes", "uses"}), frozenset({"evaluates_on"}),
         (("EVALUATE-FOR", False),)),  # SciERC: "dataset evaluate-for method"
    Pair(_T["MethodTaskPair"], ("METHOD", _T["pairMethod"]), ("TASK", _T["pairTask"]),
         frozenset({"proposes", "uses"}), frozenset({"addresses"}),
         (("USED-FOR", True),), second_sorts_first=True),  # methods-for-task: by task, then method
    Pair(_T["TaskMetricPair"], ("TASK", _T["pairTask"]), ("METRIC", _T["pairMetric"]),
         frozenset({"addresses"}), frozenset({"reports"}),
         (("MEASURED-BY", True), ("EVALUATE-FOR", False))),
)


@functools.lru_cache(maxsize=1 << 16)
def _int(n: int) -> Lit:
    """An ``xsd:integer`` literal; cached, as counts and ranks repeat (the 350,220 co-occurrence
    rows of a real 20k build hold 50 values): a NamedTuple is slow to make."""
    return Lit(str(n), _XSD_INTEGER)


def pair_iri(base: str, cls: str, first: str, second: str) -> str:
    """The IRI of a concept pair: ``pair/<hash of its class and the two concept ids>``."""
    return f"{base}pair/{_digest(cls, first, second)}"


def date_iri(base: str, day: str, concept_type: str) -> str:
    """The IRI of a ``kg:ConceptsByDate`` row: ``by-date/<hash of the date and type>``."""
    return f"{base}by-date/{_digest(day, concept_type)}"


def iter_aggregate_blocks(kg: KnowledgeGraph, base: str) -> Iterator[tuple[str, list]]:
    """The subject blocks of every aggregate of ``kg`` (see the module doc), deterministic order:
    the concepts' paper counts, the concept pairs, then the rows by date.

    Only links and evidence that :func:`kg.rdf.triples.iter_records` writes are counted (to a
    known paper and concept, with a known role; evidence of a known paper).
    """
    links = _written_links(kg)
    yield from _concept_count_blocks(links, base)
    yield from _pair_blocks(kg, links, base)
    yield from _date_blocks(kg, links, base)


def _written_links(kg: KnowledgeGraph) -> list:
    """The links :func:`kg.rdf.triples.iter_records` writes: to a known paper and concept, in a
    known role (the others are not in the graph, so they count for nothing)."""
    papers, concepts = kg.papers, kg.concepts
    return [li for li in kg.links if li.paper_id in papers and li.concept_id in concepts and li.role in ROLE_PROPERTIES]


def _concept_count_blocks(links: list, base: str) -> Iterator[tuple[str, list]]:
    """Per concept, by id: ``kg:linkingPaperCount`` (distinct papers in any role) and each
    non-zero per-role count (a link is unique per paper, concept and role, so links count papers)."""
    linking: dict[str, set[str]] = defaultdict(set)
    per_role: dict[tuple[str, str], int] = defaultdict(int)
    for li in links:
        linking[li.concept_id].add(li.paper_id)
        per_role[li.concept_id, li.role] += 1
    for cid in sorted(linking):
        body = [(_T["linkingPaperCount"], _int(len(linking[cid])))]
        body += [(prop, _int(per_role[cid, role])) for role, prop in ROLE_COUNTS.items() if per_role.get((cid, role))]
        yield iris.concept_iri(base, cid), body


def _pair_blocks(kg: KnowledgeGraph, links: list, base: str) -> Iterator[tuple[str, list]]:
    """One ``kg:ConceptPair`` node per supported pair of each kind of :data:`PAIRS`, kind by kind,
    pairs by concept ids: its concepts, ``kg:paperCount``, ``kg:rank`` and supporting papers."""
    concepts = kg.concepts
    by_paper: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # paper -> role -> concepts
    for li in links:
        by_paper[li.paper_id][li.role].add(li.concept_id)
    relations = defaultdict(list)
    for rel in kg.relations:
        if rel.source in concepts and rel.target in concepts:
            relations[rel.type].append(rel)
    for pair in PAIRS:
        support = _pair_support(kg, pair, by_paper, relations)
        rank = _pair_ranks(support, pair, concepts, base)
        (_, prop_a), (_, prop_b) = pair.first, pair.second
        for a, b in sorted(support):
            supporting = support[a, b]
            yield pair_iri(base, pair.cls, a, b), [
                (_A, pair.cls),
                (prop_a, iris.concept_iri(base, a)),
                (prop_b, iris.concept_iri(base, b)),
                (_T["paperCount"], _int(len(supporting))),
                (_T["rank"], _int(rank[a, b])),
                *((_T["supportingPaper"], iris.paper_iri(base, p)) for p in sorted(supporting)),
            ]
        del support


def _pair_support(kg: KnowledgeGraph, pair: Pair, by_paper: dict[str, dict[str, set[str]]],
                  relations: dict[str, list]) -> dict[tuple[str, str], set[str]]:
    """``(first concept, second concept) -> supporting papers`` for one kind of pair: the papers
    linking to both in the pair's roles, and the papers of the evidence of its relations."""
    papers, concepts = kg.papers, kg.concepts
    type_a, type_b = pair.first[0], pair.second[0]
    support: dict[tuple[str, str], set[str]] = defaultdict(set)
    for paper_id, roles in by_paper.items():
        firsts = {c for r in pair.first_roles for c in roles.get(r, ()) if concepts[c].type == type_a}
        if not firsts:
            continue
        seconds = {c for r in pair.second_roles for c in roles.get(r, ()) if concepts[c].type == type_b}
        for a in firsts:
            for b in seconds:
                support[a, b].add(paper_id)
    for rtype, first_is_source in pair.relations:
        for rel in relations.get(rtype, ()):
            a, b = (rel.source, rel.target) if first_is_source else (rel.target, rel.source)
            if concepts[a].type != type_a or concepts[b].type != type_b:
                continue
            for eid in rel.evidence:
                paper_id = paper_of(kg.evidence, eid)
                if paper_id is not None and paper_id in papers:
                    support[a, b].add(paper_id)
    return support


def _pair_ranks(support: dict[tuple[str, str], set[str]], pair: Pair, concepts, base: str) -> dict[tuple[str, str], int]:
    """Each pair's position in its example query's order: supporting papers (most first), then
    the label and IRI of the concept the query sorts by first, then those of the other."""
    def key(ab):
        a, b = ab
        first = (_clean(concepts[a].label), iris.concept_iri(base, a))
        second = (_clean(concepts[b].label), iris.concept_iri(base, b))
        return (-len(support[ab]), *(second + first if pair.second_sorts_first else first + second))

    return {ab: n for n, ab in enumerate(sorted(support, key=key), 1)}


def _date_blocks(kg: KnowledgeGraph, links: list, base: str) -> Iterator[tuple[str, list]]:
    """One ``kg:ConceptsByDate`` row per publication date (the papers' own literal) and concept
    type, by date and type: how many distinct concepts of the type the papers of that date link
    to, and how many papers."""
    papers, concepts = kg.papers, kg.concepts
    dated: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    literal_of: dict[str, object] = {}
    for li in links:
        paper = papers[li.paper_id]
        if not paper.date:
            continue
        literal = literal_of.get(paper.date)
        if literal is None:
            literal = literal_of[paper.date] = date_literal(paper.date)
        key = (literal.value, concepts[li.concept_id].type)
        entry = dated.get(key)
        if entry is None:
            entry = dated[key] = (set(), set())
        entry[0].add(li.concept_id)
        entry[1].add(li.paper_id)
    literals = {lit.value: lit for lit in literal_of.values()}
    for day, ctype in sorted(dated):
        concept_ids, paper_ids = dated[day, ctype]
        yield date_iri(base, day, ctype), [
            (_A, _T["ConceptsByDate"]),
            (_DATE, literals[day]),
            (_T["conceptType"], str(CONCEPT_CLASSES[ctype])),
            (_T["conceptCount"], _int(len(concept_ids))),
            (_T["paperCount"], _int(len(paper_ids))),
        ]


def iter_rank_records(kg: KnowledgeGraph, base: str) -> Iterator[tuple]:
    """The ranks the example queries read instead of sorting (1-based ``xsd:integer``), each the
    position in that query's ``ORDER BY`` (ties broken as the query breaks them), and what their
    rows show that they would otherwise collect at query time:

    * ``kg:linkingPaperRank`` on every concept a paper links to, among the concepts of its type:
      papers linking to it (most first), label, IRI (top-methods, top-datasets, ...);
    * ``kg:aliasRank`` on every concept with an alternative label: alternative labels (most
      first), mentions (most first), label, IRI (concept-aliases);
    * ``kg:paperRank`` on every concept: ``kg:paperCount`` (most first), label, identifier
      (cooccurring-concepts' default focus is rank 1);
    * ``kg:rank`` on every relation assertion other than co-occurrence: supporting papers,
      sentences (most first), subject label, relation IRI, object label, assertion IRI
      (top-relations); and on every ``kg:proposes`` link to a method: the paper's date as written
      (latest first, papers without one last), title, paper IRI, method label, method IRI
      (new-methods). Pairs carry their ``kg:rank`` in their own block. Each of these relations
      and links with evidence also gets ``kg:exampleQuote``: the least (in code-point order, as
      SPARQL's ``MIN`` compares strings) of the texts its evidence annotations quote;
    * ``kg:topCoOccurrence`` from every concept to at most :data:`TOP_CO_OCCURRENCES` rows, one
      per co-occurrence assertion it is the subject or object of, the best-supported first: the
      row ``<assertion>/subject`` (or ``/object``: the end the concept is at) with
      ``kg:coOccurrenceRank`` (papers, sentences (most first), the other concept's label and
      IRI), ``kg:coOccurringConcept`` (the other concept) and ``kg:coOccurrenceAssertion``
      (cooccurring-concepts, for any focus).

    Only what :func:`kg.rdf.triples.iter_records` writes is ranked, with the literals it writes.
    They come as records of :func:`kg.rdf.triples.iter_records`: ``("block", subject, body)``,
    and each co-occurrence row as ``("cooccurrence", row, rank, other concept, assertion)``
    (the rank an ``xsd:integer`` lexical form): the shape written most often (64,997 rows on a
    4,000-paper build), which Turtle spells from a template.
    """
    label = {cid: _clean(c.label) for cid, c in kg.concepts.items()}
    node = {cid: iris.concept_iri(base, cid) for cid in kg.concepts}
    links = _written_links(kg)
    ranks = _concept_ranks(kg, links, label, node)
    relations, ranked, cooccurring = _relations_to_rank(kg, base, label)
    yield from _concept_rank_records(ranks, cooccurring, relations, base, label, node)
    del ranks, cooccurring
    for subject, body in _relation_rank_blocks(kg, relations, ranked):
        yield "block", subject, body
    del relations, ranked
    for subject, body in _proposal_rank_blocks(kg, links, base, label, node):
        yield "block", subject, body


def _concept_ranks(kg: KnowledgeGraph, links: list, label: dict[str, str], node: dict[str, str]) -> dict[str, list]:
    """``concept id -> [(rank property, rank)]``: ``kg:linkingPaperRank``, ``kg:aliasRank`` and
    ``kg:paperRank``, in that order, each where the concept is ranked."""
    ranks: dict[str, list] = defaultdict(list)
    for prop, orders in ((_T["linkingPaperRank"], _linking_orders(kg, links, label, node)),
                         (_T["aliasRank"], [_alias_order(kg, label, node)]),
                         (_T["paperRank"], [_paper_order(kg, label)])):
        for order in orders:
            for n, cid in enumerate(order, 1):
                ranks[cid].append((prop, _int(n)))
    return ranks


def _linking_orders(kg: KnowledgeGraph, links: list, label: dict[str, str], node: dict[str, str]) -> list[list[str]]:
    """The concepts papers link to, one list per type, as top-methods (top-datasets, ...) orders
    them: papers linking to it (most first), label, IRI."""
    linking: dict[str, set[str]] = defaultdict(set)
    for li in links:
        linking[li.concept_id].add(li.paper_id)
    by_type: dict[str, list[str]] = defaultdict(list)
    for cid in linking:
        by_type[kg.concepts[cid].type].append(cid)
    return [sorted(cids, key=lambda c: (-len(linking[c]), label[c], node[c])) for cids in by_type.values()]


def _alias_order(kg: KnowledgeGraph, label: dict[str, str], node: dict[str, str]) -> list[str]:
    """The concepts with an alternative label, as concept-aliases orders them: alternative labels
    (most first), mentions (most first), label, IRI."""
    concepts = kg.concepts
    forms = {cid: len({_clean(f) for f in c.aliases if f != c.label}) for cid, c in concepts.items()}
    return sorted((cid for cid in concepts if forms[cid]),
                  key=lambda c: (-forms[c], -concepts[c].mention_count, label[c], node[c]))


def _paper_order(kg: KnowledgeGraph, label: dict[str, str]) -> list[str]:
    """Every concept, as cooccurring-concepts picks its default focus: ``kg:paperCount`` (most
    first), label, identifier. Ties by label before identifier: an update keeps ids a clean build
    would change, and the ranks must still agree with the clean build's (tests/build/test_update.py)."""
    concepts = kg.concepts
    return sorted(concepts, key=lambda c: (-concepts[c].paper_count, label[c], _clean(c)))


def _relations_to_rank(kg: KnowledgeGraph, base: str, label: dict[str, str]) -> tuple[list, list, dict[str, list[int]]]:
    """The relations written, and how they are ranked: ``(relations, ranked, cooccurring)``.

    ``ranked`` holds one sort key per relation other than co-occurrence (top-relations' order,
    ending in the assertion IRI and the relation's index); ``cooccurring`` maps each concept to
    its co-occurrences as relation indices (``~i``: the concept is the object).
    """
    concepts = kg.concepts
    relations, ranked, cooccurring = [], [], defaultdict(list)
    for rel in kg.relations:
        if rel.type in RELATION_PROPERTIES and rel.source in concepts and rel.target in concepts:
            if rel.type == "CO-OCCURS":
                i = len(relations)
                cooccurring[rel.source].append(i)
                cooccurring[rel.target].append(~i)
            else:
                ranked.append((-int(rel.papers), -int(rel.count), label[rel.source], str(RELATION_PROPERTIES[rel.type]),
                               label[rel.target], iris.relation_iri(base, rel.source, rel.type, rel.target), len(relations)))
            relations.append(rel)
    return relations, ranked, cooccurring


def _concept_rank_records(ranks: dict[str, list], cooccurring: dict[str, list[int]], relations: list, base: str,
                         label: dict[str, str], node: dict[str, str]) -> Iterator[tuple]:
    """Each ranked concept's block (its ranks and ``kg:topCoOccurrence`` rows), then its rows
    (``("cooccurrence", row, rank, other concept, assertion)`` records),
    the first :data:`TOP_CO_OCCURRENCES` by support. Rows are made per concept, not held for all
    (two IRI strings per row, 350,220 rows on a real 20k build); ``ranks`` and ``cooccurring``
    are emptied as they are written."""

    def by_support(i: int) -> tuple:
        rel = relations[i if i >= 0 else ~i]
        other = rel.target if i >= 0 else rel.source
        return -int(rel.papers), -int(rel.count), label[other], node[other], rel.source, rel.target, i < 0

    for cid in sorted(ranks):
        rows = []
        for n, i in enumerate(heapq.nsmallest(TOP_CO_OCCURRENCES, cooccurring.pop(cid, ()), key=by_support), 1):
            rel = relations[i if i >= 0 else ~i]
            assertion = iris.relation_iri(base, rel.source, rel.type, rel.target)
            rows.append((assertion + ("/subject" if i >= 0 else "/object"), n, node[rel.target if i >= 0 else rel.source], assertion))
        yield "block", node[cid], ranks.pop(cid) + [(_T["topCoOccurrence"], row) for row, *_ in rows]
        for row, n, other, assertion in rows:
            yield "cooccurrence", row, str(n), other, assertion


def _relation_rank_blocks(kg: KnowledgeGraph, relations: list, ranked: list) -> Iterator[tuple[str, list]]:
    """``kg:rank`` and ``kg:exampleQuote`` of every relation assertion in ``ranked``, in rank order."""
    ranked.sort()
    for n, (*_, assertion, i) in enumerate(ranked, 1):
        yield assertion, [(_T["rank"], _int(n)), *_example_quote(kg, relations[i].evidence)]


def _proposal_rank_blocks(kg: KnowledgeGraph, links: list, base: str, label: dict[str, str], node: dict[str, str]) -> Iterator[tuple[str, list]]:
    """``kg:rank`` and ``kg:exampleQuote`` of every ``kg:proposes`` link to a method, as
    new-methods orders them: the paper's date as written, latest first (papers without one
    last), then title, paper IRI, method label, method IRI."""
    papers, concepts = kg.papers, kg.concepts
    proposals: dict[tuple[str, str], list[str]] = {}  # (paper, method) -> the link's evidence ids
    for li in links:
        if li.role == "proposes" and concepts[li.concept_id].type == "METHOD":
            proposals.setdefault((li.paper_id, li.concept_id), []).extend(li.evidence)

    def day(paper) -> str:
        return date_literal(paper.date).value if paper.date else ""

    # latest date first (a stable sort, reversed, keeps the ascending order of the other keys)
    rows = sorted(((_clean(papers[p].title), iris.paper_iri(base, p), label[c], node[c], p, c) for p, c in proposals))
    rows.sort(key=lambda r: day(papers[r[4]]), reverse=True)
    for n, (*_, p, c) in enumerate(rows, 1):
        yield iris.link_iri(base, p, "proposes", c), [(_T["rank"], _int(n)), *_example_quote(kg, proposals[p, c])]


def _example_quote(kg: KnowledgeGraph, evidence_ids) -> list:
    """``[(kg:exampleQuote, least quoted text)]`` of the evidence a link or relation lists (the
    spans its annotations target, cut as the writer cuts them: :func:`kg.rdf.literals.exact_quote`);
    ``[]`` when none of it is written."""
    evidence, papers = kg.evidence, kg.papers
    least = None
    for eid in evidence_ids:
        ev = evidence.get(eid)
        paper = papers.get(ev.paper_id) if ev is not None else None
        if paper is None:
            continue
        for start, end in quoted_spans(ev):
            exact = exact_quote(paper.text, start, end)
            if least is None or exact < least:
                least = exact
    return [] if least is None else [(_T["exampleQuote"], Lit(least))]
