"""Bring the Oxigraph store of a previous graph file up to a new graph file by subject blocks.

kg writes Turtle and N-Triples as subject blocks (:mod:`kg.rdf.formats`): after the header
(``@base``/``@prefix`` lines), every line that does not begin with whitespace starts a block,
one statement about one subject, IRI-named (kg writes no blank nodes), and the lines that begin
with whitespace continue it; string literals escape their line breaks, so no literal starts a
line. A block holds triples of its subject only, and a subject may have several blocks.

So the difference between two such files is a set of subjects: a subject is *changed* when one
of its blocks is in one file and not in the other (compared by a 64-bit hash of the block's
bytes). Only the blocks of changed subjects are read again, and compared statement by statement:
kg writes one triple per line and spells a term the same way wherever it writes it, so the
lines of a subject's blocks (its ``predicate object`` pairs) are its triples. The pairs of all
its old blocks that none of its new blocks has are parsed and removed; the pairs only its new
blocks have go to Oxigraph's bulk loader as text (:func:`apply_delta`). A concept whose paper
count changed so costs one removal and one line loaded, and a new paper's blocks load at the
bulk loader's speed. The store then holds exactly the quads of a bulk load of the new file:
unchanged subjects have the same blocks, hence the same quads, in both files.

The files are read once as a stream, to hash every block and note where it starts (three
64-bit arrays per file, 24 bytes a block); the blocks of changed subjects are then read at
those offsets, in file order. The set algebra is numpy's (sorted arrays and binary
search). A block or a statement that differs but hashes like one of the other file is missed
with probability about ``changed x total / 2**64`` (below 1e-5 for 10^6 changed blocks of a
10^8-block file).

What this module cannot handle (another format, a different header, a line that starts neither
a header nor an IRI subject, a blank node, a delta larger than :data:`MAX_CHANGED_FRACTION`)
raises :class:`DeltaUnsupported`; the caller (:mod:`kg.rdf.oxstore`) then bulk-loads instead.
"""

from __future__ import annotations

import os
import re
import time
from array import array
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from kg.rdf.formats import RdfFormat, format_for_path

#: Formats whose files are subject blocks as described above (TriG nests them in a graph block,
#: JSON-LD is one document).
BLOCK_FORMATS = ("turtle", "nt")

#: When more than this fraction of the new file's blocks belong to changed subjects the delta is
#: refused and the store bulk-loaded (the environment variable ``KG_STORE_DELTA_MAX_FRACTION``
#: moves it). Measured on a quiet machine (docs/scale.md), in place against the bulk load of the
#: same file, both ending in an equal store: 9,000 papers updated to 10,000 (25% of the blocks)
#: 32.1 s against 50.0 s wall; 7,000 to 10,000 (43%) 46.0 s against 44.7 s. So the crossover is
#: near 40%, and the guard sits below it.
MAX_CHANGED_FRACTION = 0.35


def max_changed_fraction() -> float:
    """:data:`MAX_CHANGED_FRACTION`, or ``KG_STORE_DELTA_MAX_FRACTION`` where set (``ValueError``
    when that is not a number)."""
    value = os.environ.get("KG_STORE_DELTA_MAX_FRACTION")
    if not value:
        return MAX_CHANGED_FRACTION
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"KG_STORE_DELTA_MAX_FRACTION must be a number, not {value!r}") from None

#: Bytes read from a graph file at a time, and of statements parsed or bulk-loaded at a time.
#: Oxigraph's bulk loader holds a whole call's quads in memory, sorted once per index: the
#: 821,212 statements of the 9,000 to 10,000 papers update, loaded 32 MB at a time, raised the
#: process's peak by 422 MB; 8 MB at a time by 31 MB, in 7.8 s wall against 8.7 (10.8 CPU s
#: against 8.6); 2 MB at a time took 11.3 s (one run each, docs/scale.md).
READ_BYTES = 8 * 2**20
LOAD_BYTES = 8 * 2**20

#: Statements whose hashes are looked up at a time in :func:`_picked`.
PICK_BATCH = 1 << 16

_BLOCK_START = re.compile(rb"\n(?=[^\s])")


class DeltaUnsupported(ValueError):
    """The two files cannot be compared by subject blocks: bulk-load the new one instead."""


@dataclass
class BlockIndex:
    """One graph file read as blocks: its header and, per block in file order, the hash of the
    block's bytes, of its subject's spelling, and where the block starts in the file."""

    header: bytes
    blocks: np.ndarray  # uint64 per block
    subjects: np.ndarray  # uint64 per block
    starts: np.ndarray  # int64 per block: byte offset in the file
    size: int  # the file's size in bytes

    def located(self) -> BlockIndex:
        """The index without its hashes: where the blocks are, all that is read once the changed
        subjects are known (the hashes of 16.2 million blocks hold 260 MB)."""
        empty = np.empty(0, dtype=np.uint64)
        return BlockIndex(self.header, empty, empty, self.starts, self.size)


@dataclass
class DeltaReport:
    """What :func:`apply_delta` did (written to ``timings.json`` by the build)."""

    blocks_old: int
    blocks_new: int
    blocks_changed: int  # blocks in only one of the files
    subjects_changed: int  # subjects with such a block
    subjects_removed: int  # changed subjects the new file does not have
    quads_deleted: int
    quads_inserted: int
    seconds_compare: float
    seconds_delete: float
    seconds_insert: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def check_format(path: str | Path) -> RdfFormat:
    """The format of ``path`` if it is one of :data:`BLOCK_FORMATS`, else :class:`DeltaUnsupported`."""
    fmt = format_for_path(path)
    if fmt.name not in BLOCK_FORMATS:
        raise DeltaUnsupported(f"{Path(path).name}: {fmt.name} is not written as subject blocks")
    return fmt


def iter_blocks(path: str | Path) -> Iterator[bytes]:
    """The header of ``path`` (its leading ``@`` lines and the blank line after them, maybe
    empty), then every block without its final line break; :class:`DeltaUnsupported` for a block
    that does not start with an IRI.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.ttl"
    >>> _ = p.write_text('@prefix a: <urn:a#> .\\n\\n<x> a:p "1" ;\\n    a:q <y> .\\n<y> a:p "2" .\\n')
    >>> list(iter_blocks(p))
    [b'@prefix a: <urn:a#> .\\n\\n', b'<x> a:p "1" ;\\n    a:q <y> .', b'<y> a:p "2" .']
    """
    for _, block in _iter_blocks_at(path):
        yield block


def _iter_blocks_at(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """:func:`iter_blocks` with each block's byte offset in the file (the header's is 0)."""
    header: list[bytes] = []
    in_header = True
    carry = b""
    offset = 0  # of the first byte of ``carry``
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(READ_BYTES)
            data = carry + chunk
            parts = _BLOCK_START.split(data)
            if chunk:
                carry = parts.pop()  # maybe cut short: completed by the next chunk
            else:
                carry = b""
                if parts and parts[-1].endswith(b"\n"):
                    parts[-1] = parts[-1][:-1]
                if parts == [b""]:
                    parts = []
            for part in parts:
                at = offset
                offset += len(part) + 1  # the line break the split took
                if in_header:
                    if part.startswith(b"@"):
                        header.append(part + b"\n")
                        continue
                    in_header = False
                    yield 0, b"".join(header)
                if part[:1] != b"<" or part[:2] == b"<<":
                    raise DeltaUnsupported(f"{Path(path).name}: a line starts with {part[:20]!r}, not a subject IRI")
                yield at, part
            if not chunk:
                break
    if in_header:
        yield 0, b"".join(header)


def index_blocks(path: str | Path) -> BlockIndex:
    """Hash every block of ``path`` (see :class:`BlockIndex`)."""
    blocks = _iter_blocks_at(path)
    _, header = next(blocks)
    # machine-word arrays, not lists: a list holds an int object per entry, 40 bytes against 8
    # (lists of the 16.2 million blocks of an 80,000-paper graph.ttl: about 1.9 GB while made)
    hashes, subjects, starts = array("q"), array("q"), array("q")
    add_block, add_subject, add_start = hashes.append, subjects.append, starts.append
    for at, block in blocks:
        add_block(hash(block))
        add_subject(hash(block[: block.find(b" ")]))
        add_start(at)
    # Python's hash is a signed 64-bit SipHash of the bytes, fixed within one process
    # (numpy views of the arrays' buffers, no copies)
    return BlockIndex(header, np.frombuffer(hashes, dtype=np.uint64), np.frombuffer(subjects, dtype=np.uint64),
                      np.frombuffer(starts, dtype=np.int64), os.path.getsize(path))


def _statements(path: Path, index: BlockIndex, mask: np.ndarray) -> Iterator[tuple[bytes, bytes]]:
    """``(subject, "predicate object")`` for every triple of the blocks set in ``mask``: kg
    writes one triple per line (``subject p o ;`` then ``    p o ;`` ... ``    p o .``;
    N-Triples: one block per line), and spells a term the same way wherever it writes it, so two
    equal lines of one subject are one triple and two different lines two triples
    (:func:`kg.rdf.formats._turtle_encoders`)."""
    for block in _read_blocks(path, index, mask):
        first, *rest = block.split(b"\n")
        subject, pair = first.split(b" ", 1)
        yield subject, pair[:-2]  # without " ;" / " ."
        for line in rest:
            yield subject, line.lstrip(b" ")[:-2]


def _read_blocks(path: Path, index: BlockIndex, mask: np.ndarray) -> Iterator[bytes]:
    """The blocks of ``path`` set in ``mask``, in file order, read at their offsets a window of
    :data:`READ_BYTES` at a time (the windows move forward and skip what no block needs; a memory
    map instead kept up to the whole file resident: 6.2 GB for two 3.4 GB files at 80,000 papers)."""
    starts, size = index.starts, index.size
    last = len(starts) - 1
    window, at = b"", 0
    with open(path, "rb") as fh:
        for i in np.flatnonzero(mask).tolist():
            start = int(starts[i])
            end = int(starts[i + 1]) - 1 if i < last else size
            if end > at + len(window):
                fh.seek(start)
                window, at = fh.read(max(READ_BYTES, end - start)), start
            yield window[start - at:end - at].rstrip(b"\n")


def _statement_hashes(path: Path, index: BlockIndex, mask: np.ndarray) -> np.ndarray:
    """Sorted hashes of the statements of the blocks set in ``mask`` (:func:`_statements`);
    :class:`DeltaUnsupported` for an object that is a blank node or a collection, which a
    delete-and-insert by text would rename."""
    hashes = array("q")
    add = hashes.append
    for statement in _statements(path, index, mask):
        pair = statement[1]
        head = pair[pair.find(b" ") + 1: pair.find(b" ") + 2]
        if head in (b"_", b"[", b"("):
            raise DeltaUnsupported(f"{path.name}: a blank node or collection in a changed block")
        add(hash(statement))
    return np.unique(np.frombuffer(hashes, dtype=np.int64))


def _picked(path: Path, index: BlockIndex, mask: np.ndarray, wanted: np.ndarray) -> Iterator[bytes]:
    """The statements of the blocks set in ``mask`` whose hash is in the sorted array ``wanted``,
    each as one ``subject p o .`` line. Looked up :data:`PICK_BATCH` statements at a time by
    binary search (:func:`_member`), not in a set of ``wanted``: a set of 1.9 million ints holds
    about 100 MB."""
    if not len(wanted):
        return
    statements = _statements(path, index, mask)
    while batch := list(islice(statements, PICK_BATCH)):
        found = _member(np.fromiter(map(hash, batch), dtype=np.int64, count=len(batch)), wanted)
        for i in np.flatnonzero(found).tolist():
            subject, pair = batch[i]
            yield subject + b" " + pair + b" .\n"


def _batches(lines: Iterator[bytes], size: int) -> Iterator[bytes]:
    """``lines`` joined into pieces of about ``size`` bytes."""
    piece: list[bytes] = []
    total = 0
    for line in lines:
        piece.append(line)
        total += len(line)
        if total >= size:
            yield b"".join(piece)
            piece, total = [], 0
    if piece:
        yield b"".join(piece)


def apply_delta(store, old: str | Path, new: str | Path, *, max_fraction: float | None = None) -> DeltaReport:
    """Turn ``store`` (a writable ``pyoxigraph.Store`` holding exactly the quads of the graph file
    ``old``) into the quads of the graph file ``new``, in named steps: :func:`changed_subjects`
    (which subjects differ, by block hashes), then, for the blocks of those subjects only, which
    statements (one triple each) only one file has (:func:`_statement_hashes`). The old file's
    are parsed and removed one by one; the new file's go to Oxigraph's bulk loader as text. A
    concept whose count changed so costs one removal and one line loaded, and the new papers'
    statements load at the bulk loader's speed.

    Measured at 9,000 papers updated to 10,000 (25% of the blocks changed; docs/scale.md), one
    run each on a quiet machine: this path 32.1 s wall (compare 16.5, remove 4.2, load 11.3), the
    bulk load of the new file 38.9 to 50.0 s; the earlier version of this function, which parsed
    every changed block in Python and inserted quad by quad, 59.0 s.

    Raises :class:`DeltaUnsupported` before the store is touched when the files cannot be compared
    by blocks or statements, or when more than ``max_fraction`` of the new blocks belong to
    changed subjects, and ``ValueError`` for a statement that does not parse (the store may then
    be half-updated: the caller throws it away).
    """
    import pyoxigraph as ox

    old, new = Path(old), Path(new)
    max_fraction = max_changed_fraction() if max_fraction is None else max_fraction
    fmt = check_format(new)
    if check_format(old) != fmt:
        raise DeltaUnsupported(f"{old.name} and {new.name} are in different formats")
    oxfmt = getattr(ox.RdfFormat, fmt.oxigraph_format)
    t0 = time.perf_counter()
    before, after = index_blocks(old), index_blocks(new)
    delta = changed_subjects(before, after)
    blocks_old, blocks_new = len(before.blocks), len(after.blocks)
    if delta.new_mask.sum() > max_fraction * max(blocks_new, 1):
        raise DeltaUnsupported(f"{int(delta.new_mask.sum())} of {blocks_new} blocks changed: more than {max_fraction:.0%}")
    before, after = before.located(), after.located()  # the block hashes are not read again
    old_hashes = _statement_hashes(old, before, delta.old_mask)
    new_hashes = _statement_hashes(new, after, delta.new_mask)
    removed = old_hashes[~_member(old_hashes, new_hashes)]  # both sorted and unique
    added = new_hashes[~_member(new_hashes, old_hashes)]
    del old_hashes, new_hashes
    t1 = time.perf_counter()
    deleted = 0
    for text in _batches(_picked(old, before, delta.old_mask, removed), LOAD_BYTES):
        for quad in _parse(before.header + text, oxfmt, str(old)):
            store.remove(quad)
            deleted += 1
    t2 = time.perf_counter()
    inserted = 0
    for text in _batches(_picked(new, after, delta.new_mask, added), LOAD_BYTES):
        inserted += text.count(b"\n")
        store.bulk_load(input=after.header + text, format=oxfmt)
    t3 = time.perf_counter()
    return DeltaReport(
        blocks_old=blocks_old, blocks_new=blocks_new, blocks_changed=delta.blocks_changed,
        subjects_changed=len(delta.changed), subjects_removed=delta.removed, quads_deleted=deleted,
        quads_inserted=inserted, seconds_compare=t1 - t0, seconds_delete=t2 - t1, seconds_insert=t3 - t2,
    )


def _parse(text: bytes, oxfmt, source: str) -> list:
    """The quads of ``text`` (a header and statements); ``ValueError`` when it does not parse."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(text, oxfmt))
    except SyntaxError as exc:
        raise ValueError(f"{source}: {exc}") from None


@dataclass
class SubjectDelta:
    """The subjects that differ between two :class:`BlockIndex`\\ es (hashes), and their blocks."""

    changed: np.ndarray  # sorted subject hashes with a block in only one file
    kept: np.ndarray  # those of them the two files both have
    removed: int  # how many of them only the old file has
    old_mask: np.ndarray  # the old file's blocks of changed subjects
    new_mask: np.ndarray  # the new file's blocks of changed subjects
    blocks_changed: int


def changed_subjects(before: BlockIndex, after: BlockIndex) -> SubjectDelta:
    """The changed subjects (see the module docstring); :class:`DeltaUnsupported` when the
    headers differ (another base IRI or prefixes: every block would differ)."""
    if before.header != after.header:
        raise DeltaUnsupported("the two files have different headers (base IRI or prefixes)")
    old_blocks, new_blocks = np.sort(before.blocks), np.sort(after.blocks)
    old_only = ~_member(before.blocks, new_blocks)
    new_only = ~_member(after.blocks, old_blocks)
    changed = np.union1d(before.subjects[old_only], after.subjects[new_only])
    old_subjects, new_subjects = np.sort(before.subjects), np.sort(after.subjects)
    in_old, in_new = _member(changed, old_subjects), _member(changed, new_subjects)
    return SubjectDelta(changed, changed[in_old & in_new], int((in_old & ~in_new).sum()),
                        _member(before.subjects, changed), _member(after.subjects, changed),
                        int(old_only.sum() + new_only.sum()))


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted ``sorted_set``, by binary search: a third of
    ``np.isin``'s time on 1.5 million 64-bit hashes (0.55 s against 1.7 to 2.0 s, numpy 2.4).

    >>> _member(np.array([3, 1, 7]), np.array([1, 2, 3])).tolist()
    [True, True, False]
    """
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    return sorted_set[at] == values


def update_oxigraph(previous: str | Path, path: str | Path, *, max_fraction: float | None = None) -> DeltaReport:
    """Write the Oxigraph store of the graph file ``path`` from the store of the graph file
    ``previous`` (in another folder, same name) and the delta between the two files.

    The previous store is opened read-only and copied as a RocksDB checkpoint (hard links on the
    same file system: instant, and the previous store is never written), the copy is brought up
    to ``path`` by :func:`apply_delta`, stamped and switched in as
    :func:`kg.rdf.store.build_oxigraph` would. :class:`DeltaUnsupported` when the previous store
    is missing or not up to date with ``previous``; on any error the copy is removed.
    """
    import pyoxigraph as ox

    from kg.rdf.store import oxigraph_dir, oxigraph_up_to_date, staged_store

    previous, path = Path(previous), Path(path)
    if previous.name != path.name:
        raise DeltaUnsupported(f"the previous graph file is {previous.name}, not {path.name}")
    check_format(path)
    if not oxigraph_up_to_date(previous):
        raise DeltaUnsupported(f"no Oxigraph store up to date with {previous}")
    with staged_store(path) as staging:
        ox.Store.read_only(str(oxigraph_dir(previous))).backup(str(staging))
        store = ox.Store(str(staging))
        report = apply_delta(store, previous, path, max_fraction=max_fraction)
        store.flush()
        del store
    return report
