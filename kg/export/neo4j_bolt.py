"""Push kg's graph into a running Neo4j over Bolt, with the official ``neo4j`` driver.

:func:`push` sends the rows of :mod:`kg.export.neo4j_schema` in batches of parameterised
``UNWIND $rows ... MERGE`` statements: no value from a paper ever becomes Cypher text, and labels
and relationship types come only from the schema's fixed tables. Every batch runs in a managed
write transaction (``Session.execute_write``), which the driver retries on transient errors
(leader changes, deadlocks, a briefly unavailable database).

A push is a delta (:mod:`kg.export.neo4j_delta`): it first reads back the ``kg_hash`` of every
node and relationship earlier pushes wrote (one query per label and type), sends only the rows
that are new or changed, and deletes what kg wrote that the graph no longer has; a second push
of the same graph sends nothing. ``full=True`` sends every row again (MERGE plus "set only what
differs", so it changes only what differs, hand edits of kg's elements included). After the
last batch the pushed labels and relationship types are counted in the database and compared
with the graph; any difference raises.

Every failure raises :class:`Neo4jExportError` with one line for the user, e.g.
``authentication failed for user 'neo4j' at bolt://127.0.0.1:7687``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import networkx as nx

from kg.export.neo4j_delta import Delta, plan_delta
from kg.export.neo4j_rows import graph_rows
from kg.export.neo4j_schema import IN_PAPER, RELATION_TYPES, ROLE_TYPES, Neo4jExportError
from kg.export.neo4j_statements import (
    COUNTERS,
    SCHEMA_STATEMENTS,
    Batch,
    add_counters,
    batches,
    count_statements,
    delete_batches,
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


def _stored_hashes(tx, kind: str, name: str, statement: str, into: dict) -> None:
    """Add one read-back query's lists to ``into`` (keys as :mod:`kg.export.neo4j_delta`)."""
    record = tx.run(statement).single()
    if kind == "label":
        into.update(zip(((name, node_id) for node_id in record["ids"]), record["hashes"]))
    else:
        into.update(zip(((name, a, b) for a, b in zip(record["starts"], record["ends"])), record["hashes"]))


def read_stored_hashes(session) -> tuple[dict, dict]:
    """The ``kg_hash`` of every node and relationship earlier pushes wrote, by key."""
    nodes: dict = {}
    relationships: dict = {}
    for kind, name, statement in stored_hash_statements():
        session.execute_read(_stored_hashes, kind, name, statement, nodes if kind == "label" else relationships)
    return nodes, relationships


def _count_mismatches(found_labels, found_types, want_labels, want_types) -> list[str]:
    problems = []
    for label, want in want_labels.items():
        if found_labels[label] != want:
            problems.append(f"{found_labels[label]} :{label} nodes in the database, {want} in the graph")
    for rel_type, want in want_types.items():
        if found_types[rel_type] != want:
            problems.append(f"{found_types[rel_type]} :{rel_type} relationships in the database, {want} in the graph")
    return problems


# Over 80 lines with its numpydoc docstring; the code is ~65 lines (read back, plan, one batched loop).
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
    rows = graph_rows(G)
    want_labels, want_types = rows.label_counts(), rows.type_counts()
    started = time.perf_counter()
    totals: dict[str, int] = {}
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
                stored_nodes, stored_relationships = read_stored_hashes(session)
                read_seconds = time.perf_counter() - read_started
                mode = "delta" if (stored_nodes or stored_relationships) and not full else "full"
                delta: Delta = plan_delta(rows, stored_nodes, stored_relationships, full=full)
                del rows, stored_nodes, stored_relationships
                plan: list[Batch] = [
                    *delete_batches(delta.delete_nodes, delta.delete_relationships, batch_size),
                    *batches(delta.send, batch_size),
                ]
                write_started = time.perf_counter()
                for batch in progress(plan, desc="neo4j push", total=len(plan), unit="batch"):
                    add_counters(totals, session.execute_write(_run, batch.statement, {"rows": batch.rows}))
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
        batches=len(plan),
        seconds=time.perf_counter() - started,
        mode=mode,
        sent_nodes=len(delta.send.nodes),
        sent_relationships=len(delta.send.relationships),
        unchanged=delta.unchanged,
        deleted_nodes=len(delta.delete_nodes),
        deleted_relationships=len(delta.delete_relationships),
        read_seconds=read_seconds,
        write_seconds=write_seconds,
    )
