"""The streaming Neo4j writers, checked against oracles that do not share their code.

``write_bulk_import`` and ``write_cypher`` make their rows a group at a time from a
:class:`~kg.export.neo4j_schema.RowPlan`. What they write is read back (the CSVs with the
importer-dialect reader of neo4j_test_support, ``import.cypher`` by running its statements'
MERGE semantics over the parsed parameters) and compared with what the database must hold,
computed from the graph by ``neo4j_test_support.expected_snapshot`` (also the oracle of the
real Neo4j tests in tests/neo4j); the files of the small graph are compared byte for byte with
golden files (scripts/regen_golden.py), on hand-made, hostile, synthetic and random graphs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from neo4j_test_support import examples, expected_snapshot, graphs, hostile_graph, read_back

from kg.export.neo4j_cypher import iter_statements, write_cypher
from kg.export.neo4j_files import NODE_FILES, RELATIONSHIP_FILES, write_bulk_import
from kg.export.neo4j_rows import RowPlan, graph_rows
from kg.export.neo4j_schema import Neo4jExportError
from kg.graph.build import to_networkx

from ..synthetic_kg import synthetic_kg


GOLDEN = Path(__file__).parent / "golden" / "small"
FILES = [name for name, *_ in NODE_FILES] + [name for name, *_ in RELATIONSHIP_FILES]

_NODE = re.compile(r"UNWIND \$rows AS row MERGE \(n:(\w+) \{id: row\.id\}\)((?: SET n:\w+)*) WITH")
_REL = re.compile(r"UNWIND \$rows AS row MATCH \(a:(\w+) \{id: row\.start\}\) MATCH \(b:(\w+) \{id: row\.end\}\) MERGE \(a\)-\[r:(\w+)\]->\(b\)")


def cypher_snapshot(path: Path) -> dict[str, dict]:
    """What running ``import.cypher`` leaves in an empty database: each statement's MERGE applied
    to its parsed ``$rows`` (nodes by key label and id, relationships by type, start and end)."""
    nodes, rels, ids = {}, {}, {}
    for statement, params in iter_statements(path):
        if m := _NODE.match(statement):
            labels = (m.group(1), *re.findall(r"SET n:(\w+)", m.group(2)))
            for row in params["rows"]:
                key = (m.group(1), row["id"])
                assert key not in nodes, key
                nodes[key] = (tuple(sorted(labels)), row["props"])
                ids.setdefault(m.group(1), set()).add(row["id"])
        elif m := _REL.match(statement):
            start, end, rel_type = m.groups()
            for row in params["rows"]:
                assert row["start"] in ids[start] and row["end"] in ids[end]  # MATCH finds both ends
                rels[(rel_type, row["start"], row["end"])] = row["props"]
        else:
            assert statement.startswith(("CREATE CONSTRAINT", "CREATE INDEX")), statement
    return {"nodes": nodes, "relationships": rels}


def rows_snapshot(G: nx.MultiDiGraph) -> dict[str, dict]:
    rows = graph_rows(G)
    return {
        "nodes": {(r.labels[0], r.id): (tuple(sorted(r.labels)), r.props) for r in rows.nodes},
        "relationships": {(r.type, r.start, r.end): r.props for r in rows.relationships},
    }


def delimiter_of(folder: Path) -> str:
    return chr(int(re.search(r"--array-delimiter=U\+([0-9A-F]{4})", (folder / "README.md").read_text(encoding="utf-8")).group(1), 16))


def assert_exports_hold_the_graph(G: nx.MultiDiGraph, folder: Path, batch_size: int = 500) -> None:
    write_bulk_import(G, folder)
    nodes, rels = read_back(folder, delimiter_of(folder))
    assert {"nodes": nodes, "relationships": rels} == expected_snapshot(G, bulk_import=True)
    script = write_cypher(G, folder / "import.cypher", batch_size=batch_size)
    assert cypher_snapshot(script) == expected_snapshot(G)
    assert rows_snapshot(G) == expected_snapshot(G)
    both = folder / "both"
    write_bulk_import(G, both, cypher=both / "import.cypher", batch_size=batch_size)  # one pass for both
    for name in [*FILES, "README.md", "constraints.cypher", "import.cypher"]:
        assert (both / name).read_bytes() == (folder / name).read_bytes(), name


def delimiter_graph() -> nx.MultiDiGraph:
    """The first two array delimiter candidates occur in list values: one only inside a quote."""
    G = to_networkx(synthetic_kg(30, seed=2))
    paper = next(n for n, a in G.nodes(data=True) if a["kind"] == "paper")
    G.nodes[paper]["authors"] = ["A\x1fB"]
    eid = next(e for e, ev in G.graph["evidence"].items() if ev["paper"] == paper and ev["spans"])
    start, _ = G.graph["evidence"][eid]["spans"][0]
    title = G.nodes[paper]["title"]
    text = title + "\n" + G.nodes[paper]["abstract"]
    text = text[:start] + "\x1e" + text[start + 1 :]
    G.nodes[paper]["title"], G.nodes[paper]["abstract"] = text[: len(title)], text[len(title) + 1 :]
    return G


def empty_graph() -> nx.MultiDiGraph:
    return nx.MultiDiGraph(evidence={})


@pytest.mark.parametrize("make", [hostile_graph, delimiter_graph, lambda: to_networkx(synthetic_kg(300, seed=5)), empty_graph])
def test_files_hold_the_graph(make, tmp_path) -> None:
    assert_exports_hold_the_graph(make(), tmp_path)


def test_small_graph_in_small_batches(small_graph, tmp_path) -> None:
    assert_exports_hold_the_graph(small_graph, tmp_path, batch_size=2)


def test_small_graph_matches_the_golden_files(small_graph, tmp_path) -> None:
    """Byte for byte; if a change is intended, run scripts/regen_golden.py and review the diff."""
    folder = tmp_path / "neo4j"
    write_bulk_import(small_graph, folder, cypher=folder / "import.cypher", batch_size=4)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in GOLDEN.iterdir())
    for path in sorted(GOLDEN.iterdir()):
        assert (folder / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_quote_decides_the_array_delimiter(tmp_path) -> None:
    G = delimiter_graph()
    write_bulk_import(G, tmp_path)
    assert "--array-delimiter=U+001D" in (tmp_path / "README.md").read_text()


@settings(max_examples=examples(60), deadline=None)
@given(G=graphs())
def test_any_graph_is_held(G, tmp_path_factory) -> None:
    assert_exports_hold_the_graph(G, tmp_path_factory.mktemp("neo4j"), batch_size=3)


def test_plan_counts_match_the_rows(small_graph) -> None:
    plan, rows = RowPlan(small_graph), graph_rows(small_graph)
    assert plan.label_counts() == rows.label_counts()
    assert plan.type_counts() == rows.type_counts()


def test_a_bad_value_found_late_leaves_the_earlier_export(small_graph, tmp_path) -> None:
    """The evidence nodes are streamed after the papers: a bad one still writes no file."""
    write_bulk_import(small_graph, tmp_path)
    write_cypher(small_graph, tmp_path / "import.cypher")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    small_graph.nodes["arxiv:2101.00001"]["title"] = "changed"
    table = small_graph.graph["evidence"]  # a read-only view in a built graph: replaced, not edited
    small_graph.graph["evidence"] = {**table, "e9": {**table["e9"], "confidence": math.nan}}
    with pytest.raises(Neo4jExportError, match="evidence 'e9': property 'confidence'"):
        write_bulk_import(small_graph, tmp_path)
    with pytest.raises(Neo4jExportError, match="evidence 'e9': property 'confidence'"):
        write_cypher(small_graph, tmp_path / "import.cypher")
    with pytest.raises(Neo4jExportError, match="evidence 'e9': property 'confidence'"):
        write_bulk_import(small_graph, tmp_path, cypher=tmp_path / "import.cypher")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
