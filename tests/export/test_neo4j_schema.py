"""kg.export.neo4j_schema, neo4j_rows and neo4j_statements: the one mapping from the NetworkX graph to Neo4j rows and statements."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from neo4j_test_support import examples, graphs, label_and_type_counts

from kg.export.neo4j_rows import graph_rows
from kg.export.neo4j_schema import NODE_LABELS, RELATIONSHIP_TYPES, Neo4jExportError
from kg.export.neo4j_statements import (
    SCHEMA_STATEMENTS,
    batches,
    node_statement,
    relationship_statement,
)
from kg.graph.build import evidence_sentence


def test_rows_of_the_small_graph(small_graph):
    rows = graph_rows(small_graph)
    labels, types = label_and_type_counts(small_graph)
    assert rows.label_counts() == labels
    assert {t: n for t, n in rows.type_counts().items() if n} == types
    by_id = {(row.labels[0], row.id): row for row in rows.nodes}
    assert by_id[("Concept", "dataset/wmt-14")].labels == ("Concept", "Dataset")
    paper = by_id[("Paper", "title:0123456789abcdef")].props
    assert paper == {"id": "title:0123456789abcdef", "title": "Graph neural networks, revisited",
                     "abstract": "GNNs are used for node classification on Cora.", "date": "--08-05", "date_text": "Aug 5"}
    gnn = by_id[("Concept", "method/graph-neural-networks")].props
    assert gnn["aliases"] == ["GNN", "GNNs", "Graph neural networks", "graph neural network"]
    assert gnn["alias_counts"] == [1, 1, 1, 1] and gnn["acronym"] == "GNN"
    for eid in small_graph.graph["evidence"]:
        ev = by_id[("Evidence", eid)].props
        assert (ev["paper"], ev["sentence"]) == evidence_sentence(small_graph, eid)
        assert all(q in ev["sentence"] for q in ev["quotes"])
    rel = next(r for r in rows.relationships if r.type == "EVALUATE_FOR")
    assert (rel.start_label, rel.start, rel.end_label, rel.end) == ("Concept", "method/graphsage-x", "Concept", "dataset/cora")
    assert rel.props == {"count": 1, "papers": 1, "weight": 1, "confidence": 0.8, "evidence": ["e13"]}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda G: G.add_node("x", kind="author"), "node 'x': kind 'author' is neither 'paper' nor 'concept'"),
        (lambda G: G.nodes["dataset/cora"].update(type="GENE"), "concept 'dataset/cora': type 'GENE' is not one of METHOD, DATASET, METRIC, TASK"),
        (lambda G: G.add_edge("arxiv:2101.00001", "dataset/cora", key="cites", kind="link", role="cites"), "role 'cites' is not one of"),
        (lambda G: G.add_edge("dataset/cora", "metric/bleu", key="X", kind="relation", type="CAUSES"), "relation type 'CAUSES' is not one of"),
        (lambda G: G.add_edge("dataset/cora", "metric/bleu", key="uses", kind="link", role="uses"), "a link must go from a paper to a concept"),
        (lambda G: G.nodes["arxiv:2101.00001"].update(title=3), "paper 'arxiv:2101.00001': property 'title' should be a string, not int"),
        (lambda G: G.nodes["arxiv:2101.00001"].update(authors=["A", None]), "holds a null, which Neo4j lists cannot"),
        (lambda G: G.nodes["dataset/cora"].update(paper_count=2**64), "does not fit a 64-bit integer"),
        (lambda G: next(iter(G.edges(data=True)))[2].update(confidence=math.nan), "is not a finite number"),
        (lambda G: next(iter(G.edges(data=True)))[2].update(evidence=["nope"]), "evidence 'nope' is not in the graph's evidence table"),
        # the evidence table of a built graph is a read-only view (kg.graph.build.EvidenceTable): replaced, not edited
        (lambda G: G.graph.update(evidence={**G.graph["evidence"], "e1": {**G.graph["evidence"]["e1"], "paper": "doi:missing"}}),
         "evidence 'e1': quotes paper 'doi:missing', which is not in the graph"),
        (lambda G: G.nodes["dataset/cora"].update(aliases=["Cora"]), "'aliases' should be a list of [form, count] pairs"),
    ],
)
def test_graphs_outside_the_schema_are_refused(small_graph, change, message):
    change(small_graph)
    with pytest.raises(Neo4jExportError) as info:
        graph_rows(small_graph)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_statements_take_labels_only_from_the_schema():
    with pytest.raises(AssertionError):
        node_statement(["Paper) DETACH DELETE (n"])
    with pytest.raises(AssertionError):
        relationship_statement("KNOWS", "Paper", "Concept")
    assert all("$" not in s for s in SCHEMA_STATEMENTS)


def _fixed_statements() -> set[str]:
    fixed = {node_statement(["Paper"]), node_statement(["Evidence"])}
    fixed |= {node_statement(["Concept", label]) for label in NODE_LABELS[2:6]}
    for rel_type in RELATIONSHIP_TYPES[:6]:
        fixed.add(relationship_statement(rel_type, "Paper", "Concept"))
    for rel_type in RELATIONSHIP_TYPES[6:-1]:
        fixed.add(relationship_statement(rel_type, "Concept", "Concept"))
    fixed.add(relationship_statement("IN_PAPER", "Evidence", "Paper"))
    return fixed


@settings(max_examples=examples(100), deadline=None)
@given(G=graphs())
def test_batches_carry_paper_text_only_as_parameters(G):
    """Injection safety: whatever the graph holds, only the fixed statements are sent."""
    rows = graph_rows(G)
    sent = list(batches(rows, batch_size=2))
    fixed = _fixed_statements()
    assert all(batch.statement in fixed for batch in sent)
    assert all(1 <= len(batch.rows) <= 2 for batch in sent)
    assert sum(len(b.rows) for b in sent) == len(rows.nodes) + len(rows.relationships)
    nodes = [(r["id"], r["props"]) for b in sent for r in b.rows if "id" in r]
    assert sorted(nodes, key=repr) == sorted(((n.id, n.props) for n in rows.nodes), key=repr)
