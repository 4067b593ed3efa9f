"""``import.cypher``: kg's graph as one idempotent Cypher script for cypher-shell.

Layout of the script :func:`write_cypher` writes (every line is one of these):

* ``// ...`` comments;
* the schema statements (uniqueness constraints, indexes), ``IF NOT EXISTS``, one per line,
  ending in ``;``;
* for every batch of at most ``batch_size`` rows, a parameter line
  ``:param rows => [{id: '...', props: {...}}, ...]`` (one line, a Cypher literal) followed by
  the one ``UNWIND $rows AS row MERGE ...;`` statement of :mod:`kg.export.neo4j_schema` that
  uses it.

cypher-shell runs it as it is (``cypher-shell -a bolt://HOST:7687 -u neo4j -f import.cypher``):
``:param`` sets ``$rows`` and the next statement reads it. Running it twice changes nothing:
constraints are created ``IF NOT EXISTS``, nodes and relationships are MERGEd on ids and
properties are written only where they differ.

String literals escape ``\\``, ``'`` and every character outside printable ASCII as ``\\uXXXX``
(UTF-16 units, so characters beyond U+FFFF become surrogate pairs, as Cypher reads them): the
script is plain ASCII and reads the same whatever encoding the shell assumes. The one exception
is NUL, written as a raw NUL byte: cypher-shell 5.26 reads ``\\u0000`` in a ``:param`` literal as
the six characters ``\\u0000`` (the server's own parser does not), and it keeps a raw NUL.

From Python, :func:`iter_statements` splits a script back into ``(statement, parameters)`` pairs
with a small parser of exactly the literal subset written here, and :func:`run_script` runs
them through the official driver - the tests load the script both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import call
from pathlib import Path
from typing import Any

import networkx as nx

from kg.collector import pausing
from kg.export.neo4j_rows import NodeRow, RelationshipRow, RowPlan
from kg.export.neo4j_schema import (
    CONCEPT_PROPERTIES,
    BOOLEAN,
    DOUBLE,
    EVIDENCE_PROPERTIES,
    IN_PAPER_PROPERTIES,
    LINK_PROPERTIES,
    LONG,
    LONG_LIST,
    PAPER_PROPERTIES,
    RELATION_PROPERTIES,
    STRING,
    STRING_LIST,
    Property,
)
from kg.export.neo4j_statements import (
    NODE_GROUPS,
    SCHEMA_STATEMENTS,
    add_counters,
    batched,
    row_groups,
)
from kg.output import atomic_open

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char]
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# cypher-shell 5's parameter reader keeps "\u0000" as six characters; a raw NUL works, so NUL
# is the one character outside printable ASCII that is written as it is.
_SIMPLE_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t"}
# anything but NUL and printable ASCII, and the backslash and the quote (one class: scans fastest)
_NEEDS_ESCAPE = re.compile(r"[^\x00\x20-\x26\x28-\x5b\x5d-\x7e]")


def escaped(text: str) -> str:
    """``text`` as it stands between the quotes of :func:`cypher_string`.

    Text of printable ASCII (most of kg's values) has only ``\\`` and ``'`` to escape: two
    ``str.replace`` scans are about three times faster than the regular expression (measured on
    the evidence sentences of a 4,000-paper build: 0.08 against 0.23 s), which handles the rest.
    """
    if text.isascii() and text.isprintable():
        return text.replace("\\", "\\\\").replace("'", "\\'")
    return _NEEDS_ESCAPE.sub(_escape, text)


def cypher_string(text: str) -> str:
    """A single-quoted Cypher string literal holding ``text`` exactly, in plain ASCII.

    >>> print(cypher_string("O'Brien \\"Pat\\"\\n€ 😀"))
    'O\\'Brien "Pat"\\n\\u20ac \\ud83d\\ude00'
    """
    return "'" + escaped(text) + "'"


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a parameter value (maps, lists, strings, numbers, booleans, null).

    >>> cypher_literal({"id": "p", "props": {"n": 2, "x": 0.5, "tags": ["a", "b"]}})
    "{id: 'p', props: {n: 2, x: 0.5, tags: ['a', 'b']}}"
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if _IDENTIFIER.match(key):
                name = key
            elif key and all(0x20 <= ord(c) < 0x7F for c in key):
                name = "`" + key.replace("`", "``") + "`"
            else:  # kg's keys are schema property names; Cypher names have no \u escapes
                raise ValueError(f"map key {key!r} is not a printable ASCII name")
            items.append(f"{name}: {cypher_literal(item)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _string_list(value: list[str]) -> str:
    return "'" + "', '".join(map(escaped, value)) + "'" if value else ""


#: Per property kind: how :func:`cypher_literal` spells a stored value of that kind, as a
#: %-template of the value's text and the function making that text (its type is checked already).
_VALUE_ENCODERS: dict[str, tuple[str, Callable[[Any], str]]] = {
    STRING: ("'%s'", escaped),
    LONG: ("%s", str),
    DOUBLE: ("%s", repr),
    BOOLEAN: ("%s", {True: "true", False: "false"}.__getitem__),
    STRING_LIST: ("[%s]", _string_list),
    LONG_LIST: ("%s", repr),  # stored longs are plain ints: the list's repr is the literal
}


def _props_template(keys: tuple[str, ...], kinds: dict[str, str]) -> tuple[str, list[Callable[[Any], str]]]:
    """:func:`cypher_literal` of a ``props`` map holding exactly ``keys`` (in this order), as a
    %-template of its values' texts, and the encoder making each text."""
    for key in keys:
        if not _IDENTIFIER.match(key):
            raise AssertionError(f"property name {key!r} is not a Cypher identifier")
    pieces = [_VALUE_ENCODERS[kinds[key]] for key in keys]
    return "{" + ", ".join(f"{key}: {piece}" for key, (piece, _) in zip(keys, pieces)) + "}", [encode for _, encode in pieces]


def _literals(rows: Iterable, properties: Sequence[Property], head: str, ends: Callable[[Any], tuple[str, ...]]) -> Iterator[str]:
    """``head % ends(row) + props + "}"`` of each row, where props is :func:`cypher_literal` of
    ``row.props``.

    Rows of a group mostly hold the same keys, so each set of keys gets its literal as one
    %-template, made once, filled with the texts of the values; the encoder of each value is
    called straight from C (``map(operator.call, ...)``). This is what keeps the script cheap:
    an export writes millions of values.
    """
    kinds = {p.name: p.kind for p in properties}
    templates: dict[tuple[str, ...], tuple[str, list[Callable[[Any], str]]]] = {}
    for row in rows:
        props = row.props
        keys = tuple(props)
        known = templates.get(keys)
        if known is None:
            text, encoders = _props_template(keys, kinds)
            known = templates[keys] = (head + text + "}", encoders)  # names are identifiers: no stray %
        template, encoders = known
        yield template % (*ends(row), *map(call, encoders, props.values()))


def _node_literals(rows: Iterable[NodeRow], properties: Sequence[Property]) -> Iterator[str]:
    """``cypher_literal({"id": row.id, "props": row.props})`` of each row (the rows of :func:`batches`)."""
    return _literals(rows, properties, "{id: '%s', props: ", lambda row: (escaped(row.props["id"]),))


def _relationship_literals(rows: Iterable[RelationshipRow], properties: Sequence[Property]) -> Iterator[str]:
    """``cypher_literal({"start": ..., "end": ..., "props": ...})`` of each row."""
    if not properties:  # IN_PAPER: as many rows as evidence nodes, and nothing but their ends
        return ("{start: '" + escaped(row.start) + "', end: '" + escaped(row.end) + "', props: {}}" for row in rows)
    return _literals(rows, properties, "{start: '%s', end: '%s', props: ", lambda row: (escaped(row.start), escaped(row.end)))


def _groups(plan: RowPlan) -> Iterator[tuple[str, str, str, Iterator, Callable[[list], list[str]]]]:
    """``(group, statement, what, rows, literals of a list of rows)`` per group of
    :func:`kg.export.neo4j_statements.row_groups` (the order of :func:`~kg.export.neo4j_statements.batches`);
    ``group`` is ``paper``, ``concept``, ``evidence``, ``link``, ``relation`` or ``in_paper``."""
    for group in row_groups(plan):
        properties = _PROPERTIES[group.kind]
        literals = _node_literals_of(properties) if group.kind in NODE_GROUPS else _relationship_literals_of(properties)
        yield group.kind, group.statement, group.what, group.rows, literals


#: The stored properties of each kind of row group.
_PROPERTIES = {"paper": PAPER_PROPERTIES, "concept": CONCEPT_PROPERTIES, "evidence": EVIDENCE_PROPERTIES,
               "link": LINK_PROPERTIES, "relation": RELATION_PROPERTIES, "in_paper": IN_PAPER_PROPERTIES}


def _node_literals_of(properties: Sequence[Property]) -> Callable[[list], list[str]]:
    return lambda rows: list(_node_literals(rows, properties))


def _relationship_literals_of(properties: Sequence[Property]) -> Callable[[list], list[str]]:
    return lambda rows: list(_relationship_literals(rows, properties))


def script_header(plan: RowPlan) -> str:
    """The comment lines and schema statements that open ``import.cypher``."""
    labels = ", ".join(f"{n} :{label}" for label, n in plan.label_counts().items() if n)
    types = ", ".join(f"{n} :{t}" for t, n in plan.type_counts().items() if n)
    return (
        "// kg knowledge graph for Neo4j 5, written by kg (schema: kg docs/neo4j.md).\n"
        f"// {labels}; {types}.\n"
        '// Run: cypher-shell -a bolt://localhost:7687 -u neo4j -p "$NEO4J_PASSWORD" -f import.cypher\n'
        "// Idempotent: a second run changes nothing. Each ':param rows => ...' line sets $rows\n"
        "// for the statement after it.\n"
    ) + "".join(statement + ";\n" for statement in SCHEMA_STATEMENTS)


def batch_text(statement: str, what: str, literals: list[str]) -> str:
    """One batch of the script: a comment, the ``:param rows`` line and the statement."""
    return f"// {len(literals)} {what}\n:param rows => [" + ", ".join(literals) + "]\n" + statement + ";\n"


@pausing  # millions of short-lived rows, none in a reference cycle: see kg.collector
def write_cypher(G: nx.MultiDiGraph, path: str | Path, *, batch_size: int = 500, plan: RowPlan | None = None) -> Path:
    """Write ``import.cypher`` for ``G`` (atomically); see the module docstring for its layout.

    The rows are made and written a batch at a time (:class:`kg.export.neo4j_schema.RowPlan`),
    each ``:param`` line spelled as :func:`cypher_literal` spells the rows of
    :func:`kg.export.neo4j_schema.batches`, so a graph of any size is written in bounded memory.
    (:func:`kg.export.neo4j_files.write_bulk_import` can write the same script in its own pass
    over the rows.)

    Parameters
    ----------
    G : networkx.MultiDiGraph
        kg's graph (:func:`kg.graph.build.to_networkx` or :func:`kg.graph.build.load_graph`).
    path : path
        The script to write.
    batch_size : int
        Rows per ``:param`` line and statement.
    plan : RowPlan, optional
        ``RowPlan(G)`` when the caller has it already.

    Returns
    -------
    Path
        ``path``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = Path(path)
    plan = plan if plan is not None else RowPlan(G)
    with atomic_open(path, "w", encoding="ascii", newline="\n") as fh:
        fh.write(script_header(plan))
        for _, statement, what, rows, literals in _groups(plan):
            for batch in batched(rows, batch_size):
                fh.write(batch_text(statement, what, literals(batch)))
    return path


class CypherScriptError(ValueError):
    """A script line that :func:`iter_statements` cannot read."""


class _LiteralParser:
    """Recursive-descent parser for the Cypher literals :func:`cypher_literal` writes."""

    _NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
    _WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    _ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def fail(self, message: str) -> CypherScriptError:
        return CypherScriptError(f"{message} at character {self.pos}")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def expect(self, char: str) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def parse(self) -> Any:
        value = self.value()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected text after the literal")
        return value

    def value(self) -> Any:
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("missing value")
        char = self.text[self.pos]
        if char == "[":
            return self.sequence("[", "]", self.value)
        if char == "{":
            return dict(self.sequence("{", "}", self.entry))
        if char in "'\"":
            return self.string()
        number = self._NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            token = number.group()
            return float(token) if any(c in token for c in ".eE") else int(token)
        word = self._WORD.match(self.text, self.pos)
        if word and word.group().lower() in ("null", "true", "false"):
            self.pos = word.end()
            return {"null": None, "true": True, "false": False}[word.group().lower()]
        raise self.fail("expected a literal")

    def sequence(self, open_: str, close: str, item) -> list:
        self.expect(open_)
        items = []
        self.skip()
        if self.text.startswith(close, self.pos):
            self.pos += 1
            return items
        while True:
            items.append(item())
            self.skip()
            if self.text.startswith(close, self.pos):
                self.pos += 1
                return items
            self.expect(",")

    def entry(self) -> tuple[str, Any]:
        self.skip()
        if self.text.startswith("`", self.pos):
            end = self.pos + 1
            while True:
                end = self.text.find("`", end)
                if end < 0:
                    raise self.fail("unterminated `name`")
                if self.text.startswith("``", end):
                    end += 2
                    continue
                break
            key = self.text[self.pos + 1 : end].replace("``", "`")
            self.pos = end + 1
        else:
            word = self._WORD.match(self.text, self.pos)
            if not word:
                raise self.fail("expected a map key")
            key, self.pos = word.group(), word.end()
        self.expect(":")
        return key, self.value()

    def string(self) -> str:
        quote_char = self.text[self.pos]
        self.pos += 1
        units: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.fail("unterminated string")
            char = self.text[self.pos]
            if char == quote_char:
                self.pos += 1
                break
            if char != "\\":
                units.append(char)
                self.pos += 1
                continue
            code = self.text[self.pos + 1 : self.pos + 2]
            if code in self._ESCAPES:
                units.append(self._ESCAPES[code])
                self.pos += 2
            elif code in ("u", "U"):
                width = 4 if code == "u" else 8
                digits = self.text[self.pos + 2 : self.pos + 2 + width]
                if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise self.fail("bad \\u escape")
                units.append(chr(int(digits, 16)))
                self.pos += 2 + width
            else:
                raise self.fail(f"unknown escape \\{code}")
        # \\u escapes are UTF-16 units: join surrogate pairs into one character.
        return "".join(units).encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def parse_literal(text: str) -> Any:
    """Parse a Cypher literal written by :func:`cypher_literal` back into Python values.

    >>> parse_literal("[{id: 'a\\\\u00e9', n: -2, x: 1.5e-3, ok: true, none: null}]")
    [{'id': 'aé', 'n': -2, 'x': 0.0015, 'ok': True, 'none': None}]
    """
    return _LiteralParser(text).parse()


_PARAM = re.compile(r":param\s+([A-Za-z_][A-Za-z0-9_]*)\s*=>\s*(.*?);?\s*\Z", re.S)


def iter_statements(script: str | Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Split a script written by :func:`write_cypher` into ``(statement, parameters)`` pairs.

    ``script`` is a path or the script text. Comment lines are skipped; ``:param NAME =>
    LITERAL`` lines set a parameter that stays set for the statements after it, as in
    cypher-shell; a statement runs up to the line ending in ``;``. Each pair carries the
    parameters its statement names (``$rows``).

    Raises
    ------
    CypherScriptError
        With the line number, for a line this reader does not understand.
    """
    text = Path(script).read_text(encoding="utf-8") if isinstance(script, Path) else script
    params: dict[str, Any] = {}
    pending: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("//")):
            continue
        if not pending and stripped.startswith(":"):
            match = _PARAM.match(stripped)
            if not match:
                raise CypherScriptError(f"line {number}: only ':param NAME => LITERAL' commands are understood")
            try:
                params[match.group(1)] = parse_literal(match.group(2))
            except CypherScriptError as exc:
                raise CypherScriptError(f"line {number}: {exc}") from None
            continue
        pending.append(line)
        if stripped.endswith(";"):
            statement = "\n".join(pending).strip()[:-1].strip()
            pending = []
            used = {name: value for name, value in params.items() if re.search(rf"\${name}\b", statement)}
            yield statement, used
    if pending:
        raise CypherScriptError(f"line {number}: the last statement has no closing ';'")


def run_script(driver, script: str | Path, *, database: str | None = None) -> dict[str, int]:
    """Run a script through the official driver, one managed write transaction per statement.

    Returns the summed update counters (``nodes_created``, ``properties_set``, ...), so a caller
    can see that a second run changed nothing.
    """
    totals: dict[str, int] = {}

    def work(tx, statement, params):
        return tx.run(statement, params).consume().counters

    with driver.session(database=database) as session:
        for statement, params in iter_statements(script):
            add_counters(totals, session.execute_write(work, statement, params))
    return totals
