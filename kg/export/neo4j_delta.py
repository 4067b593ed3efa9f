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
from collections.abc import Iterable, Mapping
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
    seen_nodes: set[NodeKey] = set()
    for node in rows.nodes:
        key = (node.labels[0], node.id)
        seen_nodes.add(key)
        digest = node_hash(node)
        if not full and stored_nodes.get(key) == digest:
            delta.unchanged_nodes += 1
        else:
            delta.send.nodes.append(NodeRow(node.labels, {**node.props, HASH_PROPERTY: digest}))
    seen_relationships: set[RelationshipKey] = set()
    for rel in rows.relationships:
        key = (rel.type, rel.start, rel.end)
        seen_relationships.add(key)
        digest = relationship_hash(rel)
        if not full and stored_relationships.get(key) == digest:
            delta.unchanged_relationships += 1
        else:
            delta.send.relationships.append(
                RelationshipRow(rel.type, rel.start_label, rel.start, rel.end_label, rel.end, {**rel.props, HASH_PROPERTY: digest})
            )
    delta.delete_nodes = sorted(_missing(stored_nodes, seen_nodes))
    delta.delete_relationships = sorted(_missing(stored_relationships, seen_relationships))
    return delta


def _missing(stored: Iterable, seen: set) -> list:
    return [key for key in stored if key not in seen]
