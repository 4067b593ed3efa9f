"""The delta push against a real Neo4j 5: a database holding build A takes update B by sending
only what changed, deleting what kg wrote and B no longer has, and ends equal to a clean push of B.

A and B are real ``kg build`` outputs: 30 sample papers, then the same folder updated with 30
more (ids kept, concepts renamed and retyped with their old ids redirected, counts and evidence
changed).
"""

from __future__ import annotations

import pytest
from neo4j_test_support import USER_DATA, assert_user_data_survived, expected_snapshot, snapshot

from kg.export.neo4j_bolt import push
from kg.graph.build import load_graph
from kg.pipeline import BuildOptions, build

from ..helpers import write_sample_slices

pytestmark = pytest.mark.neo4j

#: Sample papers in build A, and papers the update B adds (this slice renames and retypes concepts).
FIRST, ADDED = 30, 30


@pytest.fixture(scope="module")
def graphs_a_b(tmp_path_factory):
    """graph.json of build A and of B, the update of A built into the same folder."""
    folder = tmp_path_factory.mktemp("delta-inputs")
    a, b = write_sample_slices(folder, FIRST, ADDED)
    out, cache = folder / "out", folder / "cache"
    build(BuildOptions(inputs=[a], out=out, cache_dir=cache, jobs=1, oxigraph="no"))
    A = load_graph(out / "graph.json")
    update = build(BuildOptions(inputs=[a, b], out=out, cache_dir=cache, jobs=1, oxigraph="no", update=True))
    assert update.kind == "update"
    return A, load_graph(out / "graph.json")


def _push(server, G, **options):
    return push(G, server.uri, user=server.user, password=server.password, **options)


def _concepts(G) -> dict[str, dict]:
    return {n: a for n, a in G.nodes(data=True) if a["kind"] == "concept"}


@pytest.mark.slow
def test_delta_push_of_an_update_equals_a_clean_push(graphs_a_b, neo4j_server, empty_neo4j):
    A, B = graphs_a_b
    before, after = _concepts(A), _concepts(B)
    retired = sorted(set(before) - set(after))
    renamed = sorted(c for c in set(before) & set(after) if before[c]["label"] != after[c]["label"])
    redirected = {old: c for c, a in after.items() for old in a.get("replaces", ())}
    assert retired and renamed and set(retired) <= set(redirected), "pick a slice whose update retires and renames concepts"
    kept = renamed[0]

    first = _push(neo4j_server, A)
    assert first.mode == "full" and first.unchanged == 0 and first.deleted == 0
    assert first.sent == A.number_of_nodes() + len(A.graph["evidence"]) + A.number_of_edges() + len(A.graph["evidence"])
    empty_neo4j.execute_query(USER_DATA, kept=kept, retired=retired[0])
    rows_b = B.number_of_nodes() + 2 * len(B.graph["evidence"]) + B.number_of_edges()

    delta = _push(neo4j_server, B)
    assert delta.mode == "delta"
    assert delta.sent + delta.unchanged == rows_b
    assert 0 < delta.sent < rows_b and delta.unchanged > 0
    assert delta.deleted_nodes >= len(retired) and delta.deleted_relationships > 0
    assert delta.counters["nodes_deleted"] == delta.deleted_nodes
    assert f"sent {delta.sent} rows" in str(delta) and f"skipped {delta.unchanged} unchanged" in str(delta)

    # the user's own data survives, except what hung on a node kg deleted (DETACH DELETE)
    assert_user_data_survived(empty_neo4j, kept)
    # a retired id leaves its trace on the concept that replaces it
    for old, new in redirected.items():
        found = empty_neo4j.execute_query("MATCH (c:Concept) WHERE $old IN c.replaces RETURN c.id AS id", old=old).records
        assert [r["id"] for r in found] == [new]
        assert not empty_neo4j.execute_query("MATCH (c:Concept {id: $old}) RETURN c", old=old).records

    empty_neo4j.execute_query("MATCH (n:Note) DETACH DELETE n")
    empty_neo4j.execute_query("MATCH ()-[r:SEE_ALSO]->() DELETE r")
    dump = snapshot(empty_neo4j, hashes=True)
    assert snapshot(empty_neo4j) == expected_snapshot(B)

    again = _push(neo4j_server, B)
    assert again.mode == "delta" and again.sent == 0 and again.deleted == 0 and again.unchanged == rows_b
    assert not again.changed and again.batches == 0
    assert snapshot(empty_neo4j, hashes=True) == dump

    # the oracle: a clean full push of B into an empty database holds exactly the same
    empty_neo4j.execute_query("MATCH (n) DETACH DELETE n")
    clean = _push(neo4j_server, B, full=True)
    assert clean.mode == "full" and clean.sent == rows_b
    assert snapshot(empty_neo4j, hashes=True) == dump


def test_full_push_sends_every_row_and_repairs_hand_edits(small_graph, neo4j_server, empty_neo4j):
    _push(neo4j_server, small_graph)
    empty_neo4j.execute_query("MATCH (c:Concept {id: 'dataset/cora'}) SET c.label = 'edited by hand'")
    delta = _push(neo4j_server, small_graph)
    assert delta.sent == 0 and not delta.changed  # the delta trusts kg_hash: hand edits are not seen
    full = _push(neo4j_server, small_graph, full=True)
    assert full.mode == "full" and full.unchanged == 0 and full.sent == 29 + 34
    assert full.counters["properties_set"] > 0 and full.counters["nodes_created"] == 0
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)


def test_delta_deletes_only_what_kg_wrote(small_graph, neo4j_server, empty_neo4j):
    """Nodes and relationships with kg's labels but no kg_hash (the user's, or the bulk importer's)
    are never deleted: the count check reports them instead."""
    _push(neo4j_server, small_graph)
    empty_neo4j.execute_query(
        "MATCH (a:Paper {id: 'arxiv:2101.00001'}), (c:Concept {id: 'dataset/wmt-14'}) "
        "CREATE (:Paper {id: 'users-paper'}), (a)-[:USES {count: 1}]->(c)"
    )
    small_graph.remove_node("task/machine-translation")
    from kg.export.neo4j_bolt import Neo4jExportError

    with pytest.raises(Neo4jExportError, match=r"4 :Paper nodes in the database, 3 in the graph.*kg deletes only what it wrote"):
        _push(neo4j_server, small_graph)
    assert empty_neo4j.execute_query("MATCH (p:Paper {id: 'users-paper'}) RETURN count(p) AS n").records[0]["n"] == 1
    users_uses = "MATCH (:Paper {id: 'arxiv:2101.00001'})-[r:USES]->(:Concept {id: 'dataset/wmt-14'}) RETURN r.kg_hash AS h"
    assert [r["h"] for r in empty_neo4j.execute_query(users_uses).records] == [None]
    assert not empty_neo4j.execute_query("MATCH (c:Concept {id: 'task/machine-translation'}) RETURN c").records


def _delta_of_a_change(server, driver, small_graph):
    """Push the small graph, change it (a concept gone with its relationships, one relabelled,
    one new), push again: the second push's result and the database it leaves."""
    driver.execute_query("MATCH (n) DETACH DELETE n")
    _push(server, small_graph)
    G = small_graph.copy()
    G.graph = dict(small_graph.graph)
    G.remove_node("task/machine-translation")
    G.nodes["dataset/cora"]["label"] = "Cora (changed)"
    G.add_node("metric/f1", kind="concept", type="METRIC", label="F1", aliases=[["F1", 1]])
    G.add_edge("arxiv:2101.00001", "metric/f1", key="reports", kind="link", role="reports", count=1, confidence=1.0, evidence=[])
    result = _push(server, G)
    return G, (result.sent_nodes, result.sent_relationships, result.unchanged, result.deleted_nodes, result.deleted_relationships)


def test_read_back_in_pages_of_any_size(small_graph, neo4j_server, empty_neo4j, monkeypatch):
    """The stored hashes are read a page at a time (nodes, or a type's start nodes, in id order):
    pages of one, two or three give the delta of one page holding everything."""
    import kg.export.neo4j_bolt as bolt

    G, whole = _delta_of_a_change(neo4j_server, empty_neo4j, small_graph)
    assert whole[3:] != (0, 0) and whole[0] > 0
    for page in (1, 2, 3):
        monkeypatch.setattr(bolt, "READ_PAGE", page)
        assert _delta_of_a_change(neo4j_server, empty_neo4j, small_graph)[1] == whole
        assert snapshot(empty_neo4j) == expected_snapshot(G)


def test_read_back_pages_follow_the_id_index(neo4j_server, empty_neo4j, small_graph):
    """Each page is a range seek on the uniqueness constraint's index, in its order: no sort of
    the whole label per page (which would make reading back quadratic in the graph's size)."""
    from kg.export.neo4j_statements import stored_hash_statements

    _push(neo4j_server, small_graph)

    def operators(plan) -> set[str]:
        return {plan["operatorType"].split("@")[0]} | {op for child in plan.get("children", ()) for op in operators(child)}

    for _, name, statement in stored_hash_statements():
        plan = empty_neo4j.execute_query("EXPLAIN " + statement, after="", page=10).summary.plan
        found = operators(plan)
        assert any(op.startswith("NodeIndexSeekByRange") or op.startswith("NodeUniqueIndexSeekByRange") for op in found), (name, found)
        assert not {"Sort", "Top", "PartialSort", "PartialTop"} & found, (name, found)
