"""The streaming Neo4j writers give exactly what the in-memory writers gave (neo4j_reference.py).

``write_bulk_import`` and ``write_cypher`` make their rows a group at a time from a
:class:`~kg.export.neo4j_schema.RowPlan`; these tests compare every file byte for byte with
the pre-streaming implementation, on hand-made, hostile, synthetic and random graphs.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from neo4j_test_support import examples, graphs, hostile_graph

from kg.export.neo4j_cypher import write_cypher
from kg.export.neo4j_files import NODE_FILES, RELATIONSHIP_FILES, write_bulk_import
from kg.export.neo4j_schema import Neo4jExportError, RowPlan, graph_rows
from kg.graph.build import to_networkx
from kg.rdf.synthetic import synthetic_kg

def _load_reference():
    """tests/export/neo4j_reference.py, by path (the test folders are not packages)."""
    spec = importlib.util.spec_from_file_location("kg_tests_neo4j_reference", Path(__file__).with_name("neo4j_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_reference = _load_reference()
bulk_import_files, cypher_script, reference_rows = _reference.bulk_import_files, _reference.cypher_script, _reference.graph_rows

FILES = [name for name, *_ in NODE_FILES] + [name for name, *_ in RELATIONSHIP_FILES]


def assert_same_exports(G: nx.MultiDiGraph, folder, batch_size: int = 500) -> None:
    expected = bulk_import_files(G)
    write_bulk_import(G, folder)
    for name in FILES:
        assert (folder / name).read_bytes() == expected[name].encode("utf-8"), name
    script = cypher_script(G, batch_size)
    assert write_cypher(G, folder / "import.cypher", batch_size=batch_size).read_text(encoding="ascii") == script
    both = folder / "both"
    write_bulk_import(G, both, cypher=both / "import.cypher", batch_size=batch_size)  # one pass for both
    assert (both / "import.cypher").read_text(encoding="ascii") == script
    for name in [*FILES, "README.md", "constraints.cypher"]:
        assert (both / name).read_bytes() == (folder / name).read_bytes(), name
    assert graph_rows(G) == reference_rows(G)


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


@pytest.mark.parametrize("make", [hostile_graph, delimiter_graph, lambda: to_networkx(synthetic_kg(300, seed=5)), nx.MultiDiGraph])
def test_files_match_the_in_memory_writers(make, tmp_path) -> None:
    assert_same_exports(make(), tmp_path)


def test_small_graph_in_small_batches(small_graph, tmp_path) -> None:
    assert_same_exports(small_graph, tmp_path, batch_size=2)


def test_a_quote_decides_the_array_delimiter(tmp_path) -> None:
    G = delimiter_graph()
    assert bulk_import_files(G)["delimiter"] == "\x1d"
    write_bulk_import(G, tmp_path)
    assert "--array-delimiter=U+001D" in (tmp_path / "README.md").read_text()


@settings(max_examples=examples(60), deadline=None)
@given(G=graphs())
def test_any_graph_matches(G, tmp_path_factory) -> None:
    assert_same_exports(G, tmp_path_factory.mktemp("neo4j"), batch_size=3)


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
    small_graph.graph["evidence"]["e9"]["confidence"] = math.nan
    with pytest.raises(Neo4jExportError, match="evidence 'e9': property 'confidence'"):
        write_bulk_import(small_graph, tmp_path)
    with pytest.raises(Neo4jExportError, match="evidence 'e9': property 'confidence'"):
        write_cypher(small_graph, tmp_path / "import.cypher")
    with pytest.raises(Neo4jExportError, match="evidence 'e9': property 'confidence'"):
        write_bulk_import(small_graph, tmp_path, cypher=tmp_path / "import.cypher")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
