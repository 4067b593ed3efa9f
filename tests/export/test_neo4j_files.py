"""kg.export.neo4j_files: bulk-import CSVs, read back with a reader of the importer's dialect.

The real importer loads these files in tests/neo4j/test_bulk_import.py; here a small RFC 4180
reader (``neo4j_test_support.read_back``) that keeps the importer's one distinction (an unquoted
empty field is no value, ``""`` is the empty string) checks many random graphs quickly.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from neo4j_test_support import examples, expected_snapshot, graphs, read_back

from kg.export.neo4j_files import NODE_FILES, RELATIONSHIP_FILES, choose_array_delimiter, write_bulk_import
from kg.export.neo4j_rows import graph_rows


def expected(G):
    """What the importer must read: the documented mapping of ``G`` (not kg.export's rows)."""
    snapshot = expected_snapshot(G, bulk_import=True)
    return snapshot["nodes"], snapshot["relationships"]


def test_headers_use_the_importer_syntax(small_graph, tmp_path):
    write_bulk_import(small_graph, tmp_path)
    first_line = lambda name: (tmp_path / name).read_text(encoding="utf-8").split("\n", 1)[0]  # noqa: E731
    assert first_line("nodes_paper.csv") == (
        "id:ID(Paper),:LABEL,title:string,abstract:string,date:string,date_text:string,authors:string[],"
        "venue:string,doi:string,arxiv_id:string,url:string,categories:string[]"
    )
    assert first_line("nodes_concept.csv") == (
        "id:ID(Concept),:LABEL,type:string,label:string,aliases:string[],alias_counts:long[],acronym:string,"
        "paper_count:long,mention_count:long,first_seen:string,last_seen:string,confidence:double,"
        "ambiguous_type:boolean,type_vote_labels:string[],type_vote_papers:long[],replaces:string[]"
    )
    assert first_line("relationships_link.csv") == ":START_ID(Paper),:END_ID(Concept),:TYPE,count:long,confidence:double,evidence:string[]"
    assert first_line("relationships_relation.csv") == (
        ":START_ID(Concept),:END_ID(Concept),:TYPE,count:long,papers:long,weight:long,confidence:double,evidence:string[]"
    )
    assert first_line("relationships_in_paper.csv") == ":START_ID(Evidence),:END_ID(Paper),:TYPE"


def test_small_graph_reads_back(small_graph, tmp_path):
    write_bulk_import(small_graph, tmp_path)
    assert read_back(tmp_path, "\x1f") == expected(small_graph)
    text = (tmp_path / "nodes_paper.csv").read_text(encoding="utf-8")
    assert '"O\'Brien, ""Pat"""' in text  # quotes doubled, comma inside quotes
    assert "\nWe report BLEU on WMT'14 — naïvely, «quoted».\"" in text  # newline and UTF-8 kept as they are


@settings(max_examples=examples(60), deadline=None)
@given(G=graphs())
def test_any_graph_reads_back(G, tmp_path_factory):
    folder = write_bulk_import(G, tmp_path_factory.mktemp("bulk"))
    delim = choose_array_delimiter(graph_rows(G))
    assert read_back(folder, delim) == expected(G)
    assert f"--array-delimiter={'U+%04X' % ord(delim)}" in (folder / "README.md").read_text(encoding="utf-8")


def test_array_delimiter_avoids_characters_in_list_values(small_graph, tmp_path):
    small_graph.nodes["arxiv:2101.00001"]["authors"] = ["Ann\x1fLee", "Bo\x1eX"]
    write_bulk_import(small_graph, tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "--array-delimiter=U+001D" in readme
    assert read_back(tmp_path, "\x1d") == expected(small_graph)


def test_readme_gives_the_full_import_command(small_graph, tmp_path):
    write_bulk_import(small_graph, tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```sh\n(\$NEO4J_HOME/bin/neo4j-admin.*?)\n```", readme, re.S).group(1)
    words = command.replace("\\\n", " ").split()
    assert words[:5] == ["$NEO4J_HOME/bin/neo4j-admin", "database", "import", "full", "neo4j"]
    for option in ("--delimiter=,", "--array-delimiter=U+001F", "--quote='\"'", "--multiline-fields=true", "--id-type=string"):
        assert option in words
    assert [w for w in words if w.startswith("--nodes=")] == [f"--nodes={name}" for name, _, _ in NODE_FILES]
    assert [w for w in words if w.startswith("--relationships=")] == [f"--relationships={name}" for name, *_ in RELATIONSHIP_FILES]
    assert "cypher-shell" in readme and (tmp_path / "constraints.cypher").read_text().count(";\n") == 5


def test_files_are_replaced_whole_and_deterministic(small_graph, tmp_path):
    write_bulk_import(small_graph, tmp_path)
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    write_bulk_import(small_graph, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first  # no temporary files left
    assert sorted(first) == sorted(
        [name for name, *_ in NODE_FILES] + [name for name, *_ in RELATIONSHIP_FILES] + ["README.md", "constraints.cypher"]
    )


def test_formula_like_cells_stay_exact_and_the_readme_says_why(small_graph, tmp_path):
    """Cells a spreadsheet would run are kept exact (neo4j-admin stores them literally); the
    generated README says so instead of altering the values."""
    paper = next(n for n, d in small_graph.nodes(data=True) if d.get("kind") == "paper")
    risky = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
    small_graph.nodes[paper]["title"] = risky[0]
    small_graph.nodes[paper]["authors"] = risky[1:]
    write_bulk_import(small_graph, tmp_path)
    assert read_back(tmp_path, "\x1f") == expected(small_graph)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "Not for spreadsheets" in readme and "`=`, `+`, `-`" in readme


def test_an_int_subclass_is_written_as_its_integer(tmp_path):
    """Lists of longs are spelled from the list's repr, so a stored long must be a plain int:
    an IntEnum count writes exactly what the plain int writes, in the CSVs and the script."""
    import enum

    import networkx as nx

    class Count(enum.IntEnum):
        TWO = 2

    def graph(count):
        G = nx.MultiDiGraph(evidence={})
        G.add_node("p", kind="paper", title="T", abstract="A")
        G.add_node("method/x", kind="concept", type="METHOD", label="X", aliases=[["X", count], ["x", count]], paper_count=count)
        G.add_edge("p", "method/x", key="uses", kind="link", role="uses", count=count, confidence=1.0, evidence=[])
        return G

    for name, count in (("plain", 2), ("enum", Count.TWO)):
        write_bulk_import(graph(count), tmp_path / name, cypher=tmp_path / name / "import.cypher")
    for path in sorted((tmp_path / "plain").iterdir()):
        assert path.read_bytes() == (tmp_path / "enum" / path.name).read_bytes(), path.name
    assert '"method/x","Concept\x1fMethod","METHOD","X","X\x1fx","2\x1f2",' in (tmp_path / "enum" / "nodes_concept.csv").read_text(encoding="utf-8")
