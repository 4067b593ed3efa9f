"""The Neo4j writers as they were before they streamed: the reference the fast writers must match.

Verbatim copies of ``graph_rows`` (kg/export/neo4j_schema.py), the CSV writing of
``write_bulk_import`` (kg/export/neo4j_files.py) and ``write_cypher`` (kg/export/neo4j_cypher.py)
at commit 2ae9ff1, writing into memory instead of files; the tests in test_neo4j_streaming.py
compare their output with the files the current writers produce, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx

from kg.export.neo4j_cypher import cypher_literal
from kg.export.neo4j_files import ARRAY_DELIMITER_CANDIDATES, NODE_FILES, RELATIONSHIP_FILES, node_header, relationship_header
from kg.export.neo4j_schema import (
    CONCEPT,
    CONCEPT_LABELS,
    CONCEPT_PROPERTIES,
    DOUBLE,
    EVIDENCE,
    EVIDENCE_PROPERTIES,
    IN_PAPER,
    LINK_PROPERTIES,
    LONG,
    LONG_LIST,
    PAPER,
    PAPER_PROPERTIES,
    RELATION_PROPERTIES,
    RELATION_TYPES,
    RELATIONSHIP_TYPES,
    ROLE_TYPES,
    SCHEMA_STATEMENTS,
    STRING,
    STRING_LIST,
    GraphRows,
    Neo4jExportError,
    NodeRow,
    Property,
    RelationshipRow,
    batches,
)
from kg.models import paper_text

_CANDIDATE_SET = frozenset(ARRAY_DELIMITER_CANDIDATES)


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


def _props(schema: Sequence[Property], values: dict[str, Any], where: str) -> dict[str, Any]:
    """The stored properties: checked values in schema order, ``None`` and empty lists left out."""
    out = {}
    for prop in schema:
        value = _value(prop.kind, values.get(prop.name), where, prop.name)
        if value is not None:
            out[prop.name] = value
    return out


def _concept_values(node: str, attrs: dict[str, Any]) -> dict[str, Any]:
    aliases = attrs.get("aliases") or []
    try:
        forms = [form for form, _ in aliases]
        counts = [count for _, count in aliases]
    except (TypeError, ValueError):
        raise Neo4jExportError(f"concept {node!r}: 'aliases' should be a list of [form, count] pairs") from None
    return {**attrs, "id": node, "aliases": forms, "alias_counts": counts}


def _evidence_values(G: nx.MultiDiGraph, evidence_id: str, ev: dict[str, Any]) -> dict[str, Any]:
    where = f"evidence {evidence_id!r}"
    paper_id = ev.get("paper")
    if paper_id not in G or G.nodes[paper_id].get("kind") != "paper":
        raise Neo4jExportError(f"{where}: quotes paper {paper_id!r}, which is not in the graph")
    paper = G.nodes[paper_id]
    text = paper_text(paper.get("title") or "", paper.get("abstract") or "")
    try:
        start, end = ev["sentence"]
        spans = [(int(s), int(e)) for s, e in ev.get("spans") or []]
    except (KeyError, TypeError, ValueError):
        raise Neo4jExportError(f"{where}: 'sentence' and 'spans' should be [start, end] offsets") from None
    return {
        "id": evidence_id,
        "paper": paper_id,
        "sentence": text[start:end],
        "sentence_start": start,
        "sentence_end": end,
        "span_starts": [s for s, _ in spans],
        "span_ends": [e for _, e in spans],
        "quotes": [text[s:e] for s, e in spans],
        "method": ev.get("method"),
        "confidence": ev.get("confidence"),
    }


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
        each group sorted by id.

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
    rows = GraphRows()
    kinds: dict[str, str] = {}
    papers, concepts = [], []
    for node, attrs in G.nodes(data=True):
        kind = attrs.get("kind")
        if not isinstance(node, str):
            raise Neo4jExportError(f"node {node!r}: ids must be strings")
        if kind == "paper":
            papers.append(NodeRow((PAPER,), _props(PAPER_PROPERTIES, {**attrs, "id": node}, f"paper {node!r}")))
        elif kind == "concept":
            label = CONCEPT_LABELS.get(attrs.get("type"))
            if label is None:
                raise Neo4jExportError(f"concept {node!r}: type {attrs.get('type')!r} is not one of {', '.join(CONCEPT_LABELS)}")
            props = _props(CONCEPT_PROPERTIES, _concept_values(node, attrs), f"concept {node!r}")
            concepts.append(NodeRow((CONCEPT, label), props))
        else:
            raise Neo4jExportError(f"node {node!r}: kind {kind!r} is neither 'paper' nor 'concept'")
        kinds[node] = kind
    evidence_table = G.graph.get("evidence") or {}
    evidence = [
        NodeRow((EVIDENCE,), _props(EVIDENCE_PROPERTIES, _evidence_values(G, eid, ev), f"evidence {eid!r}"))
        for eid, ev in evidence_table.items()
    ]
    rows.nodes = sorted(papers, key=lambda r: r.id) + sorted(concepts, key=lambda r: r.id) + sorted(evidence, key=lambda r: r.id)

    links, relations = [], []
    for u, v, key, attrs in G.edges(keys=True, data=True):
        where = f"edge {u!r} -> {v!r} ({key})"
        kind = attrs.get("kind")
        if kind == "link":
            rel_type = ROLE_TYPES.get(attrs.get("role"))
            if rel_type is None:
                raise Neo4jExportError(f"{where}: role {attrs.get('role')!r} is not one of {', '.join(ROLE_TYPES)}")
            if kinds.get(u) != "paper" or kinds.get(v) != "concept":
                raise Neo4jExportError(f"{where}: a link must go from a paper to a concept")
            links.append(RelationshipRow(rel_type, PAPER, u, CONCEPT, v, _props(LINK_PROPERTIES, attrs, where)))
        elif kind == "relation":
            rel_type = RELATION_TYPES.get(attrs.get("type"))
            if rel_type is None:
                raise Neo4jExportError(f"{where}: relation type {attrs.get('type')!r} is not one of {', '.join(RELATION_TYPES)}")
            if kinds.get(u) != "concept" or kinds.get(v) != "concept":
                raise Neo4jExportError(f"{where}: a relation must go from a concept to a concept")
            relations.append(RelationshipRow(rel_type, CONCEPT, u, CONCEPT, v, _props(RELATION_PROPERTIES, attrs, where)))
        else:
            raise Neo4jExportError(f"{where}: kind {kind!r} is neither 'link' nor 'relation'")
        for evidence_id in attrs.get("evidence") or []:
            if evidence_id not in evidence_table:
                raise Neo4jExportError(f"{where}: evidence {evidence_id!r} is not in the graph's evidence table")
    order = {t: i for i, t in enumerate(RELATIONSHIP_TYPES)}
    by_key = lambda r: (order[r.type], r.start, r.end)  # noqa: E731
    in_paper = [RelationshipRow(IN_PAPER, EVIDENCE, row.id, PAPER, row.props["paper"], {}) for row in rows.nodes if row.labels == (EVIDENCE,)]
    rows.relationships = sorted(links, key=by_key) + sorted(relations, key=by_key) + in_paper
    return rows



def choose_array_delimiter(rows: GraphRows) -> str:
    """The first of :data:`ARRAY_DELIMITER_CANDIDATES` that occurs in no list element of ``rows``."""
    used: set[str] = set()
    for props in [n.props for n in rows.nodes] + [r.props for r in rows.relationships]:
        for value in props.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        used.update(c for c in item if c in _CANDIDATE_SET)
    for candidate in ARRAY_DELIMITER_CANDIDATES:
        if candidate not in used:
            return candidate
    raise Neo4jExportError("no free array delimiter: list values use every candidate character")



def quote(text: str) -> str:
    """One CSV string field: always quoted, inner quotes doubled (so ``""`` is the empty string)."""
    return '"' + text.replace('"', '""') + '"'


def csv_field(kind: str, value: Any, array_delimiter: str) -> str:
    """Encode one property value of ``kind``; ``None`` is the empty unquoted field."""
    if value is None:
        return ""
    if kind == STRING:
        return quote(value)
    if kind == LONG:
        return str(value)
    if kind == DOUBLE:
        return repr(float(value))
    if kind == STRING_LIST:
        return quote(array_delimiter.join(value))
    if kind == LONG_LIST:
        return quote(array_delimiter.join(str(v) for v in value))
    raise AssertionError(f"unknown property kind {kind}")



def _node_line(row: NodeRow, properties: Sequence[Property], delim: str) -> str:
    fields = [quote(row.id), quote(delim.join(row.labels))]
    fields += [csv_field(p.kind, row.props.get(p.name), delim) for p in properties if p.name != "id"]
    return ",".join(fields)


def _relationship_line(row: RelationshipRow, properties: Sequence[Property], delim: str) -> str:
    fields = [quote(row.start), quote(row.end), quote(row.type)]
    fields += [csv_field(p.kind, row.props.get(p.name), delim) for p in properties]
    return ",".join(fields)



def bulk_import_files(G: nx.MultiDiGraph) -> dict[str, str]:
    """The CSV files of ``write_bulk_import`` (name -> text) and the chosen array delimiter."""
    rows = graph_rows(G)
    delim = choose_array_delimiter(rows)
    texts: dict[str, str] = {}
    for name, label, properties in NODE_FILES:
        group = [row for row in rows.nodes if row.labels[0] == label]
        texts[name] = ",".join(node_header(label, properties)) + "\n" + "".join(_node_line(r, properties, delim) + "\n" for r in group)
    for name, start_label, end_label, properties in RELATIONSHIP_FILES:
        if start_label == PAPER:
            group = [r for r in rows.relationships if r.type in ROLE_TYPES.values()]
        else:
            group = [r for r in rows.relationships if r.start_label == start_label and r.end_label == end_label]
        texts[name] = ",".join(relationship_header(start_label, end_label, properties)) + "\n" + "".join(
            _relationship_line(r, properties, delim) + "\n" for r in group)
    texts["delimiter"] = delim
    return texts


def cypher_script(G: nx.MultiDiGraph, batch_size: int = 500) -> str:
    """The text of ``write_cypher``."""
    rows = graph_rows(G)
    labels = ", ".join(f"{n} :{label}" for label, n in rows.label_counts().items() if n)
    types = ", ".join(f"{n} :{t}" for t, n in rows.type_counts().items() if n)
    parts: list[str] = []
    write = parts.append
    if True:  # was: with atomic_open(path, ...) as fh
        write("// kg knowledge graph for Neo4j 5, written by kg (schema: kg docs/neo4j.md).\n")
        write(f"// {labels}; {types}.\n")
        write('// Run: cypher-shell -a bolt://localhost:7687 -u neo4j -p "$NEO4J_PASSWORD" -f import.cypher\n')
        write("// Idempotent: a second run changes nothing. Each ':param rows => ...' line sets $rows\n")
        write("// for the statement after it.\n")
        for statement in SCHEMA_STATEMENTS:
            write(statement + ";\n")
        for batch in batches(rows, batch_size):
            write(f"// {len(batch.rows)} {batch.what}\n")
            write(":param rows => " + cypher_literal(batch.rows) + "\n")
            write(batch.statement + ";\n")
    return "".join(parts)
