"""What a Bolt push must send and delete, from a content hash kg stores on everything it writes.

Every node and relationship the push writes carries one extra property, ``kg_hash``
(:data:`kg.export.neo4j_schema.HASH_PROPERTY`): a hash of the row that was pushed (labels or
type, ends, and every stored property). It is kg's marker and its memory in one, kept in the
database itself, so there is no local state that could drift from what the database holds. At
the start of a push the hashes are read back (one query per key label and relationship type,
only elements that carry ``kg_hash``), and :func:`plan_delta` compares them with the new
graph's rows:

* a row whose hash the database already holds is skipped (unchanged);
* a row that is new, or whose hash differs, is sent (``MERGE`` + ``SET`` only where it differs);
* an element kg wrote (it has ``kg_hash``) that the new graph no longer has is deleted.

Elements without ``kg_hash`` (a user's own data, or kg's graph loaded by the bulk importer or
``import.cypher``, which write no hash) are never deleted; rows that match them are sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from kg.export.neo4j_rows import GraphRows, NodeRow, RelationshipRow
from kg.export.neo4j_schema import HASH_PROPERTY


#: Key of a stored node: (key label, id); of a stored relationship: (type, start id, end id).
NodeKey = tuple[str, str]
RelationshipKey = tuple[str, str, str]


def _digest(value: Any) -> str:
    # JSON of checked Neo4j values (strings, 64-bit ints, finite floats, booleans, lists) is
    # canonical with sorted keys; ASCII escapes keep any code point encodable.
    text = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("ascii"), digest_size=16).hexdigest()


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


@dataclass
class Delta:
    """The rows one push sends (``kg_hash`` added to their properties) and the keys it deletes."""

    send: GraphRows = field(default_factory=GraphRows)
    unchanged_nodes: int = 0
    unchanged_relationships: int = 0
    delete_nodes: list[NodeKey] = field(default_factory=list)
    delete_relationships: list[RelationshipKey] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.send.nodes) + len(self.send.relationships)

    @property
    def unchanged(self) -> int:
        return self.unchanged_nodes + self.unchanged_relationships

    @property
    def deleted(self) -> int:
        return len(self.delete_nodes) + len(self.delete_relationships)


def plan_delta(
    rows: GraphRows,
    stored_nodes: Mapping[NodeKey, str],
    stored_relationships: Mapping[RelationshipKey, str],
    *,
    full: bool = False,
) -> Delta:
    """Compare a graph's rows with the hashes the database holds (see the module docstring).

    Parameters
    ----------
    rows : GraphRows
        The new graph's rows (:func:`kg.export.neo4j_rows.graph_rows`).
    stored_nodes, stored_relationships : mapping
        ``kg_hash`` of every node and relationship in the database that carries one, by key.
    full : bool
        Send every row, even those the database holds unchanged (deletions are the same).

    Returns
    -------
    Delta
        Rows to send, in the order of ``rows``, each with ``kg_hash`` in its properties; counts
        of the unchanged rows; keys to delete, sorted.

    Example
    -------
    >>> rows = GraphRows([NodeRow(("Paper",), {"id": "a"}), NodeRow(("Paper",), {"id": "b"})], [])
    >>> stored = {("Paper", "a"): node_hash(rows.nodes[0]), ("Paper", "old"): "0f"}
    >>> delta = plan_delta(rows, stored, {})
    >>> [r.props for r in delta.send.nodes], delta.unchanged_nodes, delta.delete_nodes
    ([{'id': 'b', 'kg_hash': '1c0a146f967359f275ca2ddae65ec5bc'}], 1, [('Paper', 'old')])
    """
    delta = Delta()
    nodes, relationships = RowComparison(stored_nodes, full=full), RowComparison(stored_relationships, full=full)
    for node in rows.nodes:
        digest = node_hash(node)
        if nodes.send((node.labels[0], node.id), digest):
            delta.send.nodes.append(NodeRow(node.labels, {**node.props, HASH_PROPERTY: digest}))
    for rel in rows.relationships:
        digest = relationship_hash(rel)
        if relationships.send((rel.type, rel.start, rel.end), digest):
            delta.send.relationships.append(
                RelationshipRow(rel.type, rel.start_label, rel.start, rel.end_label, rel.end, {**rel.props, HASH_PROPERTY: digest})
            )
    delta.unchanged_nodes, delta.unchanged_relationships = nodes.unchanged, relationships.unchanged
    delta.delete_nodes = nodes.missing()
    delta.delete_relationships = relationships.missing()
    return delta


class RowComparison:
    """A new graph's rows compared, key by key, with the digests of what the target holds.

    :meth:`send` says whether a row must be written (new, or its digest differs; every row with
    ``full``); :meth:`missing` lists the keys the target holds that no row named (to delete).
    Both delta paths use it: the Bolt push with the ``kg_hash`` values read back from the
    database (:func:`plan_delta`), ``delta.cypher`` with the digests of the previous build's
    CSV records (:mod:`kg.export.neo4j_delta_script`).

    ``consume``: take the named keys out of ``stored`` (which must then be a dict the caller
    gives up) instead of keeping a set of them; for millions of rows that halves the memory.

    Example
    -------
    >>> rows = RowComparison({"a": 1, "b": 2, "c": 3})
    >>> [rows.send("a", 1), rows.send("b", 5), rows.send("new", 0)], rows.unchanged, rows.missing()
    ([False, True, True], 1, ['c'])
    """

    def __init__(self, stored: Mapping | MutableMapping, *, full: bool = False, consume: bool = False):
        self.stored, self.full, self.consume = stored, full, consume
        self.seen: set = set()
        self.unchanged = 0

    def send(self, key: Hashable, digest: Any) -> bool:
        if self.consume:
            before = self.stored.pop(key, None)  # type: ignore[union-attr]
        else:
            self.seen.add(key)
            before = self.stored.get(key)
        if not self.full and before is not None and before == digest:
            self.unchanged += 1
            return False
        return True

    def missing(self) -> list:
        """The stored keys no row named, sorted."""
        return sorted(self.stored if self.consume else (key for key in self.stored if key not in self.seen))
