"""The one mapping from kg's NetworkX graph to Neo4j nodes and relationships.

All three ways out (bulk-import CSVs in :mod:`kg.export.neo4j_files`, the Cypher script in
:mod:`kg.export.neo4j_cypher`, the Bolt push in :mod:`kg.export.neo4j_bolt`) take their rows
from here - the push from :func:`graph_rows`, the two file writers from a :class:`RowPlan`,
which makes the same rows one group at a time so that a large graph is written in bounded
memory - and use the statement builders here, so they cannot disagree on labels, types or
property values. ``docs/neo4j.md`` describes the schema for users.

Schema
------
Nodes (every one keyed by a unique ``id`` property):

* ``(:Paper)``: ``id``, ``title``, ``abstract``, ``date``, ``date_text``, ``authors`` (list),
  ``venue``, ``doi``, ``arxiv_id``, ``url``, ``categories`` (list). Dates stay strings: kg
  keeps ``YYYY``, ``YYYY-MM`` and ``--MM-DD`` dates, which Neo4j's ``date`` type cannot hold.
* ``(:Concept:Method|Dataset|Metric|Task)``: ``id``, ``type``, ``label``, ``aliases`` (list of
  surface forms, most frequent first) with ``alias_counts`` (parallel list of mention counts),
  ``acronym``, ``paper_count``, ``mention_count``, ``first_seen``, ``last_seen``, ``replaces``
  (the retired ids of earlier builds that now lead to this concept: ``MATCH (c:Concept) WHERE
  $old IN c.replaces``; see kg.resolve.stable_ids).
* ``(:Evidence)``: ``id``, ``paper``, ``sentence`` (the quoted sentence), ``sentence_start``,
  ``sentence_end``, ``span_starts``/``span_ends``/``quotes`` (parallel lists, one entry per
  span), ``method``, ``confidence``. Offsets are into the paper's ``title + "\\n" + abstract``.

Relationships:

* paper -> concept links, one type per role: ``MENTIONS``, ``PROPOSES``, ``USES``,
  ``EVALUATES_ON``, ``REPORTS``, ``ADDRESSES``; properties ``count``, ``confidence``,
  ``evidence`` (list of Evidence ids).
* concept -> concept relations, one type per kg relation type with ``-`` written ``_``
  (``USED_FOR``, ``EVALUATE_FOR``, ``COMPARE``, ``HYPONYM_OF``, ``PART_OF``, ``FEATURE_OF``,
  ``CONJUNCTION``, ``MEASURED_BY``, ``CO_OCCURS``, ``VARIANT_OF``, ``RELATED_TO``); properties
  ``count``, ``papers``, ``weight``, ``confidence``, ``evidence`` (list of Evidence ids).
* ``(:Evidence)-[:IN_PAPER]->(:Paper)``.

Evidence is a node, not a list property on the relationship it supports, because one sentence
may support several edges and because a relationship cannot point at a relationship: an edge
names its Evidence by id (``evidence`` list, looked up through the unique ``Evidence.id``
constraint), and each Evidence points at the paper it quotes.

Values: ``None`` is not stored (Neo4j has no null properties) and neither is an empty list (the
bulk importer cannot write one, so no way stores one; a missing list property means ``[]``).
Labels and relationship types come only from the fixed tables below; a graph with any other
node kind, concept type, role or relation type is refused with :class:`Neo4jExportError`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.models import RELATION_TYPES as KG_RELATION_TYPES
from kg.models import paper_text


class Neo4jExportError(RuntimeError):
    """A Neo4j export failed; the message is one line meant for the user."""


PAPER = "Paper"
CONCEPT = "Concept"
EVIDENCE = "Evidence"
IN_PAPER = "IN_PAPER"

#: Concept type -> the second label of a concept node.
CONCEPT_LABELS: dict[str, str] = {"METHOD": "Method", "DATASET": "Dataset", "METRIC": "Metric", "TASK": "Task"}

#: Paper -> concept role -> relationship type.
ROLE_TYPES: dict[str, str] = {
    "mentions": "MENTIONS",
    "proposes": "PROPOSES",
    "uses": "USES",
    "evaluates_on": "EVALUATES_ON",
    "reports": "REPORTS",
    "addresses": "ADDRESSES",
}

#: kg relation type -> relationship type.
RELATION_TYPES: dict[str, str] = {t: t.replace("-", "_") for t in KG_RELATION_TYPES}

#: Every node label kg writes, in output order.
NODE_LABELS: tuple[str, ...] = (PAPER, CONCEPT, *CONCEPT_LABELS.values(), EVIDENCE)
#: Every relationship type kg writes, in output order.
RELATIONSHIP_TYPES: tuple[str, ...] = (*ROLE_TYPES.values(), *RELATION_TYPES.values(), IN_PAPER)

#: Property value kinds, named as the bulk importer names them.
STRING, LONG, DOUBLE = "string", "long", "double"
STRING_LIST, LONG_LIST = "string[]", "long[]"


@dataclass(frozen=True)
class Property:
    """One property of a node or relationship: its name and value kind."""

    name: str
    kind: str


PAPER_PROPERTIES: tuple[Property, ...] = (
    Property("id", STRING),
    Property("title", STRING),
    Property("abstract", STRING),
    Property("date", STRING),
    Property("date_text", STRING),
    Property("authors", STRING_LIST),
    Property("venue", STRING),
    Property("doi", STRING),
    Property("arxiv_id", STRING),
    Property("url", STRING),
    Property("categories", STRING_LIST),
)
CONCEPT_PROPERTIES: tuple[Property, ...] = (
    Property("id", STRING),
    Property("type", STRING),
    Property("label", STRING),
    Property("aliases", STRING_LIST),
    Property("alias_counts", LONG_LIST),
    Property("acronym", STRING),
    Property("paper_count", LONG),
    Property("mention_count", LONG),
    Property("first_seen", STRING),
    Property("last_seen", STRING),
    Property("replaces", STRING_LIST),
)
EVIDENCE_PROPERTIES: tuple[Property, ...] = (
    Property("id", STRING),
    Property("paper", STRING),
    Property("sentence", STRING),
    Property("sentence_start", LONG),
    Property("sentence_end", LONG),
    Property("span_starts", LONG_LIST),
    Property("span_ends", LONG_LIST),
    Property("quotes", STRING_LIST),
    Property("method", STRING),
    Property("confidence", DOUBLE),
)
LINK_PROPERTIES: tuple[Property, ...] = (
    Property("count", LONG),
    Property("confidence", DOUBLE),
    Property("evidence", STRING_LIST),
)
RELATION_PROPERTIES: tuple[Property, ...] = (
    Property("count", LONG),
    Property("papers", LONG),
    Property("weight", LONG),
    Property("confidence", DOUBLE),
    Property("evidence", STRING_LIST),
)
IN_PAPER_PROPERTIES: tuple[Property, ...] = ()

#: Node properties by the node's first label.
NODE_PROPERTIES: dict[str, tuple[Property, ...]] = {PAPER: PAPER_PROPERTIES, CONCEPT: CONCEPT_PROPERTIES, EVIDENCE: EVIDENCE_PROPERTIES}


@dataclass(frozen=True)
class NodeRow:
    """One node: its labels (the first is the key label) and its stored properties (with ``id``)."""

    labels: tuple[str, ...]
    props: dict[str, Any]

    @property
    def id(self) -> str:
        return self.props["id"]


@dataclass(frozen=True)
class RelationshipRow:
    """One relationship between two nodes named by key label and id."""

    type: str
    start_label: str
    start: str
    end_label: str
    end: str
    props: dict[str, Any]


@dataclass
class GraphRows:
    """Everything one export writes, in a deterministic order."""

    nodes: list[NodeRow] = field(default_factory=list)
    relationships: list[RelationshipRow] = field(default_factory=list)

    def label_counts(self) -> dict[str, int]:
        """Nodes per label, for every label of :data:`NODE_LABELS` (zeros included)."""
        counts = Counter(label for row in self.nodes for label in row.labels)
        return {label: counts.get(label, 0) for label in NODE_LABELS}

    def type_counts(self) -> dict[str, int]:
        """Relationships per type, for every type of :data:`RELATIONSHIP_TYPES` (zeros included)."""
        counts = Counter(row.type for row in self.relationships)
        return {rel_type: counts.get(rel_type, 0) for rel_type in RELATIONSHIP_TYPES}


def _value(kind: str, value: Any, where: str, name: str) -> Any:
    """Check one property value against its kind; ``None`` means "not stored"."""
    if value is None:
        return None
    if kind == STRING:
        if not isinstance(value, str):
            raise Neo4jExportError(f"{where}: property {name!r} should be a string, not {type(value).__name__}")
        return value
    if kind == LONG:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Neo4jExportError(f"{where}: property {name!r} should be an integer, not {type(value).__name__}")
        if not -(2**63) <= value < 2**63:
            raise Neo4jExportError(f"{where}: property {name!r} = {value} does not fit a 64-bit integer")
        return value
    if kind == DOUBLE:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Neo4jExportError(f"{where}: property {name!r} should be a number, not {type(value).__name__}")
        if not math.isfinite(value):
            raise Neo4jExportError(f"{where}: property {name!r} = {value} is not a finite number")
        return float(value)
    if kind in (STRING_LIST, LONG_LIST):
        if not isinstance(value, (list, tuple)):
            raise Neo4jExportError(f"{where}: property {name!r} should be a list, not {type(value).__name__}")
        element = STRING if kind == STRING_LIST else LONG
        items = []
        for item in value:
            if item is None:
                raise Neo4jExportError(f"{where}: property {name!r} holds a null, which Neo4j lists cannot")
            items.append(_value(element, item, where, name))
        return items or None
    raise AssertionError(f"unknown property kind {kind}")


_INT64 = 2**63


_KINDS: dict[int, tuple[Sequence[Property], tuple[tuple[str, str], ...]]] = {}


def _kinds(schema: Sequence[Property]) -> tuple[tuple[str, str], ...]:
    """``(name, kind)`` of each property, remembered per schema object (kept alive with it)."""
    known = _KINDS.get(id(schema))
    if known is None or known[0] is not schema:
        known = _KINDS[id(schema)] = (schema, tuple((prop.name, prop.kind) for prop in schema))
    return known[1]


def _props(schema: Sequence[Property], values: dict[str, Any], where, extra: dict[str, Any] | None = None, where_arg: Any = None) -> dict[str, Any]:
    """The stored properties: checked values in schema order, ``None`` and empty lists left out.

    ``extra`` overrides entries of ``values``; ``where`` names the node or relationship in error
    messages: a string, or a function of ``where_arg`` giving it (made only for a message). Values that plainly fit their kind (a
    ``str`` for a string, an ``int`` in range for a long, a finite ``float`` for a double) are
    taken as they are; everything else goes through :func:`_value`.
    """
    out = {}
    get = values.get
    for name, kind in _kinds(schema):
        value = extra[name] if extra is not None and name in extra else get(name)
        if value is None:
            continue
        cls = type(value)
        if cls is str:
            if kind is STRING:
                out[name] = value
                continue
        elif cls is int:
            if kind is LONG and -_INT64 <= value < _INT64:
                out[name] = value
                continue
        elif cls is float:
            if kind is DOUBLE and math.isfinite(value):
                out[name] = value
                continue
        elif cls is list:
            if kind is STRING_LIST:
                if all([type(item) is str for item in value]):
                    if value:
                        out[name] = value[:]
                    continue
            elif kind is LONG_LIST:
                if all([type(item) is int and -_INT64 <= item < _INT64 for item in value]):
                    if value:
                        out[name] = value[:]
                    continue
        stored = _value(kind, value, where(where_arg) if callable(where) else where, name)
        if stored is not None:
            out[name] = stored
    return out


def _concept_values(node: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The values of a concept that are not its attributes: ``id``, alias forms and counts."""
    aliases = attrs.get("aliases") or []
    try:
        forms = [form for form, _ in aliases]
        counts = [count for _, count in aliases]
    except (TypeError, ValueError):
        raise Neo4jExportError(f"concept {node!r}: 'aliases' should be a list of [form, count] pairs") from None
    return {"id": node, "aliases": forms, "alias_counts": counts}


def text_slice(title: str, abstract: str, start: int, end: int) -> str:
    """``paper_text(title, abstract)[start:end]`` without building the paper's text.

    Example
    -------
    >>> [text_slice("Ab", "cd", s, e) for s, e in ((0, 2), (1, 4), (3, 5), (2, 3), (-2, 5))]
    ['Ab', 'b\\nc', 'cd', '\\n', 'cd']
    """
    n = len(title)
    if start >= 0 and end >= 0:
        if end <= n:
            return title[start:end]
        if start > n:
            return abstract[start - n - 1 : end - n - 1]
    return paper_text(title, abstract)[start:end]


def _evidence_values(G: nx.MultiDiGraph, evidence_id: str, ev: dict[str, Any]) -> dict[str, Any]:
    paper_id = ev.get("paper")
    try:
        paper = G.nodes.get(paper_id)
    except TypeError:  # unhashable
        paper = None
    if paper is None or paper.get("kind") != "paper":
        raise Neo4jExportError(f"{_evidence_where(evidence_id)}: quotes paper {paper_id!r}, which is not in the graph")
    title, abstract = paper.get("title") or "", paper.get("abstract") or ""
    try:
        start, end = ev["sentence"]
        spans = [(int(s), int(e)) for s, e in ev.get("spans") or []]
    except (KeyError, TypeError, ValueError):
        raise Neo4jExportError(f"{_evidence_where(evidence_id)}: 'sentence' and 'spans' should be [start, end] offsets") from None
    return {
        "id": evidence_id,
        "paper": paper_id,
        "sentence": text_slice(title, abstract, start, end),
        "sentence_start": start,
        "sentence_end": end,
        "span_starts": [s for s, _ in spans],
        "span_ends": [e for _, e in spans],
        "quotes": [text_slice(title, abstract, s, e) for s, e in spans],
        "method": ev.get("method"),
        "confidence": ev.get("confidence"),
    }


def _plain_evidence_props(nodes: dict, evidence_id: Any, ev: Any) -> dict[str, Any] | None:
    """The properties :func:`_props` gives :func:`_evidence_values` for the common evidence record
    (string ids and texts, int offsets, a float confidence), or None for any other record.

    Evidence nodes are the most numerous rows (about 40 per paper); this path makes one dict
    where the general one makes two and checks every value by kind.
    """
    if type(ev) is not dict or type(evidence_id) is not str:
        return None
    paper_id, sentence, spans = ev.get("paper"), ev.get("sentence"), ev.get("spans")
    method, confidence = ev.get("method"), ev.get("confidence")
    if type(paper_id) is not str or type(sentence) is not list or len(sentence) != 2 or type(spans) is not list:
        return None
    paper = nodes.get(paper_id)
    if paper is None or paper.get("kind") != "paper":
        return None
    title, abstract = paper.get("title") or "", paper.get("abstract") or ""
    start, end = sentence
    if type(title) is not str or type(abstract) is not str or type(start) is not int or type(end) is not int:
        return None
    if not (-_INT64 <= start < _INT64 and -_INT64 <= end < _INT64):
        return None
    if not (method is None or type(method) is str) or not (confidence is None or (type(confidence) is float and math.isfinite(confidence))):
        return None
    props = {"id": evidence_id, "paper": paper_id, "sentence": text_slice(title, abstract, start, end), "sentence_start": start, "sentence_end": end}
    if spans:
        starts, ends = [], []
        for span in spans:
            if type(span) is not list or len(span) != 2:
                return None
            s, e = span
            if type(s) is not int or type(e) is not int or not (-_INT64 <= s < _INT64 and -_INT64 <= e < _INT64):
                return None
            starts.append(s)
            ends.append(e)
        props["span_starts"] = starts
        props["span_ends"] = ends
        props["quotes"] = [text_slice(title, abstract, s, e) for s, e in zip(starts, ends)]
    if method is not None:
        props["method"] = method
    if confidence is not None:
        props["confidence"] = confidence
    return props


class RowPlan:
    """The checked structure of a graph, from which its Neo4j rows are made group by group.

    Building the plan checks every node kind, concept type, role, relation type, edge end and
    evidence reference (in one pass over ``G``, keeping only ids and references); the rows of a
    group (:meth:`paper_rows`, ..., :meth:`in_paper_rows`) are made, and their values checked,
    only when iterated, so a writer can stream a graph far larger than its rows would be as
    objects. The groups come in :func:`graph_rows` order.
    """

    def __init__(self, G: nx.MultiDiGraph):
        self.G = G
        papers, concepts = [], []
        kinds: dict[str, str] = {}
        for node, attrs in G.nodes(data=True):
            kind = attrs.get("kind")
            if not isinstance(node, str):
                raise Neo4jExportError(f"node {node!r}: ids must be strings")
            if kind == "paper":
                papers.append(node)
            elif kind == "concept":
                label = CONCEPT_LABELS.get(attrs.get("type"))
                if label is None:
                    raise Neo4jExportError(f"concept {node!r}: type {attrs.get('type')!r} is not one of {', '.join(CONCEPT_LABELS)}")
                concepts.append((node, label))
            else:
                raise Neo4jExportError(f"node {node!r}: kind {kind!r} is neither 'paper' nor 'concept'")
            kinds[node] = kind
        self.papers: list[str] = sorted(papers)
        concepts.sort(key=lambda c: c[0])
        #: concept ids by second label, in the order the labels first appear among the sorted ids
        self.concepts_by_label: dict[str, list[str]] = {}
        for node, label in concepts:
            self.concepts_by_label.setdefault(label, []).append(node)
        self.concepts: list[tuple[str, str]] = concepts
        self.evidence_table: dict[str, Any] = G.graph.get("evidence") or {}
        self.evidence: list[str] = sorted(self.evidence_table)

        evidence_table = self.evidence_table
        links: dict[str, list] = {t: [] for t in ROLE_TYPES.values()}
        relations: dict[str, list] = {t: [] for t in RELATION_TYPES.values()}
        for u, v, key, attrs in G.edges(keys=True, data=True):
            kind = attrs.get("kind")
            if kind == "link":
                rel_type = ROLE_TYPES.get(attrs.get("role"))
                if rel_type is None:
                    raise Neo4jExportError(f"{_edge_where(u, v, key)}: role {attrs.get('role')!r} is not one of {', '.join(ROLE_TYPES)}")
                if kinds.get(u) != "paper" or kinds.get(v) != "concept":
                    raise Neo4jExportError(f"{_edge_where(u, v, key)}: a link must go from a paper to a concept")
                links[rel_type].append((u, v, key, attrs))
            elif kind == "relation":
                rel_type = RELATION_TYPES.get(attrs.get("type"))
                if rel_type is None:
                    raise Neo4jExportError(f"{_edge_where(u, v, key)}: relation type {attrs.get('type')!r} is not one of {', '.join(RELATION_TYPES)}")
                if kinds.get(u) != "concept" or kinds.get(v) != "concept":
                    raise Neo4jExportError(f"{_edge_where(u, v, key)}: a relation must go from a concept to a concept")
                relations[rel_type].append((u, v, key, attrs))
            else:
                raise Neo4jExportError(f"{_edge_where(u, v, key)}: kind {kind!r} is neither 'link' nor 'relation'")
            for evidence_id in attrs.get("evidence") or []:
                if evidence_id not in evidence_table:
                    raise Neo4jExportError(f"{_edge_where(u, v, key)}: evidence {evidence_id!r} is not in the graph's evidence table")
        by_ends = lambda e: (e[0], e[1])  # noqa: E731  (stable: ties keep the graph's order)
        #: edges by relationship type (types in schema order, none empty), each sorted by (start, end)
        self.links = {t: sorted(group, key=by_ends) for t, group in links.items() if group}
        self.relations = {t: sorted(group, key=by_ends) for t, group in relations.items() if group}

    def paper_rows(self) -> Iterator[NodeRow]:
        nodes = self.G.nodes
        for node in self.papers:
            yield NodeRow((PAPER,), _props(PAPER_PROPERTIES, nodes[node], _paper_where, {"id": node}, node))

    def concept_row(self, node: str, label: str) -> NodeRow:
        attrs = self.G.nodes[node]
        return NodeRow((CONCEPT, label), _props(CONCEPT_PROPERTIES, attrs, _concept_where, _concept_values(node, attrs), node))

    def concept_rows(self) -> Iterator[NodeRow]:
        for node, label in self.concepts:
            yield self.concept_row(node, label)

    def evidence_props(self, evidence_id: str) -> dict[str, Any]:
        """The stored properties of one evidence node (its sentence and quotes cut from the paper)."""
        ev = self.evidence_table[evidence_id]
        props = _plain_evidence_props(self.G.nodes, evidence_id, ev)
        if props is None:  # anything unusual: the general path, with its checks and messages
            values = _evidence_values(self.G, evidence_id, ev)
            props = _props(EVIDENCE_PROPERTIES, values, _evidence_where, None, evidence_id)
        return props

    def evidence_rows(self) -> Iterator[NodeRow]:
        for eid in self.evidence:
            yield NodeRow((EVIDENCE,), self.evidence_props(eid))

    def node_rows(self) -> Iterator[NodeRow]:
        yield from self.paper_rows()
        yield from self.concept_rows()
        yield from self.evidence_rows()

    def link_rows(self, rel_type: str | None = None) -> Iterator[RelationshipRow]:
        """Paper -> concept rows (of one type, or of every type in schema order)."""
        for t in [rel_type] if rel_type else self.links:
            for edge in self.links.get(t, ()):
                yield RelationshipRow(t, PAPER, edge[0], CONCEPT, edge[1], _props(LINK_PROPERTIES, edge[3], _edge_where_of, None, edge))

    def relation_rows(self, rel_type: str | None = None) -> Iterator[RelationshipRow]:
        """Concept -> concept rows (of one type, or of every type in schema order)."""
        for t in [rel_type] if rel_type else self.relations:
            for edge in self.relations.get(t, ()):
                yield RelationshipRow(t, CONCEPT, edge[0], CONCEPT, edge[1], _props(RELATION_PROPERTIES, edge[3], _edge_where_of, None, edge))

    def in_paper_rows(self) -> Iterator[RelationshipRow]:
        table = self.evidence_table
        for eid in self.evidence:
            yield RelationshipRow(IN_PAPER, EVIDENCE, eid, PAPER, table[eid]["paper"], {})

    def relationship_rows(self) -> Iterator[RelationshipRow]:
        yield from self.link_rows()
        yield from self.relation_rows()
        yield from self.in_paper_rows()

    def label_counts(self) -> dict[str, int]:
        """Nodes per label, as :meth:`GraphRows.label_counts` counts them."""
        counts = {PAPER: len(self.papers), CONCEPT: len(self.concepts), EVIDENCE: len(self.evidence)}
        counts.update({label: len(ids) for label, ids in self.concepts_by_label.items()})
        return {label: counts.get(label, 0) for label in NODE_LABELS}

    def type_counts(self) -> dict[str, int]:
        """Relationships per type, as :meth:`GraphRows.type_counts` counts them."""
        counts = {t: len(group) for t, group in (*self.links.items(), *self.relations.items())}
        counts[IN_PAPER] = len(self.evidence)
        return {rel_type: counts.get(rel_type, 0) for rel_type in RELATIONSHIP_TYPES}


def _edge_where(u: Any, v: Any, key: Any) -> str:
    return f"edge {u!r} -> {v!r} ({key})"


def _edge_where_of(edge: tuple) -> str:
    return _edge_where(*edge[:3])


def _paper_where(node: str) -> str:
    return f"paper {node!r}"


def _concept_where(node: str) -> str:
    return f"concept {node!r}"


def _evidence_where(evidence_id: str) -> str:
    return f"evidence {evidence_id!r}"


def graph_rows(G: nx.MultiDiGraph) -> GraphRows:
    """Map ``G`` (the schema of :mod:`kg.graph.build`) to Neo4j node and relationship rows.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        kg's graph, from :func:`kg.graph.build.to_networkx` or :func:`kg.graph.build.load_graph`.

    Returns
    -------
    GraphRows
        Papers, concepts and evidence nodes, then links, relations and ``IN_PAPER`` edges,
        each group sorted by id (relationships by type in schema order, then start and end).
        All rows in memory: writers of large graphs stream them from a :class:`RowPlan`.

    Raises
    ------
    Neo4jExportError
        For a node kind, concept type, role or relation type outside the schema, or a value
        Neo4j cannot store (wrong type, null inside a list, NaN, an integer over 64 bits).

    Example
    -------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(evidence={})
    >>> G.add_node("p", kind="paper", title="T", abstract="A", authors=[])
    >>> G.add_node("method/x", kind="concept", type="METHOD", label="X", aliases=[["X", 2]])
    >>> _ = G.add_edge("p", "method/x", key="uses", kind="link", role="uses", count=2, confidence=1.0, evidence=[])
    >>> rows = graph_rows(G)
    >>> [(r.labels, r.props) for r in rows.nodes]
    [(('Paper',), {'id': 'p', 'title': 'T', 'abstract': 'A'}), (('Concept', 'Method'), {'id': 'method/x', 'type': 'METHOD', 'label': 'X', 'aliases': ['X'], 'alias_counts': [2]})]
    >>> [(r.type, r.start, r.end, r.props) for r in rows.relationships]
    [('USES', 'p', 'method/x', {'count': 2, 'confidence': 1.0})]
    """
    plan = RowPlan(G)
    return GraphRows(list(plan.node_rows()), list(plan.relationship_rows()))


# --- Cypher statements ------------------------------------------------------------------------
#
# Labels and types are pasted into statement text only from the fixed tables above (Cypher
# cannot take them as parameters on every Neo4j 5); every value travels as a parameter.

SCHEMA_STATEMENTS: tuple[str, ...] = (
    "CREATE CONSTRAINT kg_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT kg_concept_id IF NOT EXISTS FOR (n:Concept) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT kg_evidence_id IF NOT EXISTS FOR (n:Evidence) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX kg_concept_label IF NOT EXISTS FOR (n:Concept) ON (n.label)",
    "CREATE INDEX kg_concept_type IF NOT EXISTS FOR (n:Concept) ON (n.type)",
)


def _checked(name: str, allowed: Sequence[str]) -> str:
    if name not in allowed:
        raise AssertionError(f"{name!r} is not in kg's Neo4j schema")
    return name


def node_statement(labels: Sequence[str]) -> str:
    """``UNWIND $rows`` statement that MERGEs nodes on ``id`` and sets their properties.

    Each row is ``{"id": ..., "props": {...}}``. Properties are written only when they differ
    (``properties(n) <> row.props``), and ``SET n:Label`` adds nothing to a node that has the
    label, so a second run reports no update at all.
    """
    key, *extra = (_checked(label, NODE_LABELS) for label in labels)
    add_labels = "".join(f" SET n:{label}" for label in extra)
    return (
        f"UNWIND $rows AS row MERGE (n:{key} {{id: row.id}}){add_labels} "
        "WITH n, row WHERE properties(n) <> row.props SET n = row.props"
    )


def relationship_statement(rel_type: str, start_label: str, end_label: str) -> str:
    """``UNWIND $rows`` statement that MERGEs one relationship type between nodes found by id.

    Each row is ``{"start": ..., "end": ..., "props": {...}}``. A row whose end node is missing
    creates nothing (the count check after a push catches it).
    """
    rel_type = _checked(rel_type, RELATIONSHIP_TYPES)
    start_label, end_label = _checked(start_label, NODE_LABELS), _checked(end_label, NODE_LABELS)
    return (
        f"UNWIND $rows AS row MATCH (a:{start_label} {{id: row.start}}) MATCH (b:{end_label} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel_type}]->(b) WITH r, row WHERE properties(r) <> row.props SET r = row.props"
    )


@dataclass(frozen=True)
class Batch:
    """One parameterised statement and the rows it runs on."""

    statement: str
    rows: list[dict[str, Any]]
    what: str  # e.g. "Paper nodes", "USES relationships"


def batches(rows: GraphRows, batch_size: int = 1000) -> Iterator[Batch]:
    """Node batches then relationship batches, each at most ``batch_size`` rows.

    Nodes are grouped by label set and relationships by (type, start label, end label), so every
    batch runs one fixed statement of :func:`node_statement` / :func:`relationship_statement`.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for node in rows.nodes:
        groups.setdefault(("node", node.labels), []).append({"id": node.id, "props": node.props})
    for rel in rows.relationships:
        groups.setdefault(("rel", rel.type, rel.start_label, rel.end_label), []).append(
            {"start": rel.start, "end": rel.end, "props": rel.props}
        )
    for key, group in groups.items():
        if key[0] == "node":
            statement, what = node_statement(key[1]), f"{':'.join(key[1])} nodes"
        else:
            statement, what = relationship_statement(*key[1:]), f"{key[1]} relationships"
        for i in range(0, len(group), batch_size):
            yield Batch(statement, group[i : i + batch_size], what)


#: The update counters of a Neo4j result summary that kg adds up.
COUNTERS: tuple[str, ...] = (
    "nodes_created",
    "nodes_deleted",
    "relationships_created",
    "relationships_deleted",
    "properties_set",
    "labels_added",
    "labels_removed",
    "indexes_added",
    "constraints_added",
)


def add_counters(totals: dict[str, int], counters: Any) -> dict[str, int]:
    """Add a driver ``SummaryCounters`` into ``totals`` (name -> sum) and return ``totals``."""
    for name in COUNTERS:
        totals[name] = totals.get(name, 0) + int(getattr(counters, name, 0) or 0)
    return totals


COUNT_NODES = "MATCH (n:{label}) RETURN count(n) AS n"
COUNT_RELATIONSHIPS = "MATCH ()-[r:{type}]->() RETURN count(r) AS n"


def count_statements() -> Iterator[tuple[str, str, str]]:
    """``(kind, name, statement)`` counting each label and type of the schema."""
    for label in NODE_LABELS:
        yield "label", label, COUNT_NODES.format(label=label)
    for rel_type in RELATIONSHIP_TYPES:
        yield "type", rel_type, COUNT_RELATIONSHIPS.format(type=rel_type)
