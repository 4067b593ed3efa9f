"""One output written by a forked second process while this process writes the others.

:func:`kg.pipeline.write_outputs` asks :func:`writer_processes` whether to fork, starts the
child with :func:`fork_writer`, and collects it with :func:`join_writer` (its files and time, or
its exception raised in the parent) or kills it with :func:`stop_writer` when the parent fails.
The child reports through a pipe (a pickled ``("ok", (seconds, files))`` or ``("error", exc)``)
and leaves with ``os._exit``, so it never runs the parent's clean-up.

The fork rule: a fork pays only with two or more jobs, never in a process with other threads
(forking one is unsafe), and only while the build process is small (:data:`FORK_WRITERS_MAX_RSS`,
and at most half of the free memory). The environment variable ``KG_FORK_WRITERS_MAX_GB``
moves the limit (``0``: never fork), to trade memory for time.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.lifeline import end_with_parent

#: The Neo4j files are written by a forked second process only while the build process holds at
#: most this much memory: CPython writes the reference count of every object a process reads, so
#: the child ends up with its own copy of most of the graph's pages. A larger graph is written by
#: one process (at 100,000 papers the copy would be about 5 GB). ``KG_FORK_WRITERS_MAX_GB`` moves it.
FORK_WRITERS_MAX_RSS = 2.5 * 2**30


def writer_processes(jobs: int | None) -> int:
    """2 when a forked writer pays and fits (see :data:`FORK_WRITERS_MAX_RSS`), else 1.

    ``jobs``: the build's job count (None: the cores this process may use). Raises
    :class:`ValueError` when ``KG_FORK_WRITERS_MAX_GB`` is not a number.
    """
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if jobs < 2 or not hasattr(os, "fork") or other_threads():  # forking a threaded process is unsafe
        return 1
    limit = FORK_WRITERS_MAX_RSS
    if os.environ.get("KG_FORK_WRITERS_MAX_GB"):
        try:
            limit = float(os.environ["KG_FORK_WRITERS_MAX_GB"]) * 2**30
        except ValueError:
            raise ValueError(f"KG_FORK_WRITERS_MAX_GB must be a number of GB, not {os.environ['KG_FORK_WRITERS_MAX_GB']!r}") from None
    rss, available = _memory_kb("/proc/self/status", "VmRSS"), _memory_kb("/proc/meminfo", "MemAvailable")
    if rss is None or available is None:
        return 1
    return 2 if rss * 1024 <= min(limit, available * 1024 / 2) else 1


def other_threads() -> bool:
    """Whether threads besides this one run (a Dask client's, a server's): then no fork."""
    return threading.active_count() > 1


def _memory_kb(path: str, field: str) -> int | None:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass
class WriterProcess:
    """A forked writer process: its pid and the pipe it reports on."""

    pid: int
    fd: int
    stage: str


def fork_writer(task: tuple[str, Callable[[], dict[str, Path]]]) -> WriterProcess:
    """Run ``task`` in a forked child that reports ``(seconds, files)`` or the exception it raised."""
    stage, write = task
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: write, report, and leave without running the parent's cleanup
        code = 0
        try:
            end_with_parent(parent)  # a killed build takes its writer along (kg.lifeline)
            os.close(read_fd)
            t0 = time.perf_counter()
            written = write()
            report = ("ok", (time.perf_counter() - t0, written))
        except BaseException as exc:  # everything goes back to the parent, which raises it
            code = 1
            try:
                pickle.dumps(exc)
                report = ("error", exc)
            except Exception:
                report = ("error", RuntimeError(f"{stage} failed in its process:\n{traceback.format_exc()}"))
        try:
            data = pickle.dumps(report)
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(code)
    os.close(write_fd)
    return WriterProcess(pid, read_fd, stage)


def join_writer(child: WriterProcess) -> tuple[float, dict[str, Path]]:
    """Wait for a forked writer; its ``(seconds, files)``, or its exception raised here."""
    chunks = []
    try:
        while chunk := os.read(child.fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(child.fd)
        _, status = os.waitpid(child.pid, 0)
    if not chunks:
        raise RuntimeError(f"{child.stage}: its writer process ended without a report ({_exit_text(status)})")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise value
    return value


def stop_writer(child: WriterProcess) -> None:
    """Kill a forked writer (this process is failing) and reap it."""
    try:
        os.kill(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.close(child.fd)
    os.waitpid(child.pid, 0)


def _exit_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
