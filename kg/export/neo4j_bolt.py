"""Push kg's graph into a running Neo4j over Bolt, with the official ``neo4j`` driver.

:func:`push` sends the rows of :mod:`kg.export.neo4j_schema` in batches of parameterised
``UNWIND $rows ... MERGE`` statements: no value from a paper ever becomes Cypher text, and labels
and relationship types come only from the schema's fixed tables. Every batch runs in a managed
write transaction (``Session.execute_write``), which the driver retries on transient errors
(leader changes, deadlocks, a briefly unavailable database).

A push is a delta (:mod:`kg.export.neo4j_delta`): it first reads back the ``kg_hash`` of every
node and relationship earlier pushes wrote (one query per label and type), sends only the rows
that are new or changed, and then deletes what kg wrote that the graph no longer has (their keys
read back once more, for the labels and types that have any); a second push of the same graph
sends nothing. The rows are made, compared and sent a batch at a time from a
:class:`~kg.export.neo4j_rows.RowPlan`, so the push holds the graph, the stored hashes as
arrays (:class:`~kg.export.neo4j_delta.KeyedDigests`) and one batch, never every row at once
(docs/neo4j.md, "Memory of the push"). ``full=True`` sends every row again (MERGE plus "set
only what differs", so it changes only what differs, hand edits of kg's elements included).
After the last batch the pushed labels and relationship types are counted in the database and
compared with the graph; any difference raises.

Every failure raises :class:`Neo4jExportError` with one line for the user, e.g.
``authentication failed for user 'neo4j' at bolt://127.0.0.1:7687``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from kg.export.neo4j_delta import KeyedDigests, changed_rows, relationship_key
from kg.export.neo4j_rows import RowPlan
from kg.export.neo4j_schema import IN_PAPER, RELATION_TYPES, ROLE_TYPES, Neo4jExportError
from kg.export.neo4j_statements import (
    COUNTERS,
    NODE_GROUPS,
    SCHEMA_STATEMENTS,
    RowGroup,
    add_counters,
    batched,
    count_statements,
    delete_batches,
    row_groups,
    row_parameter,
    stored_hash_statements,
)
from kg.progress import progress

__all__ = ["Neo4jExportError", "PushResult", "push"]

# The driver logs each transaction retry as a warning; with no logging configured Python would
# print those on stderr. A NullHandler keeps the CLI to its one line (an application that
# configures logging still receives them).
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: URI schemes of the Bolt protocol (the driver's HTTP schemes need extra packages and are not Bolt).
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

#: Seconds to wait for a TCP connection before calling the server unreachable.
CONNECTION_TIMEOUT = 15.0
#: Seconds the driver keeps retrying a transaction that failed with a transient error.
MAX_RETRY_TIME = 30.0

#: Server error codes that mean "you may not write here".
READ_ONLY_CODES = frozenset(
    {
        "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase",
        "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
        "Neo.ClientError.Security.Forbidden",
        "Neo.ClientError.Security.AuthorizationExpired",
    }
)


@dataclass
class PushResult:
    """What one :func:`push` did; ``str()`` gives a one-paragraph summary."""

    uri: str
    database: str | None
    labels: dict[str, int]  # nodes per label, as counted in the database after the push
    types: dict[str, int]  # relationships per type, as counted in the database after the push
    counters: dict[str, int] = field(default_factory=dict)  # summed update counters of the batches
    batches: int = 0
    seconds: float = 0.0
    mode: str = "full"  # "delta" (the database held kg's graph) or "full" (every row sent)
    sent_nodes: int = 0
    sent_relationships: int = 0
    unchanged: int = 0  # rows not sent: the database held them with the same kg_hash
    deleted_nodes: int = 0  # nodes kg had written that the graph no longer has
    deleted_relationships: int = 0
    read_seconds: float = 0.0  # reading back the stored hashes
    write_seconds: float = 0.0  # running the batches (deletions and rows sent)

    @property
    def changed(self) -> bool:
        """True when the push created, updated, labelled or deleted anything."""
        return any(self.counters.get(name, 0) for name in COUNTERS)

    @property
    def sent(self) -> int:
        return self.sent_nodes + self.sent_relationships

    @property
    def deleted(self) -> int:
        return self.deleted_nodes + self.deleted_relationships

    def __str__(self) -> str:
        where = f"{self.uri} ({'database ' + repr(self.database) if self.database else 'default database'})"
        nodes = ", ".join(f"{n} :{label}" for label, n in self.labels.items() if n) or "no nodes"
        links = sum(self.types.get(t, 0) for t in ROLE_TYPES.values())
        relations = sum(self.types.get(t, 0) for t in RELATION_TYPES.values())
        rows = (
            f"{self.mode} push: sent {self.sent} rows ({self.sent_nodes} nodes, {self.sent_relationships} relationships), "
            f"skipped {self.unchanged} unchanged, deleted {self.deleted} that kg had written and the graph no longer has "
            f"({self.deleted_nodes} nodes, {self.deleted_relationships} relationships)"
        )
        if self.changed:
            c = self.counters
            change = (
                f"created {c.get('nodes_created', 0)} nodes and {c.get('relationships_created', 0)} relationships, "
                f"set {c.get('properties_set', 0)} properties and added {c.get('labels_added', 0)} labels"
            )
        else:
            change = "nothing changed: the database already held this graph"
        return (
            f"Pushed the graph to {where} in {self.seconds:.1f} s ({self.batches} batches): {rows}. "
            f"The database holds {nodes} nodes; {links} paper-concept links, {relations} concept relations and "
            f"{self.types.get(IN_PAPER, 0)} :{IN_PAPER} relationships; {change}. Count check passed: every label and "
            "relationship type holds exactly as many as the graph."
        )


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def describe_error(exc: Exception, uri: str, user: str, database: str | None, password_given: bool = True) -> str:
    """One line saying what went wrong, for a driver or server error raised while pushing."""
    from neo4j import exceptions as ne

    target = f"database {database!r} at {uri}" if database else f"the default database at {uri}"
    if isinstance(exc, ne.AuthError):
        hint = "" if password_given else " (no password given: pass --password-env VAR)"
        return f"authentication failed for user {user!r} at {uri}{hint}"
    if isinstance(exc, (ne.ServiceUnavailable, ne.SessionExpired)):
        reason = _one_line(exc)
        if "(reason " in reason:  # "... (reason [Errno 111] Connection refused)"
            reason = reason[reason.rindex("(reason ") + len("(reason ") :].removesuffix(")")
        return f"cannot reach Neo4j at {uri}: {reason}"
    if isinstance(exc, ne.Neo4jError):
        code = exc.code or ""
        if code in READ_ONLY_CODES or isinstance(exc, (ne.Forbidden, ne.ForbiddenOnReadOnlyDatabase)):
            return f"no write rights on {target} for user {user!r}: {_one_line(exc.message)}"
        if code.endswith("DatabaseNotFound"):
            return f"database {database!r} does not exist at {uri}"
        return f"Neo4j refused the export to {target}: {code}: {_one_line(exc.message)}"
    if isinstance(exc, (ne.ConfigurationError, ValueError)):
        return f"invalid Neo4j URI {uri!r}: {_one_line(exc)}"
    return f"Neo4j export to {uri} failed: {type(exc).__name__}: {_one_line(exc)}"


def _run(tx, statement: str, params: dict):
    return tx.run(statement, params).consume().counters


def _count(tx, statement: str) -> int:
    return tx.run(statement).single()["n"]


#: Nodes (for a relationship type: start nodes) per page of a read-back query.
READ_PAGE = 50_000


def _read_back(tx, statement: str, after: str) -> dict[str, Any]:
    return dict(tx.run(statement, {"after": after, "page": READ_PAGE}).single())


def _pages(session, statement: str) -> Iterator[dict[str, Any]]:
    """The pages of one read-back query (:func:`kg.export.neo4j_statements.stored_hash_statements`),
    each its own read transaction."""
    after = ""
    while True:
        page = session.execute_read(_read_back, statement, after)
        yield page
        if page["scanned"] < READ_PAGE:
            return
        after = page["last"]


def _keys(kind: str, record: dict[str, Any]) -> list[str]:
    """The key texts of a read-back record, as :func:`kg.export.neo4j_delta.row_key` spells them."""
    if kind == "label":
        return record["ids"]
    return list(map(relationship_key, record["starts"], record["ends"]))


def read_stored_hashes(session) -> dict[str, KeyedDigests]:
    """The ``kg_hash`` of every node and relationship earlier pushes wrote, by key label and
    relationship type (each read's lists are folded into arrays before the next is read)."""
    held: dict[str, KeyedDigests] = {}
    for kind, name, statement in stored_hash_statements():
        digests = held[name] = KeyedDigests()
        for page in _pages(session, statement):
            digests.add(_keys(kind, page), map(hash, page["hashes"]))
        digests.freeze()  # a key held twice (a relationship copied by hand) is sent again, rewriting both
    return held


def read_unseen(session, held: dict[str, KeyedDigests]) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The keys (sorted) of what earlier pushes wrote and no row of this push named: read back
    again, for the labels and types that have any."""
    nodes: list[tuple[str, str]] = []
    relationships: list[tuple[str, str, str]] = []
    for kind, name, statement in stored_hash_statements():
        if not held[name].missing:
            continue
        for page in _pages(session, statement):
            unseen = held[name].unseen(_keys(kind, page))
            if kind == "label":
                nodes += [(name, page["ids"][i]) for i in unseen]
            else:
                relationships += [(name, page["starts"][i], page["ends"][i]) for i in unseen]
    return sorted(set(nodes)), sorted(set(relationships))


@dataclass
class _Sent:
    rows: int = 0
    batches: int = 0


def _send_group(session, group: RowGroup, held: KeyedDigests | None, bar, *, batch_size: int, full: bool, totals: dict[str, int]) -> _Sent:
    """Send the rows of one group that are new or changed (all with ``full``), in batches of
    ``batch_size``: the batches :func:`kg.export.neo4j_statements.batches` would make of them,
    each made and compared as the rows of ``group`` are read (``bar`` advances once per batch read)."""
    sent = _Sent()

    def send(rows: list[dict]) -> None:
        add_counters(totals, session.execute_write(_run, group.statement, {"rows": rows}))
        sent.rows += len(rows)
        sent.batches += 1

    pending: list[dict] = []
    for chunk in batched(group.rows, batch_size):
        next(bar, None)
        pending += map(row_parameter, changed_rows(chunk, held, full=full))
        while len(pending) >= batch_size:
            send(pending[:batch_size])
            del pending[:batch_size]
    if pending:
        send(pending)
    return sent


def _count_mismatches(found_labels, found_types, want_labels, want_types) -> list[str]:
    problems = []
    for label, want in want_labels.items():
        if found_labels[label] != want:
            problems.append(f"{found_labels[label]} :{label} nodes in the database, {want} in the graph")
    for rel_type, want in want_types.items():
        if found_types[rel_type] != want:
            problems.append(f"{found_types[rel_type]} :{rel_type} relationships in the database, {want} in the graph")
    return problems


# Over 80 lines with its numpydoc docstring; the code is ~70 lines (read back, send group by group, delete, count).
def push(
    G: nx.MultiDiGraph,
    uri: str,
    *,
    user: str = "neo4j",
    password: str | None = None,
    database: str | None = None,
    batch_size: int = 1000,
    full: bool = False,
) -> PushResult:
    """Write ``G`` into the Neo4j at ``uri``: a delta, batched, parameterised, count-checked.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        kg's graph (:func:`kg.graph.build.to_networkx` or :func:`kg.graph.build.load_graph`).
    uri : str
        ``bolt://host:port`` or ``neo4j://host:port`` (``+s``/``+ssc`` for TLS).
    user, password : str
        Basic-auth credentials; with ``password=None`` the driver connects without auth.
    database : str, optional
        Target database; ``None`` uses the server's default.
    batch_size : int
        Rows per transaction.
    full : bool
        Send every row, not only those the database does not hold with the same ``kg_hash``.

    Returns
    -------
    PushResult
        Rows sent, skipped and deleted, counts found after the push, summed update counters.

    Raises
    ------
    Neo4jExportError
        One line for: a graph outside the schema, bad URI, wrong credentials, unreachable
        server, missing database, no write rights, any other server error, and a count check
        that does not match ``G`` (e.g. nodes with kg's labels that kg did not write: no ``kg_hash``).
    """
    import neo4j

    scheme = urlsplit(uri).scheme if "://" in uri else ""
    if scheme not in SCHEMES:
        raise Neo4jExportError(f"invalid Neo4j URI {uri!r}: it must start with bolt:// or neo4j:// (or bolt+s://, neo4j+s://, ...)")
    plan = RowPlan(G)
    want_labels, want_types = plan.label_counts(), plan.type_counts()
    started = time.perf_counter()
    totals: dict[str, int] = {}
    sent_nodes = sent_relationships = sent_batches = 0
    found_labels: dict[str, int] = {}
    found_types: dict[str, int] = {}
    auth = (user, password) if password is not None else None
    try:
        driver = neo4j.GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=CONNECTION_TIMEOUT,
            max_transaction_retry_time=MAX_RETRY_TIME,
            # Counting a type no node has yet is expected here, not worth a server warning.
            notifications_min_severity="OFF",
        )
        with driver:
            driver.verify_connectivity()
            with driver.session(database=database) as session:
                for statement in SCHEMA_STATEMENTS:
                    add_counters(totals, session.execute_write(_run, statement, {}))
                read_started = time.perf_counter()
                held = read_stored_hashes(session)
                read_seconds = time.perf_counter() - read_started
                mode = "delta" if any(h.count for h in held.values()) and not full else "full"
                write_started = time.perf_counter()
                groups = list(row_groups(plan))  # each group's rows are made only as it is sent
                chunks = sum(-(-group.size // batch_size) for group in groups)
                bar = progress(range(chunks), desc="neo4j push", total=chunks, unit="batch")
                for group in groups:
                    sent = _send_group(session, group, held.get(group.key), bar, batch_size=batch_size, full=full, totals=totals)
                    sent_batches += sent.batches
                    if group.kind in NODE_GROUPS:
                        sent_nodes += sent.rows
                    else:
                        sent_relationships += sent.rows
                for _ in bar:  # closes the bar
                    pass
                unchanged = sum(h.unchanged for h in held.values())
                delete_nodes, delete_relationships = read_unseen(session, held)
                del held
                for batch in delete_batches(delete_nodes, delete_relationships, batch_size):
                    add_counters(totals, session.execute_write(_run, batch.statement, {"rows": batch.rows}))
                    sent_batches += 1
                write_seconds = time.perf_counter() - write_started
                for kind, name, statement in count_statements():
                    n = session.execute_read(_count, statement)
                    (found_labels if kind == "label" else found_types)[name] = n
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, ValueError) as exc:
        raise Neo4jExportError(describe_error(exc, uri, user, database, password is not None)) from None
    except OSError as exc:  # name resolution and socket errors the driver does not wrap
        raise Neo4jExportError(f"cannot reach Neo4j at {uri}: {_one_line(exc)}") from None
    problems = _count_mismatches(found_labels, found_types, want_labels, want_types)
    if problems:
        raise Neo4jExportError(
            f"count check failed at {uri}: " + "; ".join(problems)
            + " (nodes with kg's labels that kg did not write? kg deletes only what it wrote, marked by kg_hash)"
        )
    return PushResult(
        uri=uri,
        database=database,
        labels=found_labels,
        types=found_types,
        counters=totals,
        batches=sent_batches,
        seconds=time.perf_counter() - started,
        mode=mode,
        sent_nodes=sent_nodes,
        sent_relationships=sent_relationships,
        unchanged=unchanged,
        deleted_nodes=len(delete_nodes),
        deleted_relationships=len(delete_relationships),
        read_seconds=read_seconds,
        write_seconds=write_seconds,
    )
