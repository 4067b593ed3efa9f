"""Bring the Oxigraph store of a previous graph file up to a new graph file by subject blocks.

kg writes Turtle and N-Triples as subject blocks (:mod:`kg.rdf.formats`): after the header
(``@base``/``@prefix`` lines), every line that does not begin with whitespace starts a block,
one statement about one subject, IRI-named (kg writes no blank nodes), and the lines that begin
with whitespace continue it; string literals escape their line breaks, so no literal starts a
line. A block holds triples of its subject only, and a subject may have several blocks.

So the difference between two such files is a set of subjects: a subject is *changed* when one
of its blocks is in one file and not in the other (compared by a 64-bit hash of the block's
bytes). Only the blocks of changed subjects are parsed: a subject only the old file has loses
all its quads, one only the new file has gets all of them, and for a subject both have, the
quads of its old blocks and of its new blocks are compared (by pyoxigraph's hash of a quad), so
that a concept whose paper count changed costs one removal and one addition, not its whole block
again (:func:`apply_delta`). The store then holds exactly the quads of a bulk load of the new
file: unchanged subjects have the same blocks, hence the same quads, in both files.

The files are read as a stream: to hash every block (two ``uint64`` arrays per file, 16 bytes a
block), then to take the blocks of the changed subjects (twice for the subjects both files have).
The set algebra is numpy's (``np.isin``). A block (or a quad) that differs but hashes like one
of the other file is missed with probability about ``changed x total / 2**64`` (below 1e-5 for
10^6 changed blocks of a 10^8-block file).

What this module cannot handle (another format, a different header, a line that starts neither
a header nor an IRI subject, a blank node, a delta larger than :data:`MAX_CHANGED_FRACTION`)
raises :class:`DeltaUnsupported`; the caller (:mod:`kg.rdf.oxstore`) then bulk-loads instead.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.rdf.formats import RdfFormat, format_for_path

#: Formats whose files are subject blocks as described above (TriG nests them in a graph block,
#: JSON-LD is one document).
BLOCK_FORMATS = ("turtle", "nt")

#: When more than this fraction of the new file's blocks belong to changed subjects the delta is
#: refused and the store bulk-loaded (the environment variable ``KG_STORE_DELTA_MAX_FRACTION``
#: moves it). Measured at 10,000 papers updated by 1,000 (25% of the blocks): in place 147 s wall
#: and 54 CPU s, the bulk load 97 s and 64 CPU s (docs/scale.md): the delta is parsed block by
#: block in one Python thread where the bulk loader runs on every core, so it pays only for small
#: deltas; 10% is a guard below that point, not a measured crossover.
MAX_CHANGED_FRACTION = 0.1


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

#: Bytes read from a graph file at a time, and blocks parsed and inserted at a time.
READ_BYTES = 8 * 2**20
INSERT_BLOCKS = 50_000

_BLOCK_START = re.compile(rb"\n(?=[^\s])")


class DeltaUnsupported(ValueError):
    """The two files cannot be compared by subject blocks: bulk-load the new one instead."""


@dataclass
class BlockIndex:
    """One graph file read as blocks: its header and, per block in file order, the hash of the
    block's bytes and of its subject's spelling."""

    header: bytes
    blocks: np.ndarray  # uint64 per block
    subjects: np.ndarray  # uint64 per block


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
    header: list[bytes] = []
    in_header = True
    carry = b""
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
                if in_header:
                    if part.startswith(b"@"):
                        header.append(part + b"\n")
                        continue
                    in_header = False
                    yield b"".join(header)
                if part[:1] != b"<" or part[:2] == b"<<":
                    raise DeltaUnsupported(f"{Path(path).name}: a line starts with {part[:20]!r}, not a subject IRI")
                yield part
            if not chunk:
                break
    if in_header:
        yield b"".join(header)


def index_blocks(path: str | Path) -> BlockIndex:
    """Hash every block of ``path`` (see :class:`BlockIndex`)."""
    blocks = iter_blocks(path)
    header = next(blocks)
    hashes: list[int] = []
    subjects: list[int] = []
    add_block, add_subject = hashes.append, subjects.append
    for block in blocks:
        add_block(hash(block))
        add_subject(hash(block[: block.find(b" ")]))
    # Python's hash is a signed 64-bit SipHash of the bytes, fixed within one process
    return BlockIndex(header, np.array(hashes, dtype=np.int64).view(np.uint64),
                      np.array(subjects, dtype=np.int64).view(np.uint64))


def _take(path: str | Path, mask: np.ndarray) -> Iterator[bytes]:
    """The blocks of ``path`` whose position is set in ``mask``, in file order."""
    blocks = iter_blocks(path)
    next(blocks)
    wanted = np.flatnonzero(mask)
    k, n = 0, len(wanted)
    for i, block in enumerate(blocks):
        if k == n:
            return
        if i == wanted[k]:
            k += 1
            yield block


def _chunks(blocks: Iterator[bytes], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for block in blocks:
        chunk.append(block)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse(header: bytes, blocks: list[bytes], fmt: RdfFormat, source: str) -> list:
    """The quads of ``blocks`` (parsed with the file's header); :class:`DeltaUnsupported` on a
    blank node, which a delete-and-insert would rename."""
    import pyoxigraph as ox

    try:
        quads = list(ox.parse(header + b"\n".join(blocks) + b"\n", getattr(ox.RdfFormat, fmt.oxigraph_format)))
    except SyntaxError as exc:
        raise ValueError(f"{source}: {exc}") from None
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            raise DeltaUnsupported(f"{source}: a blank node in a changed block")
    return quads


def apply_delta(store, old: str | Path, new: str | Path, *, max_fraction: float | None = None) -> DeltaReport:
    """Turn ``store`` (a writable ``pyoxigraph.Store`` holding exactly the quads of the graph file
    ``old``) into the quads of the graph file ``new``, in named steps: :func:`changed_subjects`
    (which subjects differ), :func:`kept_quad_hashes` (the quads of the subjects in both files),
    then the writes: every quad of a changed subject's old blocks that its new blocks lack is
    removed, every quad of its new blocks that its old blocks lack is added (``bulk_extend``).
    A subject whose block differs by one triple (a count) so costs one removal and one addition.

    Raises :class:`DeltaUnsupported` before the store is touched when the files cannot be compared
    by blocks or when more than ``max_fraction`` of the new blocks belong to changed subjects, and
    ``ValueError`` for a block that does not parse (the store may then be half-updated: the
    caller throws it away).
    """
    old, new = Path(old), Path(new)
    max_fraction = max_changed_fraction() if max_fraction is None else max_fraction
    fmt = check_format(new)
    if check_format(old) != fmt:
        raise DeltaUnsupported(f"{old.name} and {new.name} are in different formats")
    t0 = time.perf_counter()
    before, after = index_blocks(old), index_blocks(new)
    delta = changed_subjects(before, after)
    if delta.new_mask.sum() > max_fraction * max(len(after.blocks), 1):
        raise DeltaUnsupported(f"{int(delta.new_mask.sum())} of {len(after.blocks)} blocks changed: more than {max_fraction:.0%}")
    old_kept, new_kept = kept_quad_hashes(old, before, delta.old_mask, delta.kept, fmt), kept_quad_hashes(new, after, delta.new_mask, delta.kept, fmt)
    t1 = time.perf_counter()
    deleted = 0
    for quads in _parsed(old, before, delta.old_mask, fmt):
        for quad in _absent(quads, new_kept):
            store.remove(quad)
            deleted += 1
    t2 = time.perf_counter()
    inserted = 0

    def additions():
        nonlocal inserted
        for quads in _parsed(new, after, delta.new_mask, fmt):
            for quad in _absent(quads, old_kept):
                inserted += 1
                yield quad

    store.bulk_extend(additions())
    t3 = time.perf_counter()
    return DeltaReport(
        blocks_old=len(before.blocks), blocks_new=len(after.blocks), blocks_changed=delta.blocks_changed,
        subjects_changed=len(delta.changed), subjects_removed=delta.removed, quads_deleted=deleted,
        quads_inserted=inserted, seconds_compare=t1 - t0, seconds_delete=t2 - t1, seconds_insert=t3 - t2,
    )


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
    old_only = ~np.isin(before.blocks, after.blocks)
    new_only = ~np.isin(after.blocks, before.blocks)
    changed = np.union1d(before.subjects[old_only], after.subjects[new_only])
    in_old, in_new = np.isin(changed, before.subjects), np.isin(changed, after.subjects)
    return SubjectDelta(changed, changed[in_old & in_new], int((in_old & ~in_new).sum()),
                        np.isin(before.subjects, changed), np.isin(after.subjects, changed),
                        int(old_only.sum() + new_only.sum()))


def kept_quad_hashes(path: Path, index: BlockIndex, mask: np.ndarray, kept: np.ndarray, fmt: RdfFormat) -> np.ndarray:
    """Sorted hashes of the quads of the blocks of ``path`` set in ``mask`` whose subject is in
    ``kept`` (pyoxigraph's hash of a quad: of its terms, fixed within one process)."""
    hashes: list[int] = []
    for quads in _parsed(path, index, mask & np.isin(index.subjects, kept), fmt):
        hashes.extend(hash(q) for q in quads)
    return np.unique(np.array(hashes, dtype=np.int64))


def _parsed(path: Path, index: BlockIndex, mask: np.ndarray, fmt: RdfFormat) -> Iterator[list]:
    """The quads of the blocks of ``path`` set in ``mask``, :data:`INSERT_BLOCKS` blocks at a time."""
    for chunk in _chunks(_take(path, mask), INSERT_BLOCKS):
        yield _parse(index.header, chunk, fmt, str(path))


def _absent(quads: list, hashes: np.ndarray) -> list:
    """The ``quads`` whose hash is not in the sorted array ``hashes``."""
    mine = np.array([hash(q) for q in quads], dtype=np.int64)
    return [q for q, seen in zip(quads, np.isin(mine, hashes, assume_unique=False)) if not seen]


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
