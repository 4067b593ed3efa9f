"""delta.cypher of an updated build against the full import.cypher: writing it, and applying it with cypher-shell.

Given the ``neo4j`` folder of a build A (``A/neo4j``) and ``graph.json`` of B, the update of A
built into the same folder (so ids are kept):

1. writes B's Neo4j files twice into temporary folders, each in a forked child (its peak RSS
   from ``wait4``; both start from this process, which holds B's graph): without a previous
   build (what a clean build writes) and against A's CSVs (what an update writes, with
   ``delta.cypher``); reports time, peak RSS, and the sizes and rows of ``delta.cypher`` and
   ``import.cypher``;
2. with ``--uri`` and ``--cypher-shell``: on that database (WIPED first; pass ``--yes-wipe``),
   loads A's ``import.cypher`` with cypher-shell, applies B's ``delta.cypher``, counts every
   label and type, applies the delta a second time, then wipes and loads B's full
   ``import.cypher`` into the empty database and counts again. The counts must agree (the test
   ``tests/neo4j/test_delta_script.py`` compares every property).

Usage::

    python scripts/bench_neo4j_delta.py A/neo4j B/graph.json [--uri bolt://127.0.0.1:7687 \\
        --password-env NEO4J_PASSWORD --cypher-shell "cypher-shell" --yes-wipe]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _in_child(work):
    """Run ``work()`` in a forked child: (its result, wall seconds, child's peak RSS in MB)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            started = time.perf_counter()
            result = work()
            payload = pickle.dumps((result, time.perf_counter() - started))
        except BaseException as exc:  # reported by the parent
            payload = pickle.dumps((exc, 0.0))
        with os.fdopen(write, "wb") as fh:
            fh.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    _, _, usage = os.wait4(pid, 0)
    result, seconds = pickle.loads(data)
    if isinstance(result, BaseException):
        raise result
    return result, seconds, usage.ru_maxrss / 1024


def _rows(script: Path) -> int:
    """Rows in a script's ``:param rows`` lines (each ``// N what`` comment before them says N)."""
    total = 0
    with open(script, encoding="ascii") as fh:
        for line in fh:
            if m := re.match(r"// (\d+) ", line):
                total += int(m.group(1))
    return total


def write_files(previous: Path, graph: Path) -> dict[str, Path]:
    from kg.export.neo4j_files import write_bulk_import
    from kg.graph.build import load_graph
    from kg.progress import set_quiet

    set_quiet(True)
    G = load_graph(graph)
    work = Path(tempfile.mkdtemp(prefix="bench-neo4j-delta-"))
    out = {}
    print("| write B's Neo4j files | wall s | peak RSS MB (child) |\n|---|---:|---:|")
    for name, prev in (("clean (no previous build)", None), ("update (against A's CSVs, with delta.cypher)", previous)):
        folder = work / ("clean" if prev is None else "update")
        _, seconds, rss = _in_child(lambda: write_bulk_import(G, folder, cypher=folder / "import.cypher", previous=prev))
        print(f"| {name} | {seconds:.1f} | {rss:.0f} |", flush=True)
        out[folder.name] = folder
    full, delta = out["update"] / "import.cypher", out["update"] / "delta.cypher"
    print("\n| script | MB | rows |\n|---|---:|---:|")
    for path in (full, delta):
        print(f"| {path.name} | {path.stat().st_size / 1e6:.1f} | {_rows(path):,} |")
    print()
    print("\n".join(line for line in delta.read_text(encoding="ascii").splitlines()[:5] if line.startswith("// Writes")))
    return out


def _counts(driver) -> dict[str, int]:
    from kg.export.neo4j_statements import count_statements

    return {name: driver.execute_query(statement).records[0]["n"] for _, name, statement in count_statements()}


def _wipe(driver) -> None:
    with driver.session() as session:
        session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


def apply_scripts(args, previous: Path, written: dict[str, Path]) -> int:
    import neo4j

    password = os.environ[args.password_env] if args.password_env else None
    shell = [*shlex.split(args.cypher_shell), "-a", args.uri, "-u", args.user, "--non-interactive"]
    shell += ["-p", password] if password is not None else []

    def run(name: str, script: Path) -> None:
        started = time.perf_counter()
        proc = subprocess.run([*shell, "-f", str(script)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{name}: cypher-shell failed:\n{proc.stderr[-2000:]}")
        print(f"| {name} | {script.stat().st_size / 1e6:.1f} | {seconds:.1f} |", flush=True)

    auth = (args.user, password) if password is not None else None
    with neo4j.GraphDatabase.driver(args.uri, auth=auth, notifications_min_severity="OFF") as driver:
        _wipe(driver)
        print("| cypher-shell -f | MB | wall s |\n|---|---:|---:|")
        run("A's import.cypher into an empty database", previous / "import.cypher")
        run("B's delta.cypher over A", written["update"] / "delta.cypher")
        after_delta = _counts(driver)
        run("B's delta.cypher again", written["update"] / "delta.cypher")
        again = _counts(driver)
        _wipe(driver)
        run("B's import.cypher into an empty database", written["update"] / "import.cypher")
        clean = _counts(driver)
    print(f"\ncounts equal after the delta, after a second run and after the full import: {after_delta == again == clean}")
    return 0 if after_delta == again == clean else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("previous", type=Path, help="A's neo4j folder")
    parser.add_argument("graph", type=Path, help="B's graph.json")
    parser.add_argument("--uri")
    parser.add_argument("--user", default="neo4j")
    parser.add_argument("--password-env", default=None)
    parser.add_argument("--cypher-shell", help="the cypher-shell command (split as a shell would)")
    parser.add_argument("--yes-wipe", action="store_true", help="the database may be wiped (required with --uri)")
    args = parser.parse_args(argv)
    if args.uri and not (args.yes_wipe and args.cypher_shell):
        parser.error("with --uri: pass --cypher-shell, and --yes-wipe (this benchmark deletes everything in the database)")
    written = write_files(args.previous, args.graph)
    try:
        return apply_scripts(args, args.previous, written) if args.uri else 0
    finally:
        shutil.rmtree(written["clean"].parent)


if __name__ == "__main__":
    sys.exit(main())
