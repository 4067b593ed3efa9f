"""A killed build takes its helper processes along (kg.lifeline).

Each test starts a stand-in build process that starts one real helper the way ``kg build``
does, reports the helper's pid and waits; the test SIGKILLs the stand-in and checks that the
helper is gone within seconds. The helpers here would otherwise run on for minutes: a forked
writer whose task sleeps, and the real Oxigraph loader reading a named pipe nobody writes to.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")

ROOT = Path(__file__).resolve().parents[1]


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill_parent_and_wait(script: str, tmp_path: Path) -> tuple[int, bool]:
    """Run ``script`` as the parent; once it prints its helper's pid, SIGKILL the parent.
    Returns the helper's pid and whether it was still alive 10 s later."""
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = parent.stdout.readline()
        assert line.strip().isdigit(), f"the parent reported no helper: {line!r} {parent.stderr.read()[-2000:]}"
        helper = int(line)
        time.sleep(0.5)  # the helper is past its start-up
        assert _alive(helper)
    finally:
        parent.kill()
        parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    survived = _alive(helper)
    if survived:
        os.kill(helper, signal.SIGKILL)
    return helper, survived


def test_a_forked_writer_ends_with_its_killed_build(tmp_path):
    script = """
        import os, sys, time
        from kg.writer_process import fork_writer
        child = fork_writer(("write:slow", lambda: time.sleep(120) or {}))
        print(child.pid, flush=True)
        time.sleep(120)
    """
    helper, survived = _kill_parent_and_wait(script, tmp_path)
    assert not survived, f"the forked writer {helper} outlived its killed build"


def test_the_store_loader_ends_with_its_killed_build(tmp_path):
    os.mkfifo(tmp_path / "graph.nt")  # the loader blocks opening it: no writer will come
    script = """
        import time
        from kg.rdf.oxstore import start_store
        writer = start_store("graph.nt")
        print(writer.process.pid, flush=True)
        time.sleep(120)
    """
    helper, survived = _kill_parent_and_wait(script, tmp_path)
    assert not survived, f"the Oxigraph loader {helper} outlived its killed build"


def test_without_prctl_a_watcher_thread_ends_the_helper(tmp_path):
    script = """
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", '''
        import os, time
        import kg.lifeline as lifeline
        lifeline._set_death_signal = lambda: False
        lifeline.end_with_parent(os.getppid())
        time.sleep(120)
        '''.replace("\\n        ", "\\n")])
        print(child.pid, flush=True)
        time.sleep(120)
    """
    helper, survived = _kill_parent_and_wait(script, tmp_path)
    assert not survived, f"the helper {helper} outlived its killed parent"


def test_a_helper_whose_parent_is_already_gone_ends_at_once(tmp_path):
    """The parent may die between the helper's start and its call: it must not then run on."""
    code = "import kg.lifeline as l, time; l.end_with_parent(1); time.sleep(60)"  # pid 1 is never our parent
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=30)
    assert result.returncode == 1 and time.monotonic() - started < 20
