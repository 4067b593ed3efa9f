"""Atomic files, the atomically switched output folder and its lock (kg/output.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.output import OutputLocked, atomic_open, atomic_write_text, lock_folder, output_set


def test_atomic_open_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as fh:
            fh.write("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"], "temporary file left behind"
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


def test_output_set_switches_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "one.txt", "1")
        atomic_write_text(stage / "two.txt", "2")
    assert sorted(p.name for p in out.iterdir()) == ["one.txt", "two.txt"]
    with output_set(out) as stage:
        atomic_write_text(stage / "one.txt", "1b")
    # the new set replaces the old one entirely: no stale file from the previous build
    assert sorted(p.name for p in out.iterdir()) == ["one.txt"]
    assert (out / "one.txt").read_text() == "1b"
    assert not list(tmp_path.glob(".output.staging-*"))


def test_failed_build_leaves_previous_outputs(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "graph.ttl", "old graph")
    with pytest.raises(KeyboardInterrupt):
        with output_set(out) as stage:
            atomic_write_text(stage / "graph.ttl", "new graph")
            raise KeyboardInterrupt
    assert (out / "graph.ttl").read_text() == "old graph"
    assert not list(tmp_path.glob(".output.staging-*"))


def test_cache_survives_the_switch(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "x", "1")
    (out / ".cache").mkdir()
    atomic_write_text(out / ".cache" / "entry", "cached")
    with output_set(out) as stage:
        atomic_write_text(stage / "x", "2")
    assert (out / ".cache" / "entry").read_text() == "cached"


def test_lock_stops_a_second_writer(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with lock_folder(out):
        with pytest.raises(OutputLocked):
            with output_set(out):
                pass
    with output_set(out) as stage:  # released again
        atomic_write_text(stage / "ok", "ok")


def test_sigkill_mid_build_keeps_previous_outputs(tmp_path: Path) -> None:
    """A writer killed with SIGKILL between writing and switching leaves the old set intact and unlocked."""
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "graph.ttl", "old graph")
        atomic_write_text(stage / "summary.md", "old summary")
    script = textwrap.dedent(
        f"""
        import time
        from kg.output import output_set, atomic_write_text
        with output_set({str(out)!r}) as stage:
            atomic_write_text(stage / "graph.ttl", "new graph")
            print("written", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert (out / "graph.ttl").read_text() == "old graph"
    assert (out / "summary.md").read_text() == "old summary"
    # the next build cleans the stale staging folder and is not blocked by a dead lock holder
    t0 = time.time()
    with output_set(out) as stage:
        atomic_write_text(stage / "graph.ttl", "newer graph")
    assert time.time() - t0 < 5
    assert (out / "graph.ttl").read_text() == "newer graph"
    assert not list(tmp_path.glob(".output.staging-*"))


def test_atomic_files_get_normal_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
