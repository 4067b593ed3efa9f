"""import.cypher (kg.export.neo4j_cypher) run by the real cypher-shell and through the driver."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neo4j_test_support import examples, expected_snapshot, graphs, hostile_graph, snapshot, texts

from kg.export.neo4j_bolt import push
from kg.export.neo4j_cypher import cypher_literal, run_script, write_cypher

pytestmark = pytest.mark.neo4j

UPDATES = re.compile(r"^(Added|Created|Set|Deleted|Removed) ", re.M)


def _shell(cypher_shell, server, script):
    proc = cypher_shell.run(server, script)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "error" not in proc.stderr.lower(), proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.parametrize("graph", ["small", "hostile"])
def test_cypher_shell_loads_the_script_idempotently(graph, small_graph, tmp_path, cypher_shell, neo4j_server, empty_neo4j):
    G = small_graph if graph == "small" else hostile_graph()
    script = write_cypher(G, tmp_path / "import.cypher", batch_size=7)

    first = _shell(cypher_shell, neo4j_server, script)
    assert UPDATES.search(first)
    assert snapshot(empty_neo4j) == expected_snapshot(G)

    second = _shell(cypher_shell, neo4j_server, script)
    assert not UPDATES.search(second), UPDATES.findall(second)
    assert snapshot(empty_neo4j) == expected_snapshot(G)

    # the script and the push give the same graph: pushing over it creates nothing and only adds
    # the push's kg_hash marker (the script writes none, so every row is sent once)
    over = push(G, neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
    assert over.mode == "full" and over.deleted == 0
    assert over.counters["nodes_created"] == over.counters["relationships_created"] == over.counters["labels_added"] == 0
    assert snapshot(empty_neo4j) == expected_snapshot(G)
    again = push(G, neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
    assert not again.changed and again.sent == 0


def test_script_through_the_driver_gives_the_same_graph(small_graph, tmp_path, empty_neo4j):
    script = write_cypher(small_graph, tmp_path / "import.cypher")
    first = run_script(empty_neo4j, script)
    assert first["nodes_created"] == 29 and first["relationships_created"] == 34
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)
    second = run_script(empty_neo4j, script)
    assert all(v == 0 for v in second.values()), second
    assert snapshot(empty_neo4j) == expected_snapshot(small_graph)


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(G=graphs())
def test_any_graph_script_round_trips(G, tmp_path_factory, neo4j_driver):
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    script = write_cypher(G, tmp_path_factory.mktemp("script") / "import.cypher", batch_size=2)
    run_script(neo4j_driver, script)
    assert snapshot(neo4j_driver) == expected_snapshot(G)
    assert not any(run_script(neo4j_driver, script).values())


@settings(max_examples=examples(60), deadline=None)
@given(value=st.recursive(st.one_of(texts, st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.from_regex(r"[A-Za-z_][ -~]{0,8}", fullmatch=True), inner, max_size=3), max_leaves=8))
def test_literals_read_the_same_in_neo4j(value, neo4j_driver):
    """Neo4j's own Cypher parser reads every literal kg writes as the value it came from."""
    record = neo4j_driver.execute_query("RETURN " + cypher_literal(value) + " AS v").records[0]
    assert record["v"] == value
