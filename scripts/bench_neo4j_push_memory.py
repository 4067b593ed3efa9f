"""Peak memory and time of ``kg export neo4j`` for one or more code trees, each push its own process.

``scripts/bench_neo4j_push.py`` times the pushes inside one process (its memory is that of all of
them). This script runs each push as ``python -m kg export neo4j`` in a child process and reads
that child's own peak RSS (``os.wait4``), so code trees can be compared in one run on one server:

for each tree (``PYTHONPATH=TREE``, the kg package of that checkout): wipe the database, push
graph A (into the empty database: every row sent), push B (the delta), push B again (nothing to
send). With B omitted, A is pushed twice.

It starts its own throwaway Neo4j with the test suite's launcher (``tests/neo4j``: Maven builds
it once into ``tests/.cache/neo4j``), with ``--heap`` and ``--page-cache``, in a fresh folder
under ``--workdir`` that it deletes at the end.

Usage::

    python scripts/bench_neo4j_push_memory.py A/graph.json [B/graph.json] --tree . --tree ../old-checkout
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _server(workdir: Path, heap: str, page_cache: str):
    """A running test server with a larger heap and page cache than the tests give it."""
    sys.path.insert(0, str(ROOT / "tests" / "neo4j"))
    import conftest as support  # the tests' launcher and configuration (pytest only for its fail())

    support.JAVA_OPTIONS[:] = ["-Xms256m", f"-Xmx{heap}", "-XX:+UseParallelGC"]
    write_conf = support.write_conf

    def bigger(home, *, auth, read_only):
        write_conf(home, auth=auth, read_only=read_only)
        conf = home / "conf" / "neo4j.conf"
        text = conf.read_text().replace("server.memory.pagecache.size=64m", f"server.memory.pagecache.size={page_cache}")
        conf.write_text(text.replace("dbms.memory.transaction.total.max=256m", f"dbms.memory.transaction.total.max={heap}"))

    support.write_conf = bigger
    home = Path(tempfile.mkdtemp(prefix="neo4j-bench-", dir=workdir))
    return support.start_server(support.maven_build("server"), home, password=support.PASSWORD), home


def _wipe(server) -> None:
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver, driver.session() as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


def _push(server, tree: Path, graph: str) -> dict:
    """One ``kg export neo4j`` child: wall s, CPU s and peak RSS of that child alone, and its summary."""
    env = dict(os.environ, PYTHONPATH=str(tree), KG_BENCH_PASSWORD=server.password)
    cmd = [sys.executable, "-m", "kg", "export", "neo4j", "-q", "--graph", graph, "--uri", server.uri,
           "--user", server.user, "--password-env", "KG_BENCH_PASSWORD"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return {"wall": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime, "rss_gb": usage.ru_maxrss / 1e6,
            "rc": child.returncode, "summary": text.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph_a")
    parser.add_argument("graph_b", nargs="?")
    parser.add_argument("--tree", action="append", required=True, help="a checkout of kg (its kg package is what runs); repeat to compare")
    parser.add_argument("--heap", default="3g")
    parser.add_argument("--page-cache", default="1g")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args(argv)
    graph_b = args.graph_b or args.graph_a
    server, home = _server(Path(args.workdir), args.heap, args.page_cache)
    print("| tree | push | wall s | CPU s | peak RSS GB | what it did |\n|---|---|---:|---:|---:|---|", flush=True)
    try:
        for tree in args.tree:
            _wipe(server)
            for name, graph in (("A into an empty database", args.graph_a), ("B over A", graph_b), ("B again", graph_b)):
                r = _push(server, Path(tree).resolve(), graph)
                what = r["summary"].split(": ", 1)[-1].split(". The database")[0] if r["rc"] == 0 else f"FAILED ({r['rc']}): {r['summary'][-300:]}"
                print(f"| {tree} | {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_gb']:.2f} | {what} |", flush=True)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
