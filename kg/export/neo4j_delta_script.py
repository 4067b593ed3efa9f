"""``delta.cypher``: the Cypher script that turns a database holding a folder's previous build into this build.

It is for users who load kg's graph with cypher-shell and cannot reach the database over Bolt
from the build machine (over Bolt, ``kg export neo4j`` sends the delta itself, :mod:`kg.export.neo4j_bolt`).

When ``kg build`` updates a folder, :func:`kg.export.neo4j_files.write_bulk_import` writes the
new CSVs and ``import.cypher`` in one pass over the rows, and hands each batch to a
:class:`DeltaScript` as well. The previous build's rows are known from the previous folder's
own CSVs (``nodes_*.csv``, ``relationships_*.csv``), read one file at a time while the new file
of the same group is written: each previous record is kept as two hashes of its key (the
record's leading id fields, as written) and a 64-bit digest of the whole record
(:class:`PreviousRecords`). A new row whose record digest
equals the previous one is unchanged (the CSV record spells every stored property, labels and
type, so equal records are equal rows); any other row is new or changed and its ``import.cypher``
literal goes into the delta; previous keys no new row names are deleted.

Why the previous CSVs and not row hashes kept in ``.kg-state/``: a clean build then pays
nothing (no hashing, no state written), and the previous rows are exactly the files the user
loaded. The digest is Python's ``hash()`` of the record text (SipHash, the same process makes
both sides, so its per-run seed does not matter): a false "unchanged" needs a 64-bit
collision between the old and new record of one key.

The script (every line is a comment, a ``:param`` line or a statement, as in ``import.cypher``):

1. a header: the builds it goes from and to (counts per key label and relationship type), what
   it writes and deletes, and how to run it;
2. ``:param delta => {id, before, after}`` and the check (:func:`delta_check_statement`): the
   script stops, having changed nothing, unless the database holds the previous build's counts,
   this build's counts (run twice: harmless, every statement is idempotent) or the marker of a
   run of this script that stopped midway (run it again to finish);
3. the schema statements (``IF NOT EXISTS``) and the run marker;
4. deletions: relationships, then nodes (``DETACH DELETE``), by kg's key labels and types and
   the previous build's ids only, never anything else (a user's own nodes, or relationships of
   the user's own types, survive unless they hang on a node kg deletes);
5. the new and changed rows, in ``import.cypher``'s statements, order and batches;
6. the marker removed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO

from kg.export.neo4j_cypher import batch_text, cypher_literal
from kg.export.neo4j_delta import KeyedDigests
from kg.export.neo4j_rows import RowPlan
from kg.export.neo4j_statements import (
    DELTA_END,
    DELTA_START,
    SCHEMA_STATEMENTS,
    delete_batches,
    delta_check_statement,
    delta_counted,
)
from kg.output import atomic_open

log = logging.getLogger(__name__)

#: The delta script's name, beside ``import.cypher``.
DELTA_FILE = "delta.cypher"

_FIELD = r'"((?:[^"]|"")*)"'
_QUOTED = r'"[^"]*(?:""[^"]*)*"'  # the same field, unrolled: matched twice as fast (0.07 against 0.15 s, 196,049 lines)
#: The key fields at the start of a record: the id of a node, start, end and type of a relationship.
NODE_KEY = re.compile(_QUOTED)
RELATIONSHIP_KEY = re.compile(f"{_QUOTED},{_QUOTED},{_QUOTED}")


class NoPreviousFiles(ValueError):
    """The previous folder lacks kg's CSVs, or holds CSVs of another layout: no delta is written."""


def read_records(path: Path, header: str) -> Iterator[str]:
    """The records of one of kg's CSVs (each with its ``\\n``), after checking its header line.

    A record ends at the first newline outside quotes: kg quotes every string and doubles the
    quotes inside (:mod:`kg.export.neo4j_files`), so a line ends a record exactly when the
    quotes counted so far are even. Raises :class:`NoPreviousFiles` for a missing file or another header.
    """
    with _open_csv(path, header) as fh:
        pending: list[str] = []
        quotes = 0
        for line in fh:
            quotes += line.count('"')
            if quotes % 2:
                pending.append(line)
                continue
            if pending:
                pending.append(line)
                line = "".join(pending)
                pending = []
            quotes = 0
            yield line
        if pending:
            raise NoPreviousFiles(f"{path} ends inside a quoted field")


def key_fields(key: str) -> list[str]:
    """The values of the quoted key fields of a record (:data:`NODE_KEY`, :data:`RELATIONSHIP_KEY`).

    >>> key_fields('"arxiv:1","method/a ""b"" c","USES"')
    ['arxiv:1', 'method/a "b" c', 'USES']
    """
    return [value.replace('""', '"') for value in re.findall(_FIELD, key)]


class PreviousRecords:
    """The records of one previous CSV, each kept as two 64-bit hashes of its key fields and one
    of the whole record (:class:`~kg.export.neo4j_delta.KeyedDigests`, 25 bytes a record).
    :meth:`compare` says which new records are new or changed; :meth:`missing` which previous
    keys no new record named.

    Reading the 3,234,631 records of ``nodes_evidence.csv`` of an 80,000-paper build into a dict
    of key text to digest took a process to 548 MB (RSS), into these arrays to 220 MB, 8.2 and
    6.8 CPU s (one run each); the Neo4j writer holds them beside the graph (in the build process
    itself at that size, :mod:`kg.writer_process`). The price is a second read of the previous
    file, for the texts of the missing keys, when some are missing (8.2 CPU s for that file with
    a third of its keys missing). A previous file with two records under one key (or one pair of
    key hashes) is refused (:class:`NoPreviousFiles`), as a record without its key is.
    """

    def __init__(self, path: Path, header: str, key: re.Pattern):
        self.path, self.header, self.key = path, header, key
        self.types: Counter[str] = Counter()  # relationship records per type (the last key field)
        self.held = KeyedDigests()
        relationships = key is RELATIONSHIP_KEY
        records = read_records(path, header)
        while batch := list(islice(records, 1 << 16)):
            keys = []
            for record in batch:
                found = key.match(record)
                if found is None:
                    raise NoPreviousFiles(f"{path}: a record without its key fields")
                keys.append(found.group())
            if relationships:
                self.types.update(text[text.rindex(',"') + 2 : -1] for text in keys)
            self.held.add(keys, map(hash, batch))
        if self.held.freeze():
            raise NoPreviousFiles(f"{path}: two records under one key (or one key hash)")
        self.count = self.held.count

    @property
    def unchanged(self) -> int:
        return self.held.unchanged

    def compare(self, records: Sequence[str]) -> list[bool]:
        """For each new record: whether it is new or differs from the previous record of its key."""
        keys = [self.key.match(record).group() for record in records]
        return self.held.compare(keys, map(hash, records))

    def missing(self) -> list[str]:
        """The previous keys no compared record named, sorted, read again from the file;
        :class:`NoPreviousFiles` when the file no longer holds them all."""
        wanted = self.held.missing
        if not wanted:
            return []
        found: list[str] = []
        records = read_records(self.path, self.header)
        while batch := list(islice(records, 1 << 16)):
            keys = [match.group() if (match := self.key.match(record)) else "" for record in batch]
            found += [keys[i] for i in self.held.unseen(keys)]
        if len(found) != wanted:
            raise NoPreviousFiles(f"{self.path} changed while this build read it")
        return sorted(found)


class DeltaScript:
    """Collects what one build changes against the previous build's CSVs, then writes ``delta.cypher``.

    :func:`kg.export.neo4j_files.write_bulk_import` calls :meth:`compare` with the new CSV
    records of each batch (file by file, in the order it writes them) and :meth:`add` with the
    ``import.cypher`` literals of the batch and which of them changed; :meth:`write` writes the
    script. Only the previous file being compared is held in memory (as hashes: :class:`PreviousRecords`).

    Parameters
    ----------
    previous : path
        The previous build's ``neo4j`` folder.
    files : sequence of (name, header, key label or None)
        kg's CSVs: file name, header line, and the key label of a node file (None: relationships).
    batch_size : int
        Rows per ``:param`` line, as in ``import.cypher``.
    scratch : path, optional
        Folder of the anonymous temporary file that holds the rows until :meth:`write` (the
        output folder: the system's temporary folder may be small).

    Raises
    ------
    NoPreviousFiles
        When a previous CSV is missing or has another header (checked before anything is
        written). A previous CSV found damaged later (a record without its key, a last quoted
        field never closed) is logged as a warning, and :meth:`write` then writes no script.
    """

    def __init__(self, previous: str | Path, files: Sequence[tuple[str, str, str | None]], batch_size: int = 500,
                 scratch: str | Path | None = None):
        self.previous = Path(previous)
        self.files = {name: (header, label) for name, header, label in files}
        for name, (header, _) in self.files.items():
            _open_csv(self.previous / name, header).close()
        self.batch_size = batch_size
        self.before: Counter[str] = Counter()
        self.delete_nodes: list[tuple[str, str]] = []
        self.delete_relationships: list[tuple[str, str, str]] = []
        self.unchanged = 0
        self.written_nodes = self.written_relationships = 0
        self._done: set[str] = set()
        self._open: tuple[str, PreviousRecords] | None = None
        self._pending: tuple[str, str, list[str]] | None = None  # statement, what, literals not yet written
        self._rows: IO[str] = tempfile.TemporaryFile("w+", encoding="ascii", newline="\n", dir=scratch)
        self.broken: str | None = None  # why no script can be written
        self._digest = hashlib.blake2b(digest_size=8)

    def close(self) -> None:
        self._rows.close()
        self._open = None

    def _load(self, name: str) -> PreviousRecords:
        """The comparison with previous file ``name`` (finishing the one open before)."""
        if self._open is not None and self._open[0] == name:
            return self._open[1]
        if name in self._done:
            raise AssertionError(f"{name}: compared again after another file")
        self._finish()
        header, label = self.files[name]
        rows = PreviousRecords(self.previous / name, header, NODE_KEY if label is not None else RELATIONSHIP_KEY)
        if label is not None:
            self.before[label] += rows.count
        else:
            self.before.update(rows.types)
        self._open = (name, rows)
        return rows

    def _finish(self) -> None:
        """Note the deletions of the open file: the previous keys no new row named."""
        if self._open is None:
            return
        name, rows = self._open
        self._open = None
        self._done.add(name)
        self.unchanged += rows.unchanged
        try:
            missing = rows.missing()
        except NoPreviousFiles as exc:
            self.broken = str(exc)
            log.warning("no %s written: %s", DELTA_FILE, exc)
            return
        if self.files[name][1] is not None:
            self.delete_nodes += [(self.files[name][1], key_fields(key)[0]) for key in missing]
        else:
            for key in missing:
                start, end, rel_type = key_fields(key)
                self.delete_relationships.append((rel_type, start, end))

    def compare(self, name: str, records: Sequence[str]) -> list[bool]:
        """For each new CSV record of file ``name``: whether the previous build lacks it or held
        another record under its key."""
        if self.broken is None:
            try:
                rows = self._load(name)
            except NoPreviousFiles as exc:
                self.broken = str(exc)
                log.warning("no %s written: %s", DELTA_FILE, exc)
        if self.broken is not None:
            return [True] * len(records)
        return rows.compare(records)

    def add(self, statement: str, what: str, literals: Sequence[str], changed: Sequence[bool], *, nodes: bool) -> None:
        """The ``import.cypher`` literals of one batch and which rows changed: the changed ones
        go into the script, in batches of ``batch_size`` per statement."""
        if self.broken is not None:
            return
        if self._pending is not None and self._pending[0] != statement:
            self._flush()
        if self._pending is None:
            self._pending = (statement, what, [])
        pending = self._pending[2]
        for literal, wanted in zip(literals, changed, strict=True):
            if wanted:
                pending.append(literal)
                if len(pending) >= self.batch_size:
                    self._flush()
                    self._pending = (statement, what, pending := [])
        if nodes:
            self.written_nodes += sum(changed)
        else:
            self.written_relationships += sum(changed)

    def _flush(self) -> None:
        if self._pending is not None and self._pending[2]:
            text = batch_text(*self._pending)
            self._rows.write(text)
            self._digest.update(text.encode("ascii"))
        self._pending = None

    def write(self, path: str | Path, plan: RowPlan) -> Path | None:
        """Write the script (atomically) for the new graph of ``plan``; see the module docstring.
        Returns None, writing nothing, when a previous CSV turned out damaged."""
        self._flush()
        self._finish()
        for name in self.files:  # a group the new build has no row of: all its previous rows go
            if name not in self._done and self.broken is None:
                try:
                    self._load(name)
                except NoPreviousFiles as exc:
                    self.broken = str(exc)
                    log.warning("no %s written: %s", DELTA_FILE, exc)
                self._finish()
        if self.broken is not None:
            return None
        deletions = "".join(
            batch_text(batch.statement, batch.what, [cypher_literal(row) for row in batch.rows])
            for batch in delete_batches(self.delete_nodes, self.delete_relationships, self.batch_size, marked=False)
        )
        self._digest.update(deletions.encode("ascii"))
        counted = delta_counted()
        after = {**plan.label_counts(), **plan.type_counts()}
        before_counts = [self.before.get(name, 0) for name in counted]
        after_counts = [after.get(name, 0) for name in counted]
        self._digest.update(repr((before_counts, after_counts)).encode("ascii"))
        delta_id = self._digest.hexdigest()
        describe = lambda counts: ", ".join(f"{n} :{name}" for name, n in zip(counted, counts) if n) or "nothing"  # noqa: E731
        deleted = len(self.delete_nodes) + len(self.delete_relationships)
        header = (
            "// kg delta for Neo4j 5, written by kg (schema: kg docs/neo4j.md): turns a database holding the\n"
            "// previous build of this output folder into this build.\n"
            f"// From (the previous build): {describe(before_counts)}.\n"
            f"// To (this build, as import.cypher): {describe(after_counts)}.\n"
            f"// Writes {self.written_nodes} nodes and {self.written_relationships} relationships (new or changed), deletes "
            f"{len(self.delete_nodes)} nodes and {len(self.delete_relationships)} relationships; {self.unchanged} rows unchanged.\n"
            "// Run it on the database loaded from the previous build's import.cypher or bulk-import files:\n"
            '//   cypher-shell -a bolt://localhost:7687 -u neo4j -p "$NEO4J_PASSWORD" -f delta.cypher\n'
            "// The first statement stops the script, changing nothing, unless the database holds the previous\n"
            "// build (counted per label and type), this build (a second run is harmless) or a run of this script\n"
            "// that stopped midway (run it again to finish). It deletes only nodes with kg's labels and the\n"
            "// previous build's ids, and kg's relationships between them; a node it deletes takes its\n"
            "// relationships along (DETACH DELETE).\n"
        )
        params = cypher_literal({"id": delta_id, "before": before_counts, "after": after_counts})
        with atomic_open(path, "w", encoding="ascii", newline="\n") as fh:
            fh.write(header)
            fh.write(f":param delta => {params}\n{delta_check_statement()};\n")
            fh.write("".join(statement + ";\n" for statement in SCHEMA_STATEMENTS))
            fh.write(f"{DELTA_START};\n")
            if deleted:
                fh.write(deletions)
            self._rows.seek(0)
            shutil.copyfileobj(self._rows, fh, 1 << 20)
            fh.write(f"// done: the database holds this build\n{DELTA_END};\n")
        return Path(path)


def _open_csv(path: Path, header: str) -> IO[str]:
    """One of kg's CSVs, open after its header line; :class:`NoPreviousFiles` for a missing file or another header."""
    try:
        fh = open(path, encoding="utf-8", newline="\n")
    except (FileNotFoundError, NotADirectoryError):
        raise NoPreviousFiles(f"{path} is missing") from None
    if fh.readline() != header + "\n":
        fh.close()
        raise NoPreviousFiles(f"{path} has another header than kg writes now")
    return fh
