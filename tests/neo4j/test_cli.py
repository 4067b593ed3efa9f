"""``kg export neo4j`` as a user runs it: the real CLI in a subprocess against real servers.

Every failure must be one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kg.graph.io import write_node_link

pytestmark = pytest.mark.neo4j

KG = str(Path(sys.executable).parent / "kg")


@pytest.fixture
def graph_json(small_graph, tmp_path) -> Path:
    return write_node_link(small_graph, tmp_path / "graph.json")


def kg_export(graph_json, uri, *args, password=None, env_var="KG_TEST_NEO4J_PASSWORD"):
    env = {k: v for k, v in os.environ.items() if k != env_var}
    if password is not None:
        env[env_var] = password
    command = [KG, "export", "neo4j", "--uri", uri, "--graph", str(graph_json), *args]
    if "--password-env" not in args:
        command += ["--password-env", env_var]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)


def one_error_line(proc) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("kg: ")
    return lines[0]


def test_push_and_push_again(graph_json, neo4j_server, empty_neo4j):
    first = kg_export(graph_json, neo4j_server.uri, password=neo4j_server.password)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Pushed the graph to {neo4j_server.uri}")
    assert "created 29 nodes and 34 relationships" in first.stdout
    assert "full push: sent 63 rows (29 nodes, 34 relationships), skipped 0 unchanged, deleted 0" in first.stdout
    second = kg_export(graph_json, neo4j_server.uri, "--batch-size", "5", password=neo4j_server.password)
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert "delta push: sent 0 rows (0 nodes, 0 relationships), skipped 63 unchanged, deleted 0" in second.stdout
    full = kg_export(graph_json, neo4j_server.uri, "--full", password=neo4j_server.password)
    assert full.returncode == 0, full.stderr
    assert "full push: sent 63 rows" in full.stdout and "nothing changed" in full.stdout


def test_wrong_password(graph_json, neo4j_server):
    proc = kg_export(graph_json, neo4j_server.uri, password="not-the-password")
    assert one_error_line(proc) == f"kg: authentication failed for user 'neo4j' at {neo4j_server.uri}"


def test_wrong_user(graph_json, neo4j_server):
    proc = kg_export(graph_json, neo4j_server.uri, "--user", "alice", password=neo4j_server.password)
    assert one_error_line(proc) == f"kg: authentication failed for user 'alice' at {neo4j_server.uri}"


def test_no_password_on_a_server_with_auth(graph_json, neo4j_server):
    proc = kg_export(graph_json, neo4j_server.uri, "--password-env", "")
    line = one_error_line(proc)
    assert line.startswith(f"kg: authentication failed for user 'neo4j' at {neo4j_server.uri}")


def test_unreachable_server(graph_json):
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    uri = f"bolt://127.0.0.1:{port}"
    line = one_error_line(kg_export(graph_json, uri, password="x"))
    assert line.startswith(f"kg: cannot reach Neo4j at {uri}: ")
    assert "refused" in line.lower()


def test_read_only_server(graph_json, start_neo4j):
    server = start_neo4j(read_only=True)
    try:
        line = one_error_line(kg_export(graph_json, server.uri, password=server.password))
        assert line.startswith(f"kg: no write rights on the default database at {server.uri} for user 'neo4j': ")
    finally:
        server.stop()


def test_missing_database(graph_json, neo4j_server):
    proc = kg_export(graph_json, neo4j_server.uri, "--database", "nosuchdb", password=neo4j_server.password)
    assert one_error_line(proc) == f"kg: database 'nosuchdb' does not exist at {neo4j_server.uri}"


def test_bad_uri(graph_json):
    line = one_error_line(kg_export(graph_json, "http://127.0.0.1:7474", password="x"))
    assert line.startswith("kg: invalid Neo4j URI 'http://127.0.0.1:7474': ")


def test_graph_outside_the_schema(small_graph, tmp_path, neo4j_server, empty_neo4j):
    small_graph.add_edge("arxiv:2101.00001", "dataset/cora", key="cites", kind="link", role="cites", count=1, confidence=1.0, evidence=[])
    path = write_node_link(small_graph, tmp_path / "graph.json")
    line = one_error_line(kg_export(path, neo4j_server.uri, password=neo4j_server.password))
    assert line == "kg: edge 'arxiv:2101.00001' -> 'dataset/cora' (cites): role 'cites' is not one of mentions, proposes, uses, evaluates_on, reports, addresses"
    assert empty_neo4j.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"] == 0
