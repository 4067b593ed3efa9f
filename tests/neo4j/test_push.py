"""kg.export.neo4j_bolt.push against a real Neo4j 5 server."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from neo4j_test_support import examples, expected_snapshot, graphs, label_and_type_counts, snapshot

from kg.export.neo4j_bolt import Neo4jExportError, push

pytestmark = pytest.mark.neo4j


def _push(server, G, **options):
    return push(G, server.uri, user=server.user, password=server.password, **options)


def test_push_creates_exactly_the_graph(small_graph, neo4j_server, empty_neo4j):
    result = _push(neo4j_server, small_graph)

    labels, types = label_and_type_counts(small_graph)
    assert labels == {"Paper": 3, "Concept": 9, "Method": 3, "Dataset": 2, "Metric": 2, "Task": 2, "Evidence": 17}
    for label, n in labels.items():
        assert empty_neo4j.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n").records[0]["n"] == n, label
    for rel_type, n in types.items():
        assert empty_neo4j.execute_query(f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n").records[0]["n"] == n, rel_type
    total_rels = empty_neo4j.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    assert total_rels == sum(types.values()) == small_graph.number_of_edges() + 17
    assert {k: v for k, v in result.types.items() if v} == types
    assert result.labels == labels
    assert result.changed and result.counters["nodes_created"] == 29


def test_property_values_round_trip(small_graph, neo4j_server, empty_neo4j):
    _push(neo4j_server, small_graph)
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)
    # a few values spelled out, hostile ones included
    p2 = empty_neo4j.execute_query("MATCH (p:Paper {id: 'doi:10.1000/xyz,1'}) RETURN p").records[0]["p"]
    assert p2["title"] == "<script>alert(1)</script> Transformers, again"
    assert p2["abstract"] == "Transformers are used for machine translation.\nWe report BLEU on WMT'14 — naïvely, «quoted»."
    assert p2["authors"] == ['O\'Brien, "Pat"']
    p3 = empty_neo4j.execute_query("MATCH (p:Paper {id: 'title:0123456789abcdef'}) RETURN p").records[0]["p"]
    assert p3["date"] == "--08-05" and "authors" not in p3  # empty list: not stored
    gnn = empty_neo4j.execute_query("MATCH (c:Concept:Method {id: 'method/graph-neural-networks'}) RETURN c").records[0]["c"]
    assert list(zip(gnn["aliases"], gnn["alias_counts"])) == [(f, n) for f, n in small_graph.nodes["method/graph-neural-networks"]["aliases"]]


def test_second_push_changes_nothing(small_graph, neo4j_server, empty_neo4j):
    _push(neo4j_server, small_graph)
    before = snapshot(empty_neo4j)
    again = _push(neo4j_server, small_graph, batch_size=2)
    assert not again.changed and again.sent == 0 and again.unchanged == 29 + 34 and again.batches == 0
    assert all(v == 0 for v in again.counters.values()), again.counters
    assert "nothing changed" in str(again)
    assert snapshot(empty_neo4j) == before


def test_push_updates_what_changed(small_graph, neo4j_server, empty_neo4j):
    _push(neo4j_server, small_graph)
    small_graph.nodes["arxiv:2101.00001"]["title"] = "A new title, \"quoted\""
    small_graph.nodes["arxiv:2101.00001"]["venue"] = None
    result = _push(neo4j_server, small_graph)
    assert result.counters["properties_set"] > 0 and result.counters["nodes_created"] == 0
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)


def test_small_batches_give_the_same_graph(small_graph, neo4j_server, empty_neo4j):
    result = _push(neo4j_server, small_graph, batch_size=1)
    assert result.batches == 3 + 9 + 17 + 12 + 5 + 17
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)


def test_count_check_catches_nodes_left_from_another_export(small_graph, neo4j_server, empty_neo4j):
    empty_neo4j.execute_query("CREATE (:Paper {id: 'left-over'})")
    with pytest.raises(Neo4jExportError, match=r"count check failed at bolt://.*4 :Paper nodes in the database, 3 in the graph"):
        _push(neo4j_server, small_graph)


def test_push_sends_no_paper_text_as_cypher(small_graph, neo4j_server, empty_neo4j):
    """Injection: a title that closes the string and deletes everything is stored as text."""
    small_graph.nodes["arxiv:2101.00001"]["title"] = "x'}) MATCH (n) DETACH DELETE n //"
    small_graph.nodes["method/graphsage-x"]["label"] = 'x"}) DETACH DELETE n; MATCH (m {id: "'
    _push(neo4j_server, small_graph)
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(G=graphs())
def test_any_graph_round_trips(G, neo4j_server, neo4j_driver):
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    first = _push(neo4j_server, G, batch_size=3)
    assert snapshot(neo4j_driver) == expected_snapshot(G)
    labels, types = label_and_type_counts(G)
    assert first.labels == labels and {k: v for k, v in first.types.items() if v} == types
    second = _push(neo4j_server, G)
    assert not second.changed and second.sent == 0 and second.unchanged == first.sent
