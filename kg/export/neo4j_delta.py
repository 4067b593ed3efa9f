"""What a Bolt push must send and delete, from a content hash kg stores on everything it writes.

Every node and relationship the push writes carries one extra property, ``kg_hash``
(:data:`kg.export.neo4j_schema.HASH_PROPERTY`): a hash of the row that was pushed (labels or
type, ends, and every stored property). It is kg's marker and its memory in one, kept in the
database itself, so there is no local state that could drift from what the database holds. At
the start of a push the hashes are read back (one query per key label and relationship type,
only elements that carry ``kg_hash``) into one :class:`KeyedDigests` per label and type, and
:func:`changed_rows` compares the new graph's rows with them, a batch at a time:

* a row whose hash the database already holds is skipped (unchanged);
* a row that is new, or whose hash differs, is sent (``MERGE`` + ``SET`` only where it differs);
* an element kg wrote (it has ``kg_hash``) that the new graph no longer has is deleted.

Elements without ``kg_hash`` (a user's own data, or kg's graph loaded by the bulk importer or
``import.cypher``, which write no hash) are never deleted; rows that match them are sent.

Memory: a push holds the stored hashes as 64-bit hashes in sorted arrays (:class:`KeyedDigests`,
25 bytes an element) and the rows of one batch, never all rows of the graph (:mod:`kg.export.neo4j_bolt`).
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from kg.export.neo4j_rows import NodeRow, RelationshipRow
from kg.export.neo4j_schema import HASH_PROPERTY


#: ``json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))``, made once:
#: ``json.dumps`` with options makes an encoder per call (2 of the 10 CPU s the hashes of a
#: 935,757-row graph took under cProfile).
_CANONICAL = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(",", ":"))


def _digest(value: Any) -> str:
    # JSON of checked Neo4j values (strings, 64-bit ints, finite floats, booleans, lists) is
    # canonical with sorted keys; ASCII escapes keep any code point encodable.
    return hashlib.blake2b(_CANONICAL.encode(value).encode("ascii"), digest_size=16).hexdigest()


def node_hash(row: NodeRow) -> str:
    """The ``kg_hash`` of a node row: its labels and stored properties.

    Example
    -------
    >>> a = NodeRow(("Paper",), {"id": "p", "title": "T"})
    >>> node_hash(a) == node_hash(NodeRow(("Paper",), {"title": "T", "id": "p"}))
    True
    >>> node_hash(a) == node_hash(NodeRow(("Paper",), {"id": "p", "title": "T2"}))
    False
    """
    return _digest([list(row.labels), row.props])


def relationship_hash(row: RelationshipRow) -> str:
    """The ``kg_hash`` of a relationship row: its type, both ends and its stored properties."""
    return _digest([row.type, row.start_label, row.start, row.end_label, row.end, row.props])


def relationship_key(start: str, end: str) -> str:
    """The key text of a relationship of one type (its ends), as :class:`KeyedDigests` keeps it:
    the start id's length first, so that no two pairs of ids spell one text.

    >>> relationship_key("a", "bc") != relationship_key("ab", "c")
    True
    """
    return f"{len(start)}:{start}{end}"


def row_key(row: NodeRow | RelationshipRow) -> str:
    """The key text of a row within its key label or relationship type (:func:`relationship_key`)."""
    if isinstance(row, NodeRow):
        return row.id
    return relationship_key(row.start, row.end)


#: Prefixed to a key for its second hash: two independent 64-bit SipHashes of the key text.
_SECOND = "\x00"
#: The digest kept for a key held twice: CPython's ``hash()`` never returns -1, so no row compares
#: unchanged with it (the row is sent again, which rewrites every copy the statement matches).
_NEVER_EQUAL = -1


class KeyedDigests:
    """Keys (texts), each with a digest, held as three 64-bit hashes in sorted arrays: two of the
    key and one of the digest, 24 bytes a key plus a byte that says whether a new row named it.

    Both delta paths keep what the target holds in it: the Bolt push the ``kg_hash`` of every
    element the database holds (one per key label and relationship type), ``delta.cypher`` the
    records of each previous CSV (:class:`kg.export.neo4j_delta_script.PreviousRecords`).
    :meth:`compare` says which new rows are new or changed, :meth:`unseen` which of a second
    read of the keys no new row named (to delete; the key texts themselves are not kept).

    Why not a dict of key to digest (what the push kept before): about 150 bytes a key, and a
    key is a node or relationship of the database; 25 bytes here (measured on ``delta.cypher``:
    3,234,631 evidence records in 220 MB of a process against 548 MB). A key looked up is taken
    for a kept one when both hashes agree (a 2**-128 chance), kept keys with one first hash are
    kept as one (:meth:`freeze`), and a digest is unchanged when its 64-bit hash agrees (2**-64). Hashes are Python's ``hash()`` (SipHash, per-process seed: both sides are
    hashed by one process).

    Example
    -------
    >>> held = KeyedDigests()
    >>> held.add(["a", "b", "c"], [hash("1"), hash("2"), hash("3")])
    >>> held.freeze()
    0
    >>> held.compare(["a", "b", "new"], [hash("1"), hash("changed"), hash("0")]), held.unchanged, held.missing
    ([False, True, True], 1, 1)
    >>> held.unseen(["a", "b", "c", "d"])
    [2]
    """

    def __init__(self) -> None:
        self._pending: tuple[array, array, array] | None = (array("q"), array("q"), array("q"))
        self.count = 0
        self.unchanged = 0

    def add(self, keys: Sequence[str], digests: Iterable[int]) -> None:
        """Keep ``keys`` with their digests (64-bit ints, e.g. ``hash(text)``), before :meth:`freeze`."""
        first, second, held = self._pending
        first.extend(map(hash, keys))
        second.extend(hash(_SECOND + key) for key in keys)
        held.extend(digests)
        if not len(first) == len(second) == len(held):
            raise ValueError("one digest per key")

    def freeze(self) -> int:
        """Sort what :meth:`add` was given; returns how many keys were given more than once, or
        shared their first hash with another (a 2**-64 chance): each such run of keys is kept
        once, with a digest no row equals, so its rows are sent again."""
        first, second, held = (np.frombuffer(a, dtype=np.int64) for a in self._pending)
        order = np.argsort(first, kind="stable")
        first, second, held = first[order], second[order], held[order]
        self._pending = None
        del order
        again = np.flatnonzero(first[1:] == first[:-1]) + 1 if len(first) > 1 else np.zeros(0, dtype=np.int64)
        if len(again):
            held[again - 1] = _NEVER_EQUAL
            keep = np.ones(len(first), dtype=bool)
            keep[again] = False
            first, second, held = first[keep], second[keep], held[keep]
        self.first, self.second, self.digests = first, second, held
        self.count = len(first)
        self.seen = np.zeros(self.count, dtype=bool)
        return int(len(again))

    @property
    def missing(self) -> int:
        """How many kept keys no :meth:`compare` has named."""
        return int(self.count - self.seen.sum())

    def _at(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each key (at least one kept): where its first hash would sit, and whether the key
        kept there has that first hash."""
        first = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        at = np.searchsorted(self.first, first)
        at[at == self.count] = 0
        return at, self.first[at] == first

    def compare(self, keys: Sequence[str], digests: Iterable[int], *, full: bool = False) -> list[bool]:
        """For each key with its new digest: whether it is new or its digest differs from the kept
        one (every key with ``full``); the kept keys named are marked, for :meth:`unseen`."""
        if not self.count or not keys:
            return [True] * len(keys)
        at, known = self._at(keys)
        second = np.fromiter((hash(_SECOND + key) for key in keys), dtype=np.int64, count=len(keys))
        known &= self.second[at] == second
        self.seen[at[known]] = True
        if full:
            return [True] * len(keys)
        same = known & (self.digests[at] == np.fromiter(digests, dtype=np.int64, count=len(keys)))
        self.unchanged += int(same.sum())
        return (~same).tolist()

    def unseen(self, keys: Sequence[str]) -> list[int]:
        """The positions in ``keys`` (a second read of what was kept) of the kept keys no
        :meth:`compare` named."""
        if not self.count or not keys:
            return []
        at, known = self._at(keys)
        return [i for i in np.flatnonzero(known & ~self.seen[at]).tolist() if hash(_SECOND + keys[i]) == self.second[at[i]]]


def changed_rows(rows: Sequence[NodeRow | RelationshipRow], held: KeyedDigests | None, *, full: bool = False) -> list[NodeRow | RelationshipRow]:
    """The rows of one key label or relationship type (a batch) that a push must send, in their
    order, each with its ``kg_hash`` added to its properties; ``held`` has what the database
    holds of that label or type (None: nothing).

    Example
    -------
    >>> rows = [NodeRow(("Paper",), {"id": "a"}), NodeRow(("Paper",), {"id": "b"})]
    >>> held = KeyedDigests()
    >>> held.add(["a", "old"], [hash(node_hash(rows[0])), hash("0f")])
    >>> held.freeze()
    0
    >>> [r.props for r in changed_rows(rows, held)], held.unchanged, held.missing
    ([{'id': 'b', 'kg_hash': '1c0a146f967359f275ca2ddae65ec5bc'}], 1, 1)
    """
    hashes = [node_hash(row) if isinstance(row, NodeRow) else relationship_hash(row) for row in rows]
    send = held.compare([row_key(row) for row in rows], map(hash, hashes), full=full) if held is not None else [True] * len(rows)
    out: list[NodeRow | RelationshipRow] = []
    for row, digest, flag in zip(rows, hashes, send):
        if flag:
            out.append(row._replace(props={**row.props, HASH_PROPERTY: digest}))
    return out
