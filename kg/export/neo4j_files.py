"""Bulk-import files for ``neo4j-admin database import full`` (Neo4j 5).

:func:`write_bulk_import` writes one CSV per node group and relationship group of
:mod:`kg.export.neo4j_schema`, a ``constraints.cypher`` to run after the import, and a
``README.md`` with the exact import command. The CSV dialect is the importer's default one,
spelled out on the command line so nothing depends on defaults:

* ``,`` between fields, ``"`` around every string, a ``"`` inside a string doubled (RFC 4180);
  fields may hold newlines (``--multiline-fields=true``); UTF-8 without BOM.
* A missing value (``None``) is an empty *unquoted* field, which the importer skips; an empty
  string is ``""``, which it keeps (``--ignore-empty-strings`` stays false).
* Array elements are joined by an array delimiter that occurs in no array element of the graph:
  the first of U+001F, U+001E, U+001D, U+001C or a private-use character that is free. The
  importer has no escape for it, so it is chosen per graph and written into the command.
* Header types match what a Cypher write stores (``long``, ``double``, ``long[]``), so the
  imported graph equals the pushed one value for value.

The importer cannot write an empty array, nor tell ``[""]`` from one; the schema already leaves
empty lists out, and a list holding exactly one empty string is read back as no list (the only
difference from the push and the Cypher script; see ``docs/neo4j.md``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from itertools import islice
from operator import attrgetter, call, methodcaller
from pathlib import Path
from typing import Any

import networkx as nx

from kg.export.neo4j_cypher import _groups, batch_text, script_header
from kg.export.neo4j_delta_script import DELTA_FILE, DeltaScript, NoPreviousFiles
from kg.export.neo4j_rows import GraphRows, NodeRow, RelationshipRow, RowPlan
from kg.export.neo4j_schema import (
    CONCEPT,
    CONCEPT_PROPERTIES,
    BOOLEAN,
    DOUBLE,
    EVIDENCE,
    EVIDENCE_PROPERTIES,
    IN_PAPER_PROPERTIES,
    LINK_PROPERTIES,
    LONG,
    LONG_LIST,
    PAPER,
    PAPER_PROPERTIES,
    RELATION_PROPERTIES,
    STRING,
    STRING_LIST,
    Neo4jExportError,
    Property,
)
from kg.collector import pausing
from kg.export.neo4j_statements import SCHEMA_STATEMENTS, batched
from kg.output import atomic_open, atomic_write_text

log = logging.getLogger(__name__)

#: Array delimiters tried in order; the first that no array element contains is used.
ARRAY_DELIMITER_CANDIDATES: tuple[str, ...] = ("\x1f", "\x1e", "\x1d", "\x1c", *(chr(c) for c in range(0xE000, 0xE100)))
_CANDIDATE_SET = frozenset(ARRAY_DELIMITER_CANDIDATES)
_CANDIDATE = re.compile("[" + "".join(re.escape(c) for c in ARRAY_DELIMITER_CANDIDATES) + "]")

#: (file name, key label, properties) of each node file.
NODE_FILES: tuple[tuple[str, str, tuple[Property, ...]], ...] = (
    ("nodes_paper.csv", PAPER, PAPER_PROPERTIES),
    ("nodes_concept.csv", CONCEPT, CONCEPT_PROPERTIES),
    ("nodes_evidence.csv", EVIDENCE, EVIDENCE_PROPERTIES),
)
#: (file name, start label, end label, properties) of each relationship file.
RELATIONSHIP_FILES: tuple[tuple[str, str, str, tuple[Property, ...]], ...] = (
    ("relationships_link.csv", PAPER, CONCEPT, LINK_PROPERTIES),
    ("relationships_relation.csv", CONCEPT, CONCEPT, RELATION_PROPERTIES),
    ("relationships_in_paper.csv", EVIDENCE, PAPER, IN_PAPER_PROPERTIES),
)


def choose_array_delimiter(rows: GraphRows) -> str:
    """The first of :data:`ARRAY_DELIMITER_CANDIDATES` that occurs in no list element of ``rows``."""
    used: set[str] = set()
    for props in [n.props for n in rows.nodes] + [r.props for r in rows.relationships]:
        for value in props.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        used.update(c for c in item if c in _CANDIDATE_SET)
    return _first_free(used)


def _first_free(used: set[str]) -> str:
    for candidate in ARRAY_DELIMITER_CANDIDATES:
        if candidate not in used:
            return candidate
    raise Neo4jExportError("no free array delimiter: list values use every candidate character")


def _candidates_in(values: Iterable[Any], used: set[str]) -> None:
    """Add the candidate delimiters found in the strings of ``values`` (a list value) to ``used``."""
    if isinstance(values, (list, tuple)):
        strings = [v for v in values if isinstance(v, str)]
        if strings:
            used.update(_CANDIDATE.findall("".join(strings)))


def plan_array_delimiter(plan: RowPlan) -> str:
    """:func:`choose_array_delimiter` of the rows of ``plan``, without making the rows.

    The string lists of the schema are paper ``authors`` and ``categories``, concept alias
    forms, evidence ``quotes`` and the ``evidence`` ids of relationships; a quote is cut from its
    paper's text only when that text holds a candidate character at all.
    """
    used: set[str] = set()
    nodes = plan.G.nodes
    lists = [p.name for p in PAPER_PROPERTIES if p.kind == STRING_LIST]
    suspects = set()
    for node in plan.papers:
        attrs = nodes[node]
        for name in lists:
            _candidates_in(attrs.get(name), used)
        title, abstract = attrs.get("title"), attrs.get("abstract")
        if (isinstance(title, str) and _CANDIDATE.search(title)) or (isinstance(abstract, str) and _CANDIDATE.search(abstract)):
            suspects.add(node)
    for node, _ in plan.concepts:
        aliases = nodes[node].get("aliases")
        if isinstance(aliases, (list, tuple)):
            _candidates_in([a[0] for a in aliases if isinstance(a, (list, tuple)) and a], used)
    if suspects:
        for eid in plan.evidence:
            if plan.evidence_table[eid].get("paper") in suspects:
                _candidates_in(plan.evidence_props(eid).get("quotes"), used)
    # every evidence id of an edge is a key of the evidence table (the plan checked it): when no
    # key holds a candidate, no edge list does
    keys = iter(plan.evidence_table)
    while batch := list(islice(keys, 10_000)):
        if _CANDIDATE.search("".join([k for k in batch if isinstance(k, str)])):
            for group in (*plan.links.values(), *plan.relations.values()):
                for edge in group:
                    _candidates_in(edge[3].get("evidence"), used)
            break
    return _first_free(used)


def delimiter_option(char: str) -> str:
    """A character as the importer's options take it (``U+001F`` for anything not printable ASCII)."""
    if char.isascii() and char.isprintable() and char not in " '\"":
        return char
    return f"U+{ord(char):04X}"


def quote(text: str) -> str:
    """One CSV string field: always quoted, inner quotes doubled (so ``""`` is the empty string)."""
    return '"' + text.replace('"', '""') + '"'


def csv_field(kind: str, value: Any, array_delimiter: str) -> str:
    """Encode one property value of ``kind``; ``None`` is the empty unquoted field."""
    if value is None:
        return ""
    if kind == STRING:
        return quote(value)
    if kind == LONG:
        return str(value)
    if kind == DOUBLE:
        return repr(float(value))
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == STRING_LIST:
        return quote(array_delimiter.join(value))
    if kind == LONG_LIST:
        return quote(array_delimiter.join(str(v) for v in value))
    raise AssertionError(f"unknown property kind {kind}")


def node_header(key_label: str, properties: Sequence[Property]) -> list[str]:
    """``id:ID(<label>)``, ``:LABEL``, then ``name:type`` for every other property."""
    header = [f"id:ID({key_label})", ":LABEL"]
    header += [f"{p.name}:{p.kind}" for p in properties if p.name != "id"]
    return header


def relationship_header(start_label: str, end_label: str, properties: Sequence[Property]) -> list[str]:
    """``:START_ID(<label>)``, ``:END_ID(<label>)``, ``:TYPE``, then ``name:type`` per property."""
    return [f":START_ID({start_label})", f":END_ID({end_label})", ":TYPE"] + [f"{p.name}:{p.kind}" for p in properties]


def _field_encoders(delim: str) -> dict[str, tuple[str, Callable[[Any], str]]]:
    """Per property kind: :func:`csv_field` of a (never ``None``) stored value as a %-template of
    the field and the function making its text (strings are ``str``, doubles ``float``, booleans
    ``bool``: :mod:`kg.export.neo4j_values` checked them)."""
    return {
        STRING: ('"%s"', _DOUBLE_QUOTES),
        LONG: ("%s", str),
        DOUBLE: ("%s", repr),
        BOOLEAN: ("%s", {True: "true", False: "false"}.__getitem__),
        STRING_LIST: ('"%s"', lambda value: delim.join(value).replace('"', '""')),
        # stored longs are plain ints, whose list repr is "[1, 2]": 2.5 times faster than joining str()s
        LONG_LIST: ('"%s"', lambda value: repr(value)[1:-1].replace(", ", delim)),
    }


#: the inside of :func:`quote`, called from C
_DOUBLE_QUOTES = methodcaller("replace", '"', '""')


def _record_template(head: str, keys: tuple[str, ...], properties: Sequence[Property], delim: str) -> tuple[str, list, list[str] | None]:
    """The CSV record of a row whose ``props`` hold exactly ``keys``: a %-template (``head``, then
    one field per property but ``id``, empty for a missing one, then ``\\n``), the encoder of each
    value and, unless ``props`` lists its values in that order already, the keys in that order.
    ``head`` holds the field of ``id`` (its first ``%s``) when ``properties`` has one."""
    encoders = _field_encoders(delim)
    present = set(keys)
    names = [p.name for p in properties if p.name in present]
    fields = "".join("," + (encoders[p.kind][0] if p.name in present else "") for p in properties if p.name != "id")
    kinds = {p.name: p.kind for p in properties}
    return head + fields + "\n", [encoders[kinds[name]][1] for name in names], None if tuple(names) == keys else names


def _lines(rows: Iterable, properties: Sequence[Property], delim: str, lead: str, tag: Callable[[Any], Any], ends: Callable[[Any], tuple[str, ...]] | None) -> Iterator[str]:
    """One CSV record (with its ``\\n``) per row: ``lead % ends(row)`` (or ``lead % id``), the
    quoted labels or type ``tag(row)``, then the fields of ``row.props`` (:func:`csv_field`).

    Why not the :mod:`csv` module: kg's dialect writes a missing value as an empty unquoted field
    and every string quoted, which Python 3.11's writer cannot (``QUOTE_NONNUMERIC`` quotes the
    empty field of ``None``, and writes booleans as ``True``). Instead each tag and set of keys
    of a group gets its record as one %-template, made once, and the encoder of each value is
    called straight from C (``map(operator.call, ...)``): an export writes millions of values.
    """
    templates: dict[tuple[Any, tuple[str, ...]], tuple[str, list, list[str] | None]] = {}
    for row in rows:
        props = row.props
        keys = tuple(props)
        known = templates.get((tag(row), keys))
        if known is None:
            tagged = tag(row)
            text = quote(delim.join(tagged) if isinstance(tagged, tuple) else tagged)
            known = templates[(tagged, keys)] = _record_template(lead + text.replace("%", "%%"), keys, properties, delim)
        template, encoders, names = known
        values = map(call, encoders, props.values() if names is None else [props[name] for name in names])
        yield template % (tuple(values) if ends is None else (*ends(row), *values))


def _node_lines(rows: Iterable[NodeRow], properties: Sequence[Property], delim: str) -> Iterator[str]:
    """One CSV record (with its ``\\n``) per node row: quoted id, labels, then each property."""
    if [p.name for p in properties[:1]] != ["id"]:
        raise AssertionError("a node schema starts with its id")
    return _lines(rows, properties, delim, '"%s",', attrgetter("labels"), None)


def _relationship_lines(rows: Iterable[RelationshipRow], properties: Sequence[Property], delim: str) -> Iterator[str]:
    """One CSV record (with its ``\\n``) per relationship row: quoted start, end and type, then each property."""
    if not properties:  # IN_PAPER: as many rows as evidence nodes, and nothing but their ends
        return ('"' + _DOUBLE_QUOTES(row.start) + '","' + _DOUBLE_QUOTES(row.end) + '",' + quote(row.type) + "\n" for row in rows)
    return _lines(rows, properties, delim, '"%s","%s",', attrgetter("type"), lambda row: (_DOUBLE_QUOTES(row.start), _DOUBLE_QUOTES(row.end)))


def import_arguments(array_delimiter: str, database: str = "neo4j") -> list[str]:
    """The ``neo4j-admin`` arguments that load the files of :func:`write_bulk_import`.

    File names are relative: run the command from the folder holding them.
    """
    args = [
        "database",
        "import",
        "full",
        database,
        "--delimiter=,",
        f"--array-delimiter={delimiter_option(array_delimiter)}",
        '--quote="',
        "--multiline-fields=true",
        "--id-type=string",
        "--input-encoding=UTF-8",
    ]
    args += [f"--nodes={name}" for name, _, _ in NODE_FILES]
    args += [f"--relationships={name}" for name, _, _, _ in RELATIONSHIP_FILES]
    return args


def _shell_word(word: str) -> str:
    """``word`` for a POSIX shell: as it is when safe, else the (option) value in single quotes."""
    safe = lambda text: re.fullmatch(r"[A-Za-z0-9_.,+/=-]*", text) is not None  # noqa: E731
    if safe(word):
        return word
    if word.startswith("--") and "=" in word:
        option, value = word.split("=", 1)
        if safe(option):
            return f"{option}=" + "'" + value.replace("'", "'\"'\"'") + "'"
    return "'" + word.replace("'", "'\"'\"'") + "'"


def import_command(array_delimiter: str, database: str = "neo4j") -> str:
    """The full shell command line, as printed in the generated README."""
    words = ["bin/neo4j-admin", *import_arguments(array_delimiter, database)]
    lines, line = [], "$NEO4J_HOME/" + words[0]
    for word in words[1:]:
        if word.startswith("--nodes") or word.startswith("--relationships") or word.startswith("--delimiter"):
            lines.append(line)
            line = "    " + _shell_word(word)
        else:
            line += " " + _shell_word(word)
    lines.append(line)
    return " \\\n".join(lines)


def _readme(rows: GraphRows | RowPlan, array_delimiter: str, counts: dict[str, int], delta: bool = False) -> str:
    labels = ", ".join(f"{n} :{label}" for label, n in rows.label_counts().items() if n)
    types = ", ".join(f"{n} :{t}" for t, n in rows.type_counts().items() if n)
    files = "\n".join(f"- `{name}`: {counts[name]} rows" for name in counts)
    delta_line = (f"\n- `{DELTA_FILE}`: what changed since the previous build of this folder, as a Cypher script for a database "
                  "that holds the previous build (see its header)") if delta else ""
    return f"""# Neo4j bulk-import files

Written by `kg build` from the knowledge graph: {labels}; {types}.
The schema (labels, relationship types, properties) is described in kg's `docs/neo4j.md`.

{files}
- `constraints.cypher`: the uniqueness constraints and indexes to create after the import
- `import.cypher`: the same graph as one idempotent Cypher script (an alternative to the import){delta_line}

## Import into Neo4j 5

The importer writes a new database while the server is stopped. From this folder:

```sh
{import_command(array_delimiter)}
```

Add `--overwrite-destination` to replace an existing `neo4j` database. The options spell out
the CSV dialect of these files: every string is quoted, quotes inside are doubled, fields may
span lines, and list elements are separated by {delimiter_option(array_delimiter)} (a character
that occurs in no list value of this graph). Then start Neo4j and create the constraints:

```sh
cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f constraints.cypher
```

Without a stopped server, load `import.cypher` instead (`cypher-shell -f import.cypher`) or
push over Bolt with `kg export neo4j --uri bolt://HOST:7687 --password-env NEO4J_PASSWORD`.

## Not for spreadsheets

Every value is written exactly as it is in the graph, also text that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return. These files are input for `neo4j-admin`, which stores each cell
literally; the usual guard against spreadsheet formulas (a leading `'`) would change the values
in Neo4j. A spreadsheet may run such cells as formulas: do not open these files in one with
formulas enabled (import them as text), or query the database instead.
"""


@pausing  # millions of short-lived rows, none in a reference cycle: see kg.collector
def write_bulk_import(
    G: nx.MultiDiGraph, folder: str | Path, *, plan: RowPlan | None = None, cypher: str | Path | None = None, batch_size: int = 500,
    previous: str | Path | None = None,
) -> Path:
    """Write the bulk-import CSVs, ``constraints.cypher`` and ``README.md`` for ``G`` into ``folder``.

    Every file is written atomically (temporary file, then rename).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        kg's graph (:func:`kg.graph.build.to_networkx` or :func:`kg.graph.build.load_graph`).
    folder : path
        Created if missing; files of an earlier export are replaced.
    plan : RowPlan, optional
        ``RowPlan(G)`` when the caller has it already.
    cypher : path, optional
        Also write :func:`kg.export.neo4j_cypher.write_cypher`'s script (``batch_size`` rows per
        batch) to this path, in the same pass: each row is made once for both.
    previous : path, optional
        With ``cypher``: the ``neo4j`` folder of the previous build of the same output folder;
        then also write ``folder/delta.cypher``, the update of a database holding that build
        (:mod:`kg.export.neo4j_delta_script`), in the same pass. No delta is written (a warning
        is logged) when the previous folder lacks kg's CSVs or holds another layout of them.

    Returns
    -------
    Path
        ``folder``.

    Example
    -------
    >>> import tempfile, networkx as nx
    >>> G = nx.MultiDiGraph(evidence={})
    >>> G.add_node("p", kind="paper", title='A "quoted", title', abstract="line 1\\nline 2", authors=["Ann", "Bo"])
    >>> out = write_bulk_import(G, tempfile.mkdtemp())
    >>> text = (out / "nodes_paper.csv").read_text(encoding="utf-8")
    >>> print(text.replace(chr(0x1F), "<US>"))
    id:ID(Paper),:LABEL,title:string,abstract:string,date:string,date_text:string,authors:string[],venue:string,doi:string,arxiv_id:string,url:string,categories:string[]
    "p","Paper","A ""quoted"", title","line 1
    line 2",,,"Ann<US>Bo",,,,,
    <BLANKLINE>
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    folder = Path(folder)
    plan = plan if plan is not None else RowPlan(G)
    delim = plan_array_delimiter(plan)
    files_of = {"paper": "nodes_paper.csv", "evidence": "nodes_evidence.csv", "link": "relationships_link.csv",
                "relation": "relationships_relation.csv", "in_paper": "relationships_in_paper.csv"}
    properties = {name: props for name, _, props in NODE_FILES} | {name: props for name, _, _, props in RELATIONSHIP_FILES}
    # Every file is written to a temporary file first: a value Neo4j cannot store, found while
    # streaming, leaves every file of an earlier export as it was.
    # newline="" keeps "\n" inside fields exactly as it is; records end with "\n".
    with ExitStack() as files:
        csv = {}
        for name, label, props in NODE_FILES:
            csv[name] = files.enter_context(atomic_open(folder / name, "w", newline=""))
            csv[name].write(",".join(node_header(label, props)) + "\n")
        for name, start_label, end_label, props in RELATIONSHIP_FILES:
            csv[name] = files.enter_context(atomic_open(folder / name, "w", newline=""))
            csv[name].write(",".join(relationship_header(start_label, end_label, props)) + "\n")
        counts = dict.fromkeys(csv, 0)
        script = None
        if cypher is not None:
            script = files.enter_context(atomic_open(cypher, "w", encoding="ascii", newline="\n"))
            script.write(script_header(plan))
        delta = _delta_script(previous, batch_size, folder) if previous is not None and script is not None else None
        if delta is not None:
            files.callback(delta.close)
        # the concept file is in id order, the script's concept batches go label by label
        concepts = "nodes_concept.csv"
        changed_concepts: set[str] = set()  # with a delta: ids of the concept rows it writes
        for batch in batched(plan.concept_rows(), 2000):
            records = list(_node_lines(batch, properties[concepts], delim))
            csv[concepts].write("".join(records))
            counts[concepts] += len(batch)
            if delta is not None:
                changed_concepts.update(row.id for row, changed in zip(batch, delta.compare(concepts, records)) if changed)
        for group, statement, what, rows, literals in _groups(plan):
            name = files_of.get(group)
            if name is None and script is None:
                continue
            lines = _node_lines if name is not None and name.startswith("nodes_") else _relationship_lines
            for batch in batched(rows, batch_size):
                if name is not None:
                    records = list(lines(batch, properties[name], delim))
                    csv[name].write("".join(records))
                    counts[name] += len(batch)
                if script is not None:
                    texts = literals(batch)
                    script.write(batch_text(statement, what, texts))
                    if delta is not None:
                        changed = [row.id in changed_concepts for row in batch] if name is None else delta.compare(name, records)
                        delta.add(statement, what, texts, changed, nodes=group in ("paper", "concept", "evidence"))
        wrote_delta = delta is not None and delta.write(folder / DELTA_FILE, plan) is not None
    atomic_write_text(folder / "constraints.cypher", "".join(f"{s};\n" for s in SCHEMA_STATEMENTS))
    atomic_write_text(folder / "README.md", _readme(plan, delim, counts, delta=wrote_delta))
    return folder


def _delta_script(previous: str | Path, batch_size: int, scratch: Path) -> DeltaScript | None:
    """The :class:`DeltaScript` against the previous build's files, or None (logged) without them."""
    files = [(name, ",".join(node_header(label, props)), label) for name, label, props in NODE_FILES]
    files += [(name, ",".join(relationship_header(start, end, props)), None) for name, start, end, props in RELATIONSHIP_FILES]
    try:
        return DeltaScript(previous, files, batch_size, scratch)
    except NoPreviousFiles as exc:
        log.warning("no %s written: %s", DELTA_FILE, exc)
        return None
