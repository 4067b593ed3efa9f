"""kg.export.neo4j_delta_script: delta.cypher, planned against the previous build's CSVs.

The oracle here is brute force over the two graphs' rows (every row compared by key and by
:func:`kg.export.neo4j_delta.node_hash`, independent of the CSV digests the delta uses), and a
small interpreter of the statements kg writes applied to the previous build's rows; the real
server runs the same scripts in ``tests/neo4j/test_delta_script.py``.
"""

from __future__ import annotations

import copy
import logging
import re

import pytest
from neo4j_test_support import hostile_graph

from kg.export.neo4j_cypher import iter_statements
from kg.export.neo4j_delta import node_hash, relationship_hash
from kg.export.neo4j_delta_script import DELTA_FILE, key_fields, read_records
from kg.export.neo4j_files import NODE_FILES, node_header, write_bulk_import
from kg.export.neo4j_rows import graph_rows
from kg.export.neo4j_statements import DELTA_RUN, delta_counted

_NODE = re.compile(r"UNWIND \$rows AS row MERGE \(n:(\w+) \{id: row\.id\}\)((?: SET n:\w+)*) WITH")
_REL = re.compile(r"UNWIND \$rows AS row MATCH \(a:(\w+) \{id: row\.start\}\) MATCH \(b:(\w+) \{id: row\.end\}\) MERGE \(a\)-\[r:(\w+)\]->\(b\)")
_DELETE_NODE = re.compile(r"UNWIND \$rows AS id MATCH \(n:(\w+) \{id: id\}\) DETACH DELETE n\Z")
_DELETE_REL = re.compile(r"UNWIND \$rows AS row MATCH \(a:(\w+) \{id: row\.start\}\)-\[r:(\w+)\]->\(b:(\w+) \{id: row\.end\}\) DELETE r\Z")


class WrongDatabase(AssertionError):
    pass


def apply_script(db: dict, script) -> dict:
    """Run a script kg wrote on ``db`` ({"nodes": {(key label, id): (labels, props)}, "rels":
    {(type, start, end): props}, "markers": set}) with the semantics of its Cypher statements."""
    nodes, rels, markers = db["nodes"], db["rels"], db["markers"]
    for statement, params in iter_statements(script):
        rows = params.get("rows", [])
        if statement.startswith("CREATE "):
            continue
        if "date('kg delta.cypher" in statement:
            found = [sum(1 for k in nodes if k[0] == n) + sum(1 for k in rels if k[0] == n) for n in delta_counted()]
            delta = params["delta"]
            if found not in (delta["before"], delta["after"]) and delta["id"] not in markers:
                raise WrongDatabase(found)
        elif statement.startswith(f"MERGE (:{DELTA_RUN}"):
            markers.add(params["delta"]["id"])
        elif statement.startswith(f"MATCH (m:{DELTA_RUN}"):
            markers.discard(params["delta"]["id"])
        elif m := _NODE.match(statement):
            labels = {m.group(1), *re.findall(r"SET n:(\w+)", m.group(2))}
            for row in rows:
                old = nodes.get((m.group(1), row["id"]), (set(), {}))[0]
                nodes[(m.group(1), row["id"])] = (old | labels, dict(row["props"]))
        elif m := _REL.match(statement):
            for row in rows:
                if (m.group(1), row["start"]) in nodes and (m.group(2), row["end"]) in nodes:
                    rels[(m.group(3), row["start"], row["end"])] = dict(row["props"])
        elif m := _DELETE_NODE.match(statement):
            for node_id in rows:
                if nodes.pop((m.group(1), node_id), None) is not None:
                    for key in [k for k in rels if node_id in (k[1], k[2])]:
                        del rels[key]
        elif m := _DELETE_REL.match(statement):
            for row in rows:
                rels.pop((m.group(2), row["start"], row["end"]), None)
        else:
            raise AssertionError(f"unexpected statement {statement[:80]!r}")
    return db


def empty_db() -> dict:
    return {"nodes": {}, "rels": {}, "markers": set()}


def rows_db(G) -> dict:
    """What a database loaded with ``G``'s import.cypher holds."""
    rows = graph_rows(G)
    return {
        "nodes": {(n.labels[0], n.id): (set(n.labels), n.props) for n in rows.nodes},
        "rels": {(r.type, r.start, r.end): r.props for r in rows.relationships},
        "markers": set(),
    }


def changed_graph(G):
    """``G`` with a concept renamed, one removed (with its edges), one added and linked."""
    H = copy.deepcopy(G)
    H.nodes["dataset/cora"]["label"] = "Cora (changed)"
    H.remove_node("task/machine-translation")
    H.add_node("metric/f1", kind="concept", type="METRIC", label="F1", aliases=[["F1", 1]])
    H.add_edge("arxiv:2101.00001", "metric/f1", key="reports", kind="link", role="reports", count=1, confidence=1.0, evidence=[])
    return H


def _export(G, folder, previous=None, batch_size=500):
    return write_bulk_import(G, folder, cypher=folder / "import.cypher", previous=previous, batch_size=batch_size)


@pytest.mark.parametrize("batch_size", [1, 500])
def test_delta_turns_the_previous_build_into_this_one(small_graph, tmp_path, batch_size):
    A, B = small_graph, changed_graph(small_graph)
    _export(A, tmp_path / "a")
    out = _export(B, tmp_path / "b", previous=tmp_path / "a", batch_size=batch_size)
    delta = out / DELTA_FILE

    # exactly the rows that differ are written, and exactly the keys B lacks are deleted (brute force)
    old, new = graph_rows(A), graph_rows(B)
    old_nodes = {(n.labels[0], n.id): node_hash(n) for n in old.nodes}
    old_rels = {(r.type, r.start, r.end): relationship_hash(r) for r in old.relationships}
    want_nodes = {n.id for n in new.nodes if old_nodes.get((n.labels[0], n.id)) != node_hash(n)}
    want_rels = {(r.type, r.start, r.end) for r in new.relationships if old_rels.get((r.type, r.start, r.end)) != relationship_hash(r)}
    sent_nodes, sent_rels, deleted_nodes, deleted_rels = set(), set(), set(), set()
    for statement, params in iter_statements(delta):
        if m := _NODE.match(statement):
            sent_nodes |= {row["id"] for row in params["rows"]}
        elif m := _REL.match(statement):
            sent_rels |= {(m.group(3), row["start"], row["end"]) for row in params["rows"]}
        elif m := _DELETE_NODE.match(statement):
            deleted_nodes |= {(m.group(1), i) for i in params["rows"]}
        elif m := _DELETE_REL.match(statement):
            deleted_rels |= {(m.group(2), row["start"], row["end"]) for row in params["rows"]}
        assert len(params.get("rows", ())) <= batch_size
    assert sent_nodes == want_nodes == {"dataset/cora", "metric/f1"}
    assert sent_rels == want_rels and ("REPORTS", "arxiv:2101.00001", "metric/f1") in sent_rels
    assert deleted_nodes == set(old_nodes) - {(n.labels[0], n.id) for n in new.nodes} == {("Concept", "task/machine-translation")}
    assert deleted_rels == set(old_rels) - {(r.type, r.start, r.end) for r in new.relationships} and deleted_rels

    # applied to A's database it gives B's, as B's import.cypher does into an empty one; twice is harmless
    db = apply_script(apply_script(empty_db(), tmp_path / "a" / "import.cypher"), delta)
    assert db == rows_db(B) == apply_script(empty_db(), out / "import.cypher")
    assert apply_script(db, delta) == rows_db(B)
    text = delta.read_text(encoding="ascii")
    assert "// From (the previous build): 3 :Paper, " in text and "rows unchanged" in text
    assert "delta.cypher" in (out / "README.md").read_text()


def test_a_run_that_stopped_midway_can_be_run_again(small_graph, tmp_path):
    A, B = small_graph, changed_graph(small_graph)
    _export(A, tmp_path / "a")
    delta = _export(B, tmp_path / "b", previous=tmp_path / "a", batch_size=1) / DELTA_FILE
    lines = delta.read_text(encoding="ascii").splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if line.startswith("UNWIND") and "DETACH DELETE" in line) + 1  # after the first node deletion
    (tmp_path / "part.cypher").write_text("".join(lines[:cut]), encoding="ascii")
    db = apply_script(rows_db(A), tmp_path / "part.cypher")
    assert db["markers"] and db != rows_db(A)
    assert apply_script(db, delta) == rows_db(B)


def test_the_wrong_database_is_refused_before_any_change(small_graph, tmp_path):
    A, B = small_graph, changed_graph(small_graph)
    _export(A, tmp_path / "a")
    delta = _export(B, tmp_path / "b", previous=tmp_path / "a") / DELTA_FILE
    other = rows_db(A)
    other["nodes"][("Paper", "someone-elses")] = ({"Paper"}, {"id": "someone-elses"})
    for db in (empty_db(), other):
        before = copy.deepcopy(db)
        with pytest.raises(WrongDatabase):
            apply_script(db, delta)
        assert db == before
    first = next(iter_statements(delta))[0]
    assert "date('kg delta.cypher" in first  # the check is the first statement


def test_no_delta_without_a_previous_build_or_its_csvs(small_graph, tmp_path, caplog):
    out = _export(small_graph, tmp_path / "clean")
    assert not (out / DELTA_FILE).exists() and "delta.cypher" not in (out / "README.md").read_text()
    (tmp_path / "old").mkdir()
    with caplog.at_level(logging.WARNING):
        out = _export(small_graph, tmp_path / "b", previous=tmp_path / "old")
    assert not (out / DELTA_FILE).exists() and "nodes_paper.csv is missing" in caplog.text
    # CSVs of another layout (an older kg): no delta either, and nothing half-written
    _export(small_graph, tmp_path / "a")
    paper = tmp_path / "a" / "nodes_paper.csv"
    paper.write_text(paper.read_text().replace("title:string", "name:string", 1))
    out = _export(small_graph, tmp_path / "c", previous=tmp_path / "a")
    assert not (out / DELTA_FILE).exists() and "another header" in caplog.text


def test_records_span_lines_and_keys_read_back(tmp_path):
    G = hostile_graph()
    out = _export(G, tmp_path / "h")
    name, label, props = NODE_FILES[0]
    records = list(read_records(out / name, ",".join(node_header(label, props))))
    ids = sorted(n for n, a in G.nodes(data=True) if a["kind"] == "paper")
    assert len(records) == len(ids) and all(r.endswith("\n") for r in records)
    assert sorted(key_fields(re.match(r'"(?:[^"]|"")*"', r).group())[0] for r in records) == ids
    # the same graph again: nothing written, nothing deleted
    again = _export(G, tmp_path / "h2", previous=out) / DELTA_FILE
    assert "Writes 0 nodes and 0 relationships (new or changed), deletes 0 nodes and 0 relationships" in again.read_text(encoding="ascii")
