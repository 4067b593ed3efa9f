"""kg.export.neo4j_delta: which rows a push sends, skips and deletes, from the stored hashes."""

from __future__ import annotations

import copy

import pytest

from kg.export.neo4j_delta import node_hash, plan_delta, relationship_hash
from kg.export.neo4j_rows import graph_rows
from kg.export.neo4j_statements import delete_batches, delete_node_statement, delete_relationship_statement


def _stored(rows):
    nodes = {(n.labels[0], n.id): node_hash(n) for n in rows.nodes}
    rels = {(r.type, r.start, r.end): relationship_hash(r) for r in rows.relationships}
    return nodes, rels


def test_nothing_to_send_for_the_same_graph(small_graph):
    rows = graph_rows(small_graph)
    delta = plan_delta(rows, *_stored(rows))
    assert delta.sent == 0 and delta.deleted == 0
    assert (delta.unchanged_nodes, delta.unchanged_relationships) == (len(rows.nodes), len(rows.relationships))


def test_changed_new_and_gone_rows(small_graph):
    old = graph_rows(small_graph)
    G = copy.deepcopy(small_graph)
    G.nodes["dataset/cora"]["label"] = "Cora (changed)"
    G.remove_node("task/machine-translation")
    G.add_node("metric/f1", kind="concept", type="METRIC", label="F1", aliases=[["F1", 1]])
    G.add_edge("arxiv:2101.00001", "metric/f1", key="reports", kind="link", role="reports", count=1, confidence=1.0, evidence=[])
    new = graph_rows(G)
    delta = plan_delta(new, *_stored(old))
    assert [n.id for n in delta.send.nodes] == ["dataset/cora", "metric/f1"]
    assert all(n.props["kg_hash"] == node_hash(m) for n, m in zip(delta.send.nodes, [r for r in new.nodes if r.id in ("dataset/cora", "metric/f1")]))
    assert [(r.type, r.start, r.end) for r in delta.send.relationships] == [("REPORTS", "arxiv:2101.00001", "metric/f1")]
    assert delta.delete_nodes == [("Concept", "task/machine-translation")]
    gone = {(r.type, r.start, r.end) for r in old.relationships} - {(r.type, r.start, r.end) for r in new.relationships}
    assert gone and set(delta.delete_relationships) == gone
    assert delta.sent + delta.unchanged == len(new.nodes) + len(new.relationships)


def test_full_sends_every_row_and_deletes_the_same(small_graph):
    rows = graph_rows(small_graph)
    stored_nodes, stored_rels = _stored(rows)
    stored_nodes[("Paper", "gone")] = "x"
    delta = plan_delta(rows, stored_nodes, stored_rels, full=True)
    assert delta.unchanged == 0 and delta.sent == len(rows.nodes) + len(rows.relationships)
    assert delta.delete_nodes == [("Paper", "gone")]


def test_hash_covers_labels_ends_and_every_value(small_graph):
    rows = graph_rows(small_graph)
    node, rel = rows.nodes[0], rows.relationships[0]
    assert node_hash(node) != node_hash(type(node)(("Evidence",), node.props))
    assert node_hash(node) != node_hash(type(node)(node.labels, {**node.props, "title": node.props["title"] + " "}))
    assert node_hash(node) != node_hash(type(node)(node.labels, {**node.props, "extra": 1}))
    moved = type(rel)(rel.type, rel.start_label, rel.start, rel.end_label, "elsewhere", rel.props)
    assert relationship_hash(rel) != relationship_hash(moved)
    assert relationship_hash(rel) != relationship_hash(type(rel)(rel.type, rel.start_label, rel.start, rel.end_label, rel.end, {**rel.props, "count": 99}))
    # 1 and 1.0 are different Neo4j values (long, double)
    assert node_hash(type(node)(("Paper",), {"id": "p", "x": 1})) != node_hash(type(node)(("Paper",), {"id": "p", "x": 1.0}))


def test_delete_statements_touch_only_what_kg_wrote():
    with pytest.raises(AssertionError):
        delete_node_statement("Note")
    with pytest.raises(AssertionError):
        delete_relationship_statement("ABOUT")
    plan = list(delete_batches([("Concept", "a"), ("Paper", "p")], [("USES", "p", "a")], batch_size=1))
    assert [b.rows for b in plan] == [[{"start": "p", "end": "a"}], ["a"], ["p"]]  # relationships first
    assert all("kg_hash IS NOT NULL" in b.statement and "$rows" in b.statement for b in plan)
    assert plan[0].statement.startswith("UNWIND $rows AS row MATCH (a:Paper {id: row.start})-[r:USES]->(b:Concept {id: row.end})")
