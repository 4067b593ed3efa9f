"""kg's NetworkX graph as Neo4j rows: nodes and relationships, checked and in a fixed order.

:class:`RowPlan` checks the graph's structure once and makes the rows of one group at a time,
so the file writers stream a large graph in bounded memory; :func:`graph_rows` makes them all
(the Bolt push). Values are checked by :mod:`kg.export.neo4j_values`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from kg.export.neo4j_schema import (
    CONCEPT,
    CONCEPT_LABELS,
    CONCEPT_PROPERTIES,
    EVIDENCE,
    EVIDENCE_PROPERTIES,
    IN_PAPER,
    LINK_PROPERTIES,
    NODE_LABELS,
    PAPER,
    PAPER_PROPERTIES,
    RELATION_PROPERTIES,
    RELATION_TYPES,
    RELATIONSHIP_TYPES,
    ROLE_TYPES,
    Neo4jExportError,
)
from kg.export.neo4j_values import (
    concept_values,
    concept_where,
    edge_where,
    edge_where_of,
    evidence_values,
    evidence_where,
    paper_texts,
    paper_where,
    plain_evidence_props,
    stored_props,
)


class NodeRow(NamedTuple):
    """One node: its labels (the first is the key label) and its stored properties (with ``id``).

    A named tuple rather than a frozen dataclass: an export makes one row object per node and
    relationship, and a tuple is made about three times faster (measured: 0.4 against 1.2 us
    for a relationship row).
    """

    labels: tuple[str, ...]
    props: dict[str, Any]

    @property
    def id(self) -> str:
        return self.props["id"]


class RelationshipRow(NamedTuple):
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
        self._texts: dict[str, tuple[str, str]] | None = None  # paper_texts, made when first needed

        evidence_table = self.evidence_table
        links: dict[str, list] = {t: [] for t in ROLE_TYPES.values()}
        relations: dict[str, list] = {t: [] for t in RELATION_TYPES.values()}
        for u, v, key, attrs in G.edges(keys=True, data=True):
            kind = attrs.get("kind")
            if kind == "link":
                rel_type = ROLE_TYPES.get(attrs.get("role"))
                if rel_type is None:
                    raise Neo4jExportError(f"{edge_where(u, v, key)}: role {attrs.get('role')!r} is not one of {', '.join(ROLE_TYPES)}")
                if kinds.get(u) != "paper" or kinds.get(v) != "concept":
                    raise Neo4jExportError(f"{edge_where(u, v, key)}: a link must go from a paper to a concept")
                links[rel_type].append((u, v, key, attrs))
            elif kind == "relation":
                rel_type = RELATION_TYPES.get(attrs.get("type"))
                if rel_type is None:
                    raise Neo4jExportError(f"{edge_where(u, v, key)}: relation type {attrs.get('type')!r} is not one of {', '.join(RELATION_TYPES)}")
                if kinds.get(u) != "concept" or kinds.get(v) != "concept":
                    raise Neo4jExportError(f"{edge_where(u, v, key)}: a relation must go from a concept to a concept")
                relations[rel_type].append((u, v, key, attrs))
            else:
                raise Neo4jExportError(f"{edge_where(u, v, key)}: kind {kind!r} is neither 'link' nor 'relation'")
            for evidence_id in attrs.get("evidence") or []:
                if evidence_id not in evidence_table:
                    raise Neo4jExportError(f"{edge_where(u, v, key)}: evidence {evidence_id!r} is not in the graph's evidence table")
        by_ends = lambda e: (e[0], e[1])  # noqa: E731  (stable: ties keep the graph's order)
        #: edges by relationship type (types in schema order, none empty), each sorted by (start, end)
        self.links = {t: sorted(group, key=by_ends) for t, group in links.items() if group}
        self.relations = {t: sorted(group, key=by_ends) for t, group in relations.items() if group}

    def paper_rows(self) -> Iterator[NodeRow]:
        nodes = self.G.nodes
        for node in self.papers:
            yield NodeRow((PAPER,), stored_props(PAPER_PROPERTIES, nodes[node], paper_where, {"id": node}, node))

    def concept_row(self, node: str, label: str) -> NodeRow:
        attrs = self.G.nodes[node]
        return NodeRow((CONCEPT, label), stored_props(CONCEPT_PROPERTIES, attrs, concept_where, concept_values(node, attrs), node))

    def concept_rows(self) -> Iterator[NodeRow]:
        for node, label in self.concepts:
            yield self.concept_row(node, label)

    def evidence_props(self, evidence_id: str) -> dict[str, Any]:
        """The stored properties of one evidence node (its sentence and quotes cut from the paper)."""
        if self._texts is None:
            self._texts = paper_texts(self.G.nodes, self.papers)
        ev = self.evidence_table[evidence_id]
        props = plain_evidence_props(self._texts, evidence_id, ev)
        if props is None:  # anything unusual: the general path, with its checks and messages
            values = evidence_values(self.G, evidence_id, ev)
            props = stored_props(EVIDENCE_PROPERTIES, values, evidence_where, None, evidence_id)
        return props

    def evidence_rows(self) -> Iterator[NodeRow]:
        labels, props = (EVIDENCE,), self.evidence_props
        for eid in self.evidence:
            yield NodeRow(labels, props(eid))

    def node_rows(self) -> Iterator[NodeRow]:
        yield from self.paper_rows()
        yield from self.concept_rows()
        yield from self.evidence_rows()

    def link_rows(self, rel_type: str | None = None) -> Iterator[RelationshipRow]:
        """Paper -> concept rows (of one type, or of every type in schema order)."""
        for t in [rel_type] if rel_type else self.links:
            for edge in self.links.get(t, ()):
                yield RelationshipRow(t, PAPER, edge[0], CONCEPT, edge[1], stored_props(LINK_PROPERTIES, edge[3], edge_where_of, None, edge))

    def relation_rows(self, rel_type: str | None = None) -> Iterator[RelationshipRow]:
        """Concept -> concept rows (of one type, or of every type in schema order)."""
        for t in [rel_type] if rel_type else self.relations:
            for edge in self.relations.get(t, ()):
                yield RelationshipRow(t, CONCEPT, edge[0], CONCEPT, edge[1], stored_props(RELATION_PROPERTIES, edge[3], edge_where_of, None, edge))

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
