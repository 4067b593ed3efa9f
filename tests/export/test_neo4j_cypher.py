"""kg.export.neo4j_cypher: import.cypher written, and read back by its own small parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from neo4j_test_support import examples, graphs, texts

from kg.export.neo4j_cypher import CypherScriptError, cypher_literal, iter_statements, parse_literal, write_cypher
from kg.export.neo4j_rows import graph_rows
from kg.export.neo4j_statements import SCHEMA_STATEMENTS, batches

values = st.recursive(
    st.one_of(texts, st.text(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.from_regex(r"[A-Za-z_][ -~]{0,8}", fullmatch=True), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=examples(300))
@given(value=values)
def test_literals_round_trip(value):
    literal = cypher_literal(value)
    assert literal.isascii()
    assert "\n" not in literal and "\r" not in literal  # one :param line, whatever the text
    assert parse_literal(literal) == value


def test_map_keys_must_be_printable_names():
    with pytest.raises(ValueError, match="not a printable ASCII name"):
        cypher_literal({"line 1\nline 2": 1})


def test_the_script_of_the_small_graph(small_graph, tmp_path):
    path = write_cypher(small_graph, tmp_path / "import.cypher", batch_size=4)
    data = path.read_bytes()
    assert data.isascii()
    pairs = list(iter_statements(path))
    assert [s for s, _ in pairs[: len(SCHEMA_STATEMENTS)]] == list(SCHEMA_STATEMENTS)
    expected = list(batches(graph_rows(small_graph), 4))
    assert [(s, p) for s, p in pairs[len(SCHEMA_STATEMENTS) :]] == [(b.statement, {"rows": b.rows}) for b in expected]
    assert not path.with_name(path.name + ".tmp").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["import.cypher"]


@settings(max_examples=examples(100), deadline=None)
@given(G=graphs())
def test_any_graph_reads_back_as_its_rows(G, tmp_path_factory):
    path = write_cypher(G, tmp_path_factory.mktemp("cypher") / "import.cypher", batch_size=3)
    pairs = list(iter_statements(path))
    expected = [(b.statement, {"rows": b.rows}) for b in batches(graph_rows(G), 3)]
    assert pairs[len(SCHEMA_STATEMENTS) :] == expected
    # text from the graph is only ever a parameter: statements are the schema's fixed ones
    assert {s for s, _ in pairs} <= set(SCHEMA_STATEMENTS) | {s for s, _ in expected}


def test_writing_is_deterministic(small_graph, tmp_path):
    a = write_cypher(small_graph, tmp_path / "a.cypher").read_bytes()
    b = write_cypher(small_graph, tmp_path / "b.cypher").read_bytes()
    assert a == b


@pytest.mark.parametrize(
    "script, message",
    [
        (":params\n", "line 1: only ':param NAME => LITERAL' commands are understood"),
        ("// c\n:param rows => [{id: 'x'\n", "line 2: expected ','"),
        ("RETURN 1\n", "the last statement has no closing ';'"),
        (":param rows => ['\\q']\n", "unknown escape"),
    ],
)
def test_unreadable_scripts_say_where(script, message):
    with pytest.raises(CypherScriptError, match=message):
        list(iter_statements(script))


def test_parameters_stay_set_like_in_cypher_shell():
    script = ":param rows => [1, 2]\nRETURN $rows;\nRETURN 1;\nUNWIND $rows AS r\nRETURN r;\n"
    assert list(iter_statements(script)) == [("RETURN $rows", {"rows": [1, 2]}), ("RETURN 1", {}), ("UNWIND $rows AS r\nRETURN r", {"rows": [1, 2]})]


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
@settings(max_examples=300, deadline=None)
def test_the_fast_escape_of_printable_ascii_matches_the_general_one(text):
    from kg.export.neo4j_cypher import _NEEDS_ESCAPE, _escape, escaped

    assert escaped(text) == _NEEDS_ESCAPE.sub(_escape, text)
    assert parse_literal("'" + escaped(text) + "'") == text
