"""The Bolt push of an updated build: the delta against the full push, in one run on one server.

Given ``graph.json`` of a build A and of B (the update of A built into the same folder, so ids
are kept), it runs on the database at ``--uri``:

1. wipe, push A (into an empty database: every row is sent);
2. push B: the delta (rows sent, skipped as unchanged, deleted);
3. push B again: a delta with nothing to send;
4. with ``--resend``: push B with ``full=True``, every row sent again to the database that holds
   it (what every push cost before the delta);
5. wipe, push B into the empty database: the clean full push of B, and the node and
   relationship counts compared with those after step 2.

CPU seconds of this process (hashing, planning, the driver) are reported beside wall seconds
because the benchmark machine is shared. The database is WIPED (every node and relationship
deleted): point it at a throwaway server only, ``--yes-wipe`` says you did.

Usage::

    NEO4J_PASSWORD=... python scripts/bench_neo4j_push.py A/graph.json B/graph.json \\
        --uri bolt://127.0.0.1:7687 --password-env NEO4J_PASSWORD --yes-wipe
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _wipe(driver) -> None:
    """Delete everything, in transactions of 20,000 relationships, then nodes (one transaction
    would need a large heap)."""
    with driver.session() as session:
        session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


def _counts(driver) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    return nodes, rels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph_a")
    parser.add_argument("graph_b")
    parser.add_argument("--uri", required=True)
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password-env", default=None)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--resend", action="store_true", help="also time step 4 (B over B, full=True)")
    parser.add_argument("--yes-wipe", action="store_true", help="the database may be wiped (required)")
    args = parser.parse_args(argv)
    if not args.yes_wipe:
        parser.error("this benchmark deletes everything in the database: pass --yes-wipe")
    import neo4j

    from kg.export.neo4j_bolt import push
    from kg.graph.build import load_graph
    from kg.progress import set_quiet

    set_quiet(True)
    password = os.environ[args.password_env] if args.password_env else None
    auth = (args.user, password) if password is not None else None
    A, B = load_graph(args.graph_a), load_graph(args.graph_b)
    rows = {name: G.number_of_nodes() + 2 * len(G.graph["evidence"]) + G.number_of_edges() for name, G in (("A", A), ("B", B))}
    print(f"A: {rows['A']} rows, B: {rows['B']} rows (nodes + relationships)", flush=True)
    results = []
    with neo4j.GraphDatabase.driver(args.uri, auth=auth, notifications_min_severity="OFF") as driver:

        def step(name: str, G, **options):
            wall, cpu = time.perf_counter(), _cpu()
            result = push(G, args.uri, user=args.user, password=password, batch_size=args.batch_size, **options)
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            results.append((name, result, wall, cpu))
            print(f"| {name} | {result.mode} | {result.sent:,} | {result.unchanged:,} | {result.deleted:,} | "
                  f"{result.read_seconds:.1f} | {result.write_seconds:.1f} | {wall:.1f} | {cpu:.1f} |", flush=True)
            return result

        print("| push | mode | rows sent | skipped (unchanged) | deleted | read back s | batches s | wall s | CPU s (client) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        _wipe(driver)
        step("A into an empty database", A)
        step("B over A (delta)", B)
        after_delta = _counts(driver)
        step("B again (delta, nothing to send)", B)
        if args.resend:
            step("B over B, --full", B, full=True)
        _wipe(driver)
        step("B into an empty database (clean full push)", B)
        clean = _counts(driver)
    print(f"nodes, relationships after the delta: {after_delta}; after the clean push: {clean}")
    return 0 if after_delta == clean else 1


if __name__ == "__main__":
    sys.exit(main())
