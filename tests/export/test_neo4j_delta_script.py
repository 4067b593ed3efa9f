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
from kg.export.neo4j_delta_script import DELTA_FILE, NODE_KEY, NoPreviousFiles, PreviousRecords, key_fields, read_records
from kg.export.neo4j_files import NODE_FILES, node_header, write_bulk_import
from kg.export.neo4j_rows import graph_rows

from .script_model import NODE_DELETE, RELATIONSHIP_DELETE, NODE_MERGE, RELATIONSHIP_MERGE, WrongDatabase, apply_script, empty_db


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
        if m := NODE_MERGE.match(statement):
            sent_nodes |= {row["id"] for row in params["rows"]}
        elif m := RELATIONSHIP_MERGE.match(statement):
            sent_rels |= {(m.group(3), row["start"], row["end"]) for row in params["rows"]}
        elif m := NODE_DELETE.match(statement):
            deleted_nodes |= {(m.group(1), i) for i in params["rows"]}
        elif m := RELATIONSHIP_DELETE.match(statement):
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
    # a previous CSV damaged after its header (cut inside a quoted field): the files are written, the delta is not
    _export(small_graph, tmp_path / "d")
    evidence = tmp_path / "d" / "nodes_evidence.csv"
    text = evidence.read_text()
    evidence.write_text(text[: text.rindex(',"') + 5])
    with caplog.at_level(logging.WARNING):
        out = _export(changed_graph(small_graph), tmp_path / "e", previous=tmp_path / "d")
    assert not (out / DELTA_FILE).exists() and "ends inside a quoted field" in caplog.text
    assert (out / "import.cypher").is_file() and "delta.cypher" not in (out / "README.md").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in (tmp_path / "d").iterdir())  # no stray file


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


def test_previous_records_refuse_a_duplicated_key_and_a_file_changed_midway(small_graph, tmp_path, caplog):
    out = _export(small_graph, tmp_path / "a")
    name, label, props = NODE_FILES[0]
    path, header = out / name, ",".join(node_header(label, props))
    records = list(read_records(path, header))
    # a new record compared with the previous ones: only the changed one is sent, the unnamed ones are missing
    rows = PreviousRecords(path, header, NODE_KEY)
    changed = records[1].replace('",', '" ,', 1) if '",' in records[1] else records[1] + " "
    assert rows.compare([records[0], changed]) == [False, True] and rows.unchanged == 1
    assert rows.missing() == sorted(NODE_KEY.match(r).group() for r in records[2:])
    # the file loses a record between the two reads: refused, not a short list of deletions
    rows = PreviousRecords(path, header, NODE_KEY)
    path.write_text(header + "\n" + "".join(records[:-1]), encoding="utf-8")
    with pytest.raises(NoPreviousFiles, match="changed while"):
        rows.missing()
    # one key twice in the previous file: refused, and the build writes no delta
    path.write_text(header + "\n" + "".join(records) + records[0], encoding="utf-8")
    with pytest.raises(NoPreviousFiles, match="two records under one key"):
        PreviousRecords(path, header, NODE_KEY)
    with caplog.at_level(logging.WARNING):
        again = _export(changed_graph(small_graph), tmp_path / "b", previous=out)
    assert not (again / DELTA_FILE).exists() and "two records under one key" in caplog.text
