"""Load test for ``kg serve``: cheap queries from many clients while slow queries run.

Fires ``--requests`` cheap queries (ASK, SELECT ... LIMIT 50, COUNT), ``--parallel`` at a time,
while ``--slow`` clients keep a slow query (a four-way cross product) running, and a probe asks
``ASK {}`` and ``GET /health`` once a second. Reports answered / refused (503) / other, latency
p50 / p95 / max of the cheap queries, what the slow and the probe requests got, and the RSS of the
server with its query processes before and after.

Bounded: a fixed number of requests, a wall-clock limit (``--max-seconds``), 127.0.0.1 only. By
default it starts ``kg serve`` itself on a seeded synthetic graph in a temporary folder; ``--url``
takes a running endpoint instead; ``--server-root DIR`` (repeatable) runs the same load against
the kg code in each checkout DIR (e.g. a ``git worktree`` of main), one after the other, so that
old and new are measured in one run on the same machine.

    python scripts/load_sparql.py
    git worktree add /tmp/kg-main main
    python scripts/load_sparql.py --server-root /tmp/kg-main --server-root .
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

CHEAP = [
    "ASK { ?c a kg:Method }",
    "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l } LIMIT 50",
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Dataset }",
]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Outcome:
    status: int  # 0: no answer (connection error or client timeout)
    seconds: float


@dataclass
class Report:
    label: str
    cheap: list[Outcome] = field(default_factory=list)
    slow: list[Outcome] = field(default_factory=list)
    ask_probe: list[Outcome] = field(default_factory=list)
    health_probe: list[Outcome] = field(default_factory=list)
    rss_before: int = 0
    rss_after: int = 0
    cpu: float = 0.0
    wall: float = 0.0


def request(base: str, path: str, timeout: float) -> Outcome:
    """One GET on a fresh connection; the status (0 when none came) and the seconds it took."""
    parts = urlsplit(base)
    started = time.monotonic()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        resp.read()
        status = resp.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        conn.close()
    return Outcome(status, time.monotonic() - started)


def query_path(text: str) -> str:
    return "/sparql?query=" + quote(text)


def _family(pid: int) -> set[int]:
    """Process ``pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in family:
                family.add(child)
                frontier.append(child)
    return family


def tree_cpu(pid: int) -> float:
    """CPU seconds used by ``pid`` and its descendants, the children they have reaped included."""
    total = 0
    for member in _family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of process ``pid`` and all its descendants, from /proc."""
    total = 0
    for member in _family(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def start_server(root: Path | None, graph: Path, store: str, timeout: float) -> tuple[str, subprocess.Popen]:
    """``kg serve`` from checkout ``root`` (None: the kg this script imports) on a free port."""
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = str(root.resolve()) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "kg", "serve", "--graph", str(graph), "--port", "0", "--store", store,
           "--timeout", str(timeout)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env, cwd=str(root or Path.cwd()))
    lines: list[str] = []
    ready = threading.Event()

    def read_stderr():
        for line in proc.stderr:
            if len(lines) < 200:
                lines.append(line)
            if "SPARQL endpoint" in line:
                ready.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    if not ready.wait(180):
        proc.kill()
        raise SystemExit("kg serve did not start:\n" + "".join(lines))
    url = re.search(r"(http://\S+)/sparql", "".join(lines)).group(1)
    return url, proc


def run_load(base: str, label: str, args: argparse.Namespace, server_pid: int | None) -> Report:
    report = Report(label)
    deadline = time.monotonic() + args.max_seconds
    request(base, query_path(CHEAP[0]), 30)  # warm up
    if server_pid:
        report.rss_before = tree_rss(server_pid)
        cpu_before = tree_cpu(server_pid)
    done = threading.Event()

    def slow_client():
        while not done.is_set() and time.monotonic() < deadline:
            report.slow.append(request(base, query_path(SLOW), args.client_timeout))

    def probe():
        while not done.is_set() and time.monotonic() < deadline:
            report.ask_probe.append(request(base, query_path("ASK {}"), args.client_timeout))
            report.health_probe.append(request(base, "/health", args.client_timeout))
            done.wait(1.0)

    helpers = [threading.Thread(target=slow_client) for _ in range(args.slow)] + [threading.Thread(target=probe)]
    for thread in helpers:
        thread.start()
    time.sleep(args.slow_head_start)  # the slow queries are running before the cheap ones come
    started = time.monotonic()

    def cheap(i: int) -> Outcome:
        if time.monotonic() > deadline:
            return Outcome(-1, 0.0)
        return request(base, query_path(CHEAP[i % len(CHEAP)]), args.client_timeout)

    with ThreadPoolExecutor(args.parallel) as pool:
        report.cheap = list(pool.map(cheap, range(args.requests)))
    report.wall = time.monotonic() - started
    done.set()
    for thread in helpers:
        thread.join()
    if server_pid:
        time.sleep(1.0)  # let finished query processes exit
        report.rss_after = tree_rss(server_pid)
        report.cpu = tree_cpu(server_pid) - cpu_before
    return report


def summary(report: Report) -> dict:
    answered = [o for o in report.cheap if o.status == 200]
    times = sorted(o.seconds for o in report.cheap if o.status > 0)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(round(p * (len(times) - 1))))] if times else float("nan")

    def tally(outcomes: list[Outcome]) -> str:
        counts: dict[int, int] = {}
        for o in outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return " ".join(f"{status or 'none'}x{n}" for status, n in sorted(counts.items()))

    return {
        "server": report.label,
        "answered": len(answered),
        "refused (503)": sum(o.status == 503 for o in report.cheap),
        "other": sum(o.status not in (200, 503) for o in report.cheap),
        "p50 s": round(statistics.median(times), 3) if times else float("nan"),
        "p95 s": round(pct(0.95), 3),
        "max s": round(times[-1], 3) if times else float("nan"),
        "wall s": round(report.wall, 1),
        "slow got": tally(report.slow),
        "ASK {} probe ok": f"{sum(o.status == 200 and o.seconds < 2 for o in report.ask_probe)}/{len(report.ask_probe)}",
        "/health ok": f"{sum(o.status == 200 and o.seconds < 2 for o in report.health_probe)}/{len(report.health_probe)}",
        "RSS before MB": round(report.rss_before / 2**20),
        "RSS after MB": round(report.rss_after / 2**20),
        "server CPU s": round(report.cpu, 1),
    }


def print_table(rows: list[dict]) -> None:
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running endpoint's base URL (http://127.0.0.1:PORT); default: start kg serve")
    parser.add_argument("--server-root", action="append", type=Path, default=[],
                        help="run kg serve from this checkout (repeatable: one measurement each)")
    parser.add_argument("--graph", type=Path, help="graph file to serve (default: a synthetic graph)")
    parser.add_argument("--papers", type=int, default=200, help="papers in the synthetic graph (default: 200)")
    parser.add_argument("--store", default="memory", choices=["memory", "oxigraph"])
    parser.add_argument("--timeout", type=float, default=10.0, help="kg serve --timeout (default: 10)")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--parallel", type=int, default=50)
    parser.add_argument("--slow", type=int, default=4, help="slow queries kept running (default: 4)")
    parser.add_argument("--slow-head-start", type=float, default=1.0)
    parser.add_argument("--client-timeout", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=180.0, help="wall-clock limit per measurement")
    args = parser.parse_args(argv)
    if not 0 < args.requests <= 10000 or not 0 < args.parallel <= 200 or not 0 <= args.slow <= 16:
        parser.error("--requests 1..10000, --parallel 1..200, --slow 0..16")

    rows = []
    if args.url:
        host = urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--url must be on 127.0.0.1 (this is a load test)")
        rows.append(summary(run_load(args.url.rstrip("/"), args.url, args, None)))
    else:
        with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
            graph = args.graph
            if graph is None:
                sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/synthetic_kg.py: a test and benchmark generator
                from synthetic_kg import synthetic_kg
                from kg.rdf.write import write_rdf

                graph = write_rdf(synthetic_kg(args.papers, seed=1), tmp)
            for root in args.server_root or [None]:
                base, proc = start_server(root, graph, args.store, args.timeout)
                try:
                    rows.append(summary(run_load(base, str(root or "this checkout"), args, proc.pid)))
                finally:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
    print(f"{args.requests} cheap requests, {args.parallel} in parallel, {args.slow} slow queries running, "
          f"{args.store} store, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
