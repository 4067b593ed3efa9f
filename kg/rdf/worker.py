"""Run each endpoint query in its own killable process, so that no query can hang or sink ``kg serve``.

rdflib's SPARQL engine cannot be interrupted from another thread, and a careless query (a cross
product over millions of triples) can run for hours or eat all memory. So the endpoint never
evaluates a query itself:

* at start it launches one *zygote* process (``python -m kg.rdf.worker``) that moves into empty
  user and network namespaces where the kernel allows it (:func:`isolate_network`), loads the graph
  once (rdflib: parses it into memory; Oxigraph: checks the on-disk store opens) and then only
  waits for work on a Unix control socket;
* for every query the HTTP thread makes a socket pair and hands one end to the zygote, which
  ``fork()``\\ s a child: the child inherits the loaded graph (copy-on-write, so a fork costs
  milliseconds even for a large graph), reads the request from its socket, evaluates and renders
  the result with a memory limit (``RLIMIT_AS``) and a CPU-time limit, writes it back and exits;
* the HTTP thread waits for the answer until the timeout, and otherwise has the zygote kill the
  child (``SIGKILL``). The zygote is single-threaded, so forking it is safe, and since children
  never write back into it, every query sees the graph as loaded. If the zygote itself dies, the
  next query starts a new one.

Request (JSON, one line): ``{"query", "accept", "format", "max_rows", "max_bytes"}``.
Answer: one JSON header line ``{"status", "media_type", "rows", "truncated", "message"}``, then the body.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Extra address space a query child may allocate beyond what the loaded graph already takes.
DEFAULT_MEMORY_LIMIT = 2 << 30
#: How often a running query is shown to its supervisor (seconds).
SUPERVISE_EVERY = 0.1
_CONTROL_MSG = 256
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Answer:
    """What a query child answered (or what went wrong with it)."""

    status: int
    media_type: str = "text/plain"
    body: bytes = b""
    rows: int = 0
    truncated: bool = False


class RunnerUnavailable(RuntimeError):
    """The query runner could not be started (the graph does not load)."""


# --- the child: one query ----------------------------------------------------------------------


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit_resources(memory_limit: int, cpu_seconds: float) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a child killed for CPU time leaves no core file
    if memory_limit > 0:
        limit = _vm_size() + memory_limit
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_seconds > 0:
        seconds = int(cpu_seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _answer_query(store, request: dict) -> tuple[dict, bytes]:
    """Evaluate and render one request; returns the answer header and body."""
    from kg.rdf.query import QueryError, render, run_query
    from kg.rdf.results import negotiate

    try:
        result = run_query(store, request["query"])
        fmt = negotiate(request.get("accept"), result.kind, request.get("format"))
        if fmt is None:
            return {"status": 406, "message": "no acceptable format for this query's result"}, b""
        rendered = render(result, fmt, max_rows=request.get("max_rows"), max_bytes=request.get("max_bytes"))
    except QueryError as exc:
        return {"status": 400, "message": str(exc)}, b""
    except MemoryError:
        return {"status": 503, "message": "the query needed more memory than a query may use"}, b""
    except RecursionError:
        return {"status": 400, "message": "the query is nested too deeply"}, b""
    except Exception as exc:  # an engine error while evaluating: report it, the server goes on
        return {"status": 500, "message": f"query failed: {type(exc).__name__}: {exc}"}, b""
    header = {"status": 200, "media_type": rendered.media_type, "rows": rendered.rows, "truncated": rendered.truncated}
    return header, rendered.body.encode("utf-8")


def _child_main(sock: socket.socket, store_or_loader, memory_limit: int, cpu_seconds: float) -> None:
    """Body of a forked query child; never returns."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _limit_resources(memory_limit, cpu_seconds)
        with sock.makefile("rb") as fh:
            request = json.loads(fh.readline())
        store = store_or_loader() if callable(store_or_loader) else store_or_loader
        header, body = _answer_query(store, request)
        if header["status"] != 200:
            body = header.get("message", "").encode("utf-8")
        sock.sendall(json.dumps(header).encode() + b"\n" + body)
    except BaseException:  # the parent sees a dropped connection and answers 500
        code = 1
    finally:
        os._exit(code)


# --- the zygote ----------------------------------------------------------------------------------


def _reap(children: set[int]) -> None:
    """Collect every child that has exited (so none lingers as a zombie)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)


def _warm_up(store_or_loader) -> None:
    """Import and build once, before any fork, what every query child needs (the SPARQL parser's
    grammar, the renderers, content negotiation): otherwise each child pays for it again."""
    from kg.rdf.guard import parse_query
    from kg.rdf.results import negotiate  # noqa: F401

    parse_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    if not callable(store_or_loader):  # an rdflib graph in memory: run one query through it all
        _answer_query(store_or_loader, {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "format": ["json"]})


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def isolate_network() -> bool:
    """Move this process into new, empty user and network namespaces (Linux, where unprivileged
    namespaces are allowed): afterwards it and its children can reach no network at all, not even
    127.0.0.1, whatever the query engine tries. The kernel allows this only in a single-threaded
    process, so the zygote does it first thing. Returns whether it worked; files stay readable.
    """
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def zygote_main(control_fd: int, graph: str, backend: str, memory_limit: int, cpu_seconds: float) -> int:
    """Load the graph, then fork one child per ``run`` request on the control socket."""
    control = socket.socket(fileno=control_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which tells us to quit
    # Behind the query check (kg.rdf.guard), a second wall where the kernel allows it: Oxigraph
    # sends SERVICE requests from Rust, out of reach of any Python-level hook.
    isolated = isolate_network()

    from kg.rdf.query import load_store
    try:
        store = load_store(graph, backend=backend)
    except (OSError, ValueError) as exc:
        control.send(b"error:" + str(exc).encode("utf-8", "replace")[:4000])
        return 1
    if backend == "oxigraph":
        # RocksDB handles must not cross fork(): each child opens the store read-only itself.
        import pyoxigraph as ox

        from kg.rdf.store import Store, oxigraph_dir

        directory = str(oxigraph_dir(graph))
        fmt = store.format
        del store

        def store_or_loader():
            return Store("oxigraph", Path(graph), ox.Store.read_only(directory), fmt)
    else:
        store_or_loader = store
    _warm_up(store_or_loader)
    # Children never collect the zygote's objects: without this, a collection in a child walks
    # (and so copies, page by page) the whole loaded graph.
    gc.freeze()
    control.send(b"ready:no-network" if isolated else b"ready")
    children: set[int] = set()
    # Reap finished children as they exit, so that no zombie outlives its query.
    signal.signal(signal.SIGCHLD, lambda signum, frame: _reap(children))
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(control, _CONTROL_MSG, 1)
        except (ConnectionError, OSError):
            break
        _reap(children)
        if not msg or msg == b"quit":
            break
        if msg == b"run" and fds:
            child_sock = socket.socket(fileno=fds[0])
            # SIGCHLD stays blocked until the pid is recorded, so it cannot be reaped unrecorded.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                control.close()
                _child_main(child_sock, store_or_loader, memory_limit, cpu_seconds)
            children.add(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            child_sock.close()
            control.send(f"pid:{pid}".encode())
        elif msg.startswith(b"kill:"):
            pid = int(msg[5:])
            if pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)  # a zombie not reaped yet still holds its pid: safe
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass  # it ended and was reaped meanwhile
                children.discard(pid)
            control.send(b"ok")
        else:
            for fd in fds:
                os.close(fd)
            control.send(b"error:bad request")
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    return 0


# --- the server side ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far, from ``/proc``; 0 when unknown."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def deprioritise(pid: int) -> None:
    """Give process ``pid`` the lowest CPU priority (nice 19), so that it yields to quick queries."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
    except OSError:
        pass  # it ended meanwhile


class QueryRunner:
    """Server-side handle on the zygote: :meth:`run` answers one query within a time limit.

    Thread-safe: any number of HTTP threads may call :meth:`run` at once.
    """

    def __init__(self, graph: str | Path, backend: str = "memory", *, timeout: float = 10.0,
                 memory_limit: int = DEFAULT_MEMORY_LIMIT, start_timeout: float | None = None):
        self.graph = str(Path(graph).resolve())
        self.backend = backend
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.start_timeout = start_timeout
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._control: socket.socket | None = None
        self._start()

    def _start(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = [sys.executable, "-m", "kg.rdf.worker", "--fd", str(child.fileno()), "--graph", self.graph,
               "--backend", self.backend, "--memory-limit", str(self.memory_limit), "--cpu-seconds", str(self.timeout)]
        self._proc = subprocess.Popen(cmd, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        child.close()
        parent.settimeout(self.start_timeout)
        try:
            msg = parent.recv(1 << 16)
        except (TimeoutError, OSError) as exc:
            self._stop_process()
            raise RunnerUnavailable(f"the query process did not start: {exc}") from None
        if not msg.startswith(b"ready"):
            self._stop_process()
            reason = msg[6:].decode("utf-8", "replace") if msg.startswith(b"error:") else "it exited"
            raise RunnerUnavailable(f"cannot load {self.graph}: {reason}")
        parent.settimeout(30)
        self._control = parent
        self.network_isolated = msg == b"ready:no-network"

    def _stop_process(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
        if self._proc:
            self._proc.wait()

    def _ask(self, msg: bytes, fds: list[int] = ()) -> bytes:
        """One control round trip (caller holds the lock); restarts a dead zygote once."""
        for attempt in (0, 1):
            try:
                if fds:
                    socket.send_fds(self._control, [msg], list(fds))
                else:
                    self._control.send(msg)
                reply = self._control.recv(_CONTROL_MSG)
                if reply:
                    return reply
            except OSError:
                pass
            if attempt == 0:
                self._stop_process()
                self._control.close()
                self._start()
        raise RunnerUnavailable("the query process is not answering")

    def run(self, query: str, *, accept: str | None = None, format: str | None = None,
            max_rows: int | None = None, max_bytes: int | None = None,
            supervise: Callable[[int], str | None] | None = None) -> Answer:
        """Evaluate ``query`` in a fresh child; 503 when it runs past the timeout.

        ``supervise``, when given, is called with the child's pid about every
        :data:`SUPERVISE_EVERY` seconds while it runs; a message returned stops the child and
        becomes the body of a 503 answer (the endpoint's admission policy uses this).
        """
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                reply = self._ask(b"run", [theirs.fileno()])
            theirs.close()
            pid = int(reply.split(b":", 1)[1]) if reply.startswith(b"pid:") else None
            if pid is None:
                return Answer(500, body=b"the query process refused the query")
            request = {"query": query, "accept": accept, "format": format, "max_rows": max_rows, "max_bytes": max_bytes}
            mine.sendall(json.dumps(request).encode("utf-8", "surrogatepass") + b"\n")
            deadline = time.monotonic() + self.timeout
            chunks: list[bytes] = []
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._kill(pid)
                    return Answer(503, body=f"the query ran past the time limit of {self.timeout:g} s and was stopped".encode())
                mine.settimeout(min(remaining, SUPERVISE_EVERY) if supervise else remaining)
                try:
                    chunk = mine.recv(1 << 20)
                except TimeoutError:
                    stop = supervise(pid) if supervise else None
                    if stop:
                        self._kill(pid)
                        return Answer(503, body=stop.encode("utf-8"))
                    continue
                if not chunk:
                    break
                chunks.append(chunk)
            data = b"".join(chunks)
        finally:
            mine.close()
            if theirs.fileno() != -1:
                theirs.close()
        head, sep, body = data.partition(b"\n")
        if not sep:
            return Answer(503, body=b"the query process died (out of memory or CPU time?)")
        header = json.loads(head)
        return Answer(header["status"], header.get("media_type", "text/plain"), body,
                      header.get("rows", 0), header.get("truncated", False))

    def _kill(self, pid: int) -> None:
        with self._lock:
            self._ask(f"kill:{pid}".encode())

    def close(self) -> None:
        """Stop the zygote and every query still running."""
        with self._lock:
            if self._control is not None:
                try:
                    self._control.send(b"quit")
                except OSError:
                    pass
                self._control.close()
                self._control = None
            if self._proc is not None:
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kg serve's query zygote (started by kg.rdf.worker.QueryRunner)")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--graph", required=True)
    parser.add_argument("--backend", default="memory")
    parser.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_LIMIT)
    parser.add_argument("--cpu-seconds", type=float, default=0)
    args = parser.parse_args(argv)
    return zygote_main(args.fd, args.graph, args.backend, args.memory_limit, args.cpu_seconds)


if __name__ == "__main__":
    sys.exit(main())
