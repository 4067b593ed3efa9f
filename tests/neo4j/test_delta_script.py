"""delta.cypher against a real Neo4j 5, run by the real cypher-shell: a database loaded with
build A's import.cypher takes B's delta.cypher and ends equal to a database loaded with B's full
import.cypher, the user's own data surviving.

A and B are real ``kg build`` outputs: 30 sample papers, then the same folder updated with 30
more (ids kept, concepts renamed and retyped with their old ids redirected, counts and evidence
changed), as in ``test_push_delta.py``.
"""

from __future__ import annotations

import shutil

import pytest
from neo4j_test_support import USER_DATA, assert_user_data_survived, expected_snapshot, snapshot

from kg.graph.build import load_graph
from kg.pipeline import BuildOptions, build

from ..helpers import write_sample_slices

pytestmark = pytest.mark.neo4j

FIRST, ADDED = 30, 30

@pytest.fixture(scope="module")
def builds_a_b(tmp_path_factory):
    """A's neo4j folder (kept aside), B's (the update built into the same folder) and both graphs."""
    folder = tmp_path_factory.mktemp("delta-script-inputs")
    a, b = write_sample_slices(folder, FIRST, ADDED)
    out, cache = folder / "out", folder / "cache"
    clean = build(BuildOptions(inputs=[a], out=out, cache_dir=cache, jobs=1, oxigraph="no"))
    assert not (out / "neo4j" / "delta.cypher").exists()  # a clean build writes no delta
    shutil.copytree(out / "neo4j", folder / "a-neo4j")
    A = load_graph(out / "graph.json")
    update = build(BuildOptions(inputs=[a, b], out=out, cache_dir=cache, jobs=1, oxigraph="no", update=True))
    assert update.kind == "update" and clean.kind == "clean"
    return folder / "a-neo4j", out / "neo4j", A, load_graph(out / "graph.json")


def _shell(cypher_shell, server, script):
    proc = cypher_shell.run(server, script)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "error" not in proc.stderr.lower(), proc.stderr[-2000:]
    return proc.stdout


def _concepts(G) -> dict[str, dict]:
    return {n: a for n, a in G.nodes(data=True) if a["kind"] == "concept"}


@pytest.mark.slow
def test_delta_script_over_a_equals_b_loaded_whole(builds_a_b, cypher_shell, neo4j_server, empty_neo4j):
    a_files, b_files, A, B = builds_a_b
    delta = b_files / "delta.cypher"
    assert delta.is_file(), "an update writes neo4j/delta.cypher"
    before, after = _concepts(A), _concepts(B)
    retired = sorted(set(before) - set(after))
    renamed = sorted(c for c in set(before) & set(after) if before[c]["label"] != after[c]["label"])
    assert retired and renamed, "pick a slice whose update retires and renames concepts"
    kept = renamed[0]

    _shell(cypher_shell, neo4j_server, a_files / "import.cypher")
    assert snapshot(empty_neo4j) == expected_snapshot(A)
    empty_neo4j.execute_query(USER_DATA, kept=kept, retired=retired[0])

    _shell(cypher_shell, neo4j_server, delta)

    # the user's own data survives, except what hung on a node kg deleted (DETACH DELETE)
    assert_user_data_survived(empty_neo4j, kept)
    empty_neo4j.execute_query("MATCH (n:Note) DETACH DELETE n")
    empty_neo4j.execute_query("MATCH ()-[r:SEE_ALSO]->() DELETE r")
    dump = snapshot(empty_neo4j)
    assert dump == expected_snapshot(B)

    # a second run passes the check (the database holds B) and changes nothing
    again = _shell(cypher_shell, neo4j_server, delta)
    assert snapshot(empty_neo4j) == dump, again[-500:]

    # the oracle: B's full import.cypher into an empty database holds exactly the same
    empty_neo4j.execute_query("MATCH (n) DETACH DELETE n")
    _shell(cypher_shell, neo4j_server, b_files / "import.cypher")
    assert snapshot(empty_neo4j) == dump


def test_delta_script_refuses_a_database_without_the_previous_build(builds_a_b, cypher_shell, neo4j_server, empty_neo4j):
    _, b_files, _, _ = builds_a_b
    empty_neo4j.execute_query("CREATE (:Paper {id: 'someone-elses'})-[:CITES]->(:Note {id: 'n'})")
    before = snapshot(empty_neo4j)
    proc = cypher_shell.run(neo4j_server, b_files / "delta.cypher")
    assert proc.returncode != 0
    assert "kg delta.cypher: this database holds neither the build this script starts from nor the one it leads to" in proc.stderr
    assert snapshot(empty_neo4j) == before  # nothing was changed
