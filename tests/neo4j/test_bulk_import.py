"""The bulk-import CSVs (kg.export.neo4j_files) loaded by the real neo4j-admin importer.

The test runs the exact command of the generated README with bash, from the export folder,
against a NEO4J_HOME whose ``bin/neo4j-admin`` is Neo4j 5.26's own tool, starts a server on the
imported store and compares it with what the push gives.
"""

from __future__ import annotations

import re
import subprocess

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from neo4j_test_support import examples, expected_snapshot, graphs, hostile_graph, snapshot

from kg.export.neo4j_bolt import push
from kg.export.neo4j_files import write_bulk_import

pytestmark = pytest.mark.neo4j


def readme_command(folder) -> str:
    """The shell command of the README's import section."""
    readme = (folder / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Import into Neo4j 5", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", section, re.S).group(1)


def import_and_start(G, folder, home, start_neo4j):
    write_bulk_import(G, folder)
    command = readme_command(folder)
    assert command.startswith("$NEO4J_HOME/bin/neo4j-admin database import full neo4j")
    proc = subprocess.run(["bash", "-c", command], cwd=folder, env={"NEO4J_HOME": str(home), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "IMPORT DONE" in proc.stdout
    return start_neo4j(home=home)


def driver_for(server):
    import neo4j

    return neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password), notifications_min_severity="OFF")


def combined_graph(small_graph) -> nx.MultiDiGraph:
    G = nx.compose(small_graph, hostile_graph())
    G.graph["evidence"] = {**small_graph.graph["evidence"], **hostile_graph().graph["evidence"]}
    return G


def test_importer_loads_the_same_graph_as_the_push(small_graph, tmp_path, make_neo4j_home, start_neo4j, cypher_shell, neo4j_server, empty_neo4j):
    G = combined_graph(small_graph)
    folder = tmp_path / "neo4j"
    server = import_and_start(G, folder, make_neo4j_home(), start_neo4j)
    try:
        with driver_for(server) as imported:
            assert snapshot(imported) == expected_snapshot(G, bulk_import=True)
            push(G, neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)
            assert snapshot(empty_neo4j) == expected_snapshot(G)
            # the one documented difference: a list holding only "" is not in the imported store
            blank = "paper 0 "  # hostile_graph's paper for the empty string: categories == [""]
            assert snapshot(empty_neo4j)["nodes"][("Paper", blank)][1]["categories"] == [""]
            assert "categories" not in snapshot(imported)["nodes"][("Paper", blank)][1]

            # constraints.cypher, then import.cypher over the imported store: it finds every node and
            # relationship (creates none) and only adds those [""] lists back
            from kg.export.neo4j_cypher import write_cypher

            script = write_cypher(G, folder / "import.cypher")
            for path in (folder / "constraints.cypher", script):
                proc = cypher_shell.run(server, path)
                assert proc.returncode == 0, proc.stderr[-2000:]
            assert not re.search(r"^Created ", proc.stdout, re.M), proc.stdout[-2000:]
            assert snapshot(imported) == expected_snapshot(G)
            # the push over the imported graph creates nothing, only adds its kg_hash marker
            over = push(G, server.uri, user=server.user, password=server.password)
            assert over.mode == "full" and over.deleted == 0
            assert over.counters["nodes_created"] == over.counters["relationships_created"] == 0
            assert snapshot(imported) == expected_snapshot(G)
            assert not push(G, server.uri, user=server.user, password=server.password).changed
    finally:
        server.stop()


@settings(max_examples=examples(1), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(G=graphs(max_papers=12, max_concepts=12))
def test_any_graph_imports_unchanged(G, tmp_path_factory, make_neo4j_home, start_neo4j):
    server = import_and_start(G, tmp_path_factory.mktemp("bulk") / "neo4j", make_neo4j_home(), start_neo4j)
    try:
        with driver_for(server) as imported:
            assert snapshot(imported) == expected_snapshot(G, bulk_import=True)
    finally:
        server.stop()
