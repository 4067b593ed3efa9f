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

from kg.output import (
    MARKER,
    MARKER_TEXT,
    OutputLocked,
    UnsafeOutput,
    atomic_open,
    atomic_write_text,
    check_output_file,
    check_output_folder,
    is_kg_folder,
    lock_folder,
    mark_folder,
    output_set,
    switch_folder,
)


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
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "one.txt", "two.txt"]
    with output_set(out) as stage:
        atomic_write_text(stage / "one.txt", "1b")
    # the new set replaces the old one entirely: no stale file from the previous build
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "one.txt"]
    assert (out / "one.txt").read_text() == "1b"
    assert not list(tmp_path.glob(".output.kg-staging-*"))


def test_failed_build_leaves_previous_outputs(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "graph.ttl", "old graph")
    with pytest.raises(KeyboardInterrupt):
        with output_set(out) as stage:
            atomic_write_text(stage / "graph.ttl", "new graph")
            raise KeyboardInterrupt
    assert (out / "graph.ttl").read_text() == "old graph"
    assert not list(tmp_path.glob(".output.kg-staging-*"))


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
    assert not list(tmp_path.glob(".output.kg-staging-*"))


def test_atomic_files_get_normal_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


# --- kg replaces only what it made ---------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` (hidden ones included): file bytes, None for a folder."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def test_output_set_marks_its_folders_and_replaces_a_marked_one(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        assert is_kg_folder(stage)  # the staging folder carries the marker from the start
        atomic_write_text(stage / "a.txt", "1")
    assert (out / MARKER).read_text() == MARKER_TEXT
    with output_set(out) as stage:
        atomic_write_text(stage / "a.txt", "2")
    assert (out / "a.txt").read_text() == "2"


def test_a_folder_kg_did_not_make_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.tex").write_text("chapter one")
    (out / "sub" / "data.bin").write_bytes(bytes(range(256)))
    before = _snapshot(tmp_path)
    with pytest.raises(UnsafeOutput, match="did not make"):
        with output_set(out) as stage:
            atomic_write_text(stage / "graph.ttl", "x")
    assert _snapshot(tmp_path) == before


def test_a_folder_made_during_the_build_is_not_replaced(tmp_path: Path) -> None:
    """Checked again under the lock, just before the switch."""
    out = tmp_path / "output"
    with pytest.raises(UnsafeOutput):
        with output_set(out) as stage:
            atomic_write_text(stage / "graph.ttl", "x")
            out.mkdir()
            (out / "notes.txt").write_text("mine")
    assert _snapshot(tmp_path) == {"output": None, "output/notes.txt": b"mine"}


def test_a_file_is_never_swapped_for_a_folder(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    with pytest.raises(UnsafeOutput, match="is a file"):
        with output_set(notes):
            pass
    staging = tmp_path / ".x.kg-staging-1"
    staging.mkdir()
    with pytest.raises(UnsafeOutput):
        switch_folder(staging, notes)
    assert notes.read_text() == "my notes" and staging.is_dir()


@pytest.mark.parametrize("where", ["same", "inside", "holds"])
def test_inputs_and_the_current_directory_are_refused(tmp_path: Path, where: str) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.jsonl").write_text('{"title": "x"}\n')
    out = {"same": papers, "inside": papers / "output", "holds": tmp_path}[where]
    before = _snapshot(tmp_path)
    with pytest.raises(UnsafeOutput):
        check_output_folder(out, [papers])
    with pytest.raises(UnsafeOutput):
        check_output_folder(out, [papers / "a.jsonl"] if where != "inside" else [papers])
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    mark_folder(project)  # even a kg folder is refused when it is or holds the working directory
    with pytest.raises(UnsafeOutput, match="current directory"):
        check_output_folder(project, cwd=project / "src")
    with pytest.raises(UnsafeOutput, match="current directory"):
        check_output_folder(project, cwd=project)
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("project")} == before


def test_stale_clean_up_removes_only_what_kg_staged(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "graph.ttl", "old")
    # the user's files and folders whose names look like staging names, old style and new
    (tmp_path / ".output.staging-notes").write_text("a file of mine")
    (tmp_path / ".output.old-1").mkdir()
    (tmp_path / ".output.old-1" / "keep.txt").write_text("mine too")
    (tmp_path / ".output.kg-staging-7").write_text("a file named like kg's staging")
    (tmp_path / ".output.kg-old-8").mkdir()
    (tmp_path / ".output.kg-old-8" / "keep.txt").write_text("no marker, not kg's")
    mine = {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("output")}
    # what killed builds left: a marked staging folder and an empty one
    stale = tmp_path / ".output.kg-staging-99999"
    stale.mkdir()
    mark_folder(stale)
    (stale / "graph.ttl").write_text("half")
    (tmp_path / ".output.kg-staging-99998").mkdir()
    with output_set(out) as stage:
        atomic_write_text(stage / "graph.ttl", "new")
    assert {k: v for k, v in _snapshot(tmp_path).items() if not k.startswith("output")} == mine
    assert (out / "graph.ttl").read_text() == "new"


def test_the_lock_file_is_not_put_beside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with output_set(out) as stage:
        atomic_write_text(stage / "a", "1")
        assert sorted(p.name for p in tmp_path.iterdir()) == [stage.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a"]


def test_atomic_open_never_replaces_a_folder_or_a_device(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x").write_text("mine")
    with pytest.raises(UnsafeOutput, match="is a folder"):
        atomic_write_text(tmp_path / "folder", "y")
    assert (tmp_path / "folder" / "x").read_text() == "mine"
    with pytest.raises(UnsafeOutput, match="not a regular file"):
        check_output_file("/dev/null")
    with pytest.raises(UnsafeOutput, match="is the input"):
        check_output_file(tmp_path / "folder" / "x", inputs=[tmp_path / "folder" / "x"])
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]
