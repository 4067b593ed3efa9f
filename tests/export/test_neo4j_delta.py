"""kg.export.neo4j_delta: which rows a push sends, skips and deletes, from the stored hashes.

The oracle is a plain dict of every stored key to its ``kg_hash`` (what the push kept before it
held the hashes as arrays), compared row by row.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from neo4j_test_support import examples, graphs

from kg.export.neo4j_delta import KeyedDigests, changed_rows, node_hash, relationship_hash, row_key
from kg.export.neo4j_rows import NodeRow, RelationshipRow, graph_rows
from kg.export.neo4j_statements import delete_batches, delete_node_statement, delete_relationship_statement


def _kind(row) -> str:
    return row.labels[0] if isinstance(row, NodeRow) else row.type


def _row_hash(row) -> str:
    return node_hash(row) if isinstance(row, NodeRow) else relationship_hash(row)


def _stored(rows) -> dict[str, dict[str, str]]:
    """kind -> key -> kg_hash of every row, as a database that holds ``rows`` gives them back."""
    stored: dict[str, dict[str, str]] = {}
    for row in [*rows.nodes, *rows.relationships]:
        stored.setdefault(_kind(row), {})[row_key(row)] = _row_hash(row)
    return stored


def _held(stored: dict[str, dict[str, str]]) -> dict[str, KeyedDigests]:
    held = {}
    for kind, keys in stored.items():
        held[kind] = KeyedDigests()
        held[kind].add(list(keys), map(hash, keys.values()))
        assert held[kind].freeze() == 0
    return held


def _push_plan(rows, stored, *, full=False, chunk=3):
    """What the push sends (rows with kg_hash) and deletes (kind, key), compared chunk by chunk."""
    held = _held(stored)
    sent = []
    for group in (rows.nodes, rows.relationships):
        by_kind: dict[str, list] = {}
        for row in group:
            by_kind.setdefault(_kind(row), []).append(row)
        for kind, kind_rows in by_kind.items():
            for i in range(0, len(kind_rows), chunk):
                sent += changed_rows(kind_rows[i : i + chunk], held.get(kind), full=full)
    deleted = []
    for kind, keys in stored.items():
        again = list(keys)  # the second read of the keys, for the deletions
        unseen = held[kind].unseen(again)
        assert held[kind].missing == len(unseen)
        deleted += [(kind, again[i]) for i in unseen]
    unchanged = sum(h.unchanged for h in held.values())
    return sent, sorted(deleted), unchanged


def _brute_force(rows, stored, *, full=False):
    sent = [row for row in [*rows.nodes, *rows.relationships]
            if full or stored.get(_kind(row), {}).get(row_key(row)) != _row_hash(row)]
    named = {(_kind(row), row_key(row)) for row in [*rows.nodes, *rows.relationships]}
    deleted = sorted((kind, key) for kind, keys in stored.items() for key in keys if (kind, key) not in named)
    return sent, deleted


def _check(new, old, *, full=False):
    stored = _stored(old)
    sent, deleted, unchanged = _push_plan(new, stored, full=full)
    want_sent, want_deleted = _brute_force(new, stored, full=full)
    assert [(row._replace(props={k: v for k, v in row.props.items() if k != "kg_hash"})) for row in sent] == want_sent
    assert all(row.props["kg_hash"] == _row_hash(want) for row, want in zip(sent, want_sent))
    assert deleted == want_deleted
    assert unchanged == len(new.nodes) + len(new.relationships) - len(want_sent)
    return sent, deleted


def test_nothing_to_send_for_the_same_graph(small_graph):
    rows = graph_rows(small_graph)
    sent, deleted = _check(rows, rows)
    assert sent == [] and deleted == []


def test_changed_new_and_gone_rows(small_graph):
    old = graph_rows(small_graph)
    G = copy.deepcopy(small_graph)
    G.nodes["dataset/cora"]["label"] = "Cora (changed)"
    G.remove_node("task/machine-translation")
    G.add_node("metric/f1", kind="concept", type="METRIC", label="F1", aliases=[["F1", 1]])
    G.add_edge("arxiv:2101.00001", "metric/f1", key="reports", kind="link", role="reports", count=1, confidence=1.0, evidence=[])
    sent, deleted = _check(graph_rows(G), old)
    assert [getattr(r, "id", None) or (r.type, r.start, r.end) for r in sent] == ["dataset/cora", "metric/f1", ("REPORTS", "arxiv:2101.00001", "metric/f1")]
    assert ("Concept", "task/machine-translation") in deleted and len(deleted) > 1  # with its relationships


def test_full_sends_every_row_and_deletes_the_same(small_graph):
    rows = graph_rows(small_graph)
    G = copy.deepcopy(small_graph)
    G.remove_node("task/machine-translation")
    sent, deleted = _check(graph_rows(G), rows, full=True)
    assert len(sent) == len(graph_rows(G).nodes) + len(graph_rows(G).relationships)
    assert ("Concept", "task/machine-translation") in deleted


@settings(max_examples=examples(60), deadline=None)
@given(A=graphs(), B=graphs())
def test_any_two_graphs_against_the_brute_force(A, B):
    for full in (False, True):
        _check(graph_rows(B), graph_rows(A), full=full)
    _check(graph_rows(A), graph_rows(A))


def test_relationship_keys_do_not_run_together():
    rel = lambda start, end: RelationshipRow("USES", "Paper", start, "Concept", end, {})  # noqa: E731
    held = KeyedDigests()
    held.add([row_key(rel("ab", "c"))], [hash("h")])
    held.freeze()
    assert held.compare([row_key(rel("a", "bc"))], [hash("h")]) == [True] and held.missing == 1


def test_a_key_held_twice_is_sent_again():
    """Two relationships under one key (a hand-made copy): the row is sent, which rewrites both."""
    held = KeyedDigests()
    held.add(["k", "k", "j"], [hash("h"), hash("h"), hash("g")])
    assert held.freeze() == 1 and held.count == 2
    assert held.compare(["k", "j"], [hash("h"), hash("g")]) == [True, False]
    assert held.missing == 0 and held.unseen(["k", "k", "j"]) == []


def test_keys_are_hashed_twice():
    """A key found by its first hash but not its second is another key (new, and the kept one unseen)."""
    held = KeyedDigests()
    held.add(["a"], [hash("h")])
    held.freeze()
    held.second[0] += 1  # as if "a" were another key with the same first hash
    assert held.compare(["a"], [hash("h")]) == [True] and held.missing == 1


def test_empty_and_unknown():
    held = KeyedDigests()
    assert held.freeze() == 0
    assert held.compare(["a"], [1]) == [True] and held.missing == 0 and held.unseen(["a"]) == []
    with pytest.raises(ValueError, match="one digest per key"):
        KeyedDigests().add(["a", "b"], [1])


def test_delete_statements_touch_only_what_kg_wrote():
    with pytest.raises(AssertionError):
        delete_node_statement("Note")
    with pytest.raises(AssertionError):
        delete_relationship_statement("ABOUT")
    plan = list(delete_batches([("Concept", "a"), ("Paper", "p")], [("USES", "p", "a")], batch_size=1))
    assert [b.rows for b in plan] == [[{"start": "p", "end": "a"}], ["a"], ["p"]]  # relationships first
    assert all("kg_hash IS NOT NULL" in b.statement and "$rows" in b.statement for b in plan)
    assert plan[0].statement.startswith("UNWIND $rows AS row MATCH (a:Paper {id: row.start})-[r:USES]->(b:Concept {id: row.end})")


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


def test_the_hash_is_the_canonical_json_of_the_row():
    """kg_hash values already in databases stay valid: the blake2b-128 of the row's JSON with
    sorted keys, compact separators and ASCII escapes."""
    import hashlib
    import json

    row = NodeRow(("Concept", "Method"), {"id": "method/é", "aliases": ["É", "e"], "count": 2, "score": 0.5, "flag": True})
    text = json.dumps([list(row.labels), row.props], ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    assert node_hash(row) == hashlib.blake2b(text.encode("ascii"), digest_size=16).hexdigest()
