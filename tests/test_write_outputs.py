"""kg.pipeline.write_outputs: the same files from one process and from two (the Neo4j files in a
child forked by kg.writer_process), errors of the child raised in the parent, no child left behind."""

from __future__ import annotations

import dataclasses
import gc
import os
from pathlib import Path

import pytest

from kg import writer_process
from kg.export.neo4j_schema import Neo4jExportError
from kg.graph.build import to_networkx
from kg.pipeline import BadOption, BuildOptions, write_outputs

from .synthetic_kg import synthetic_kg


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _write(kg, folder: Path, jobs: int) -> dict[str, Path]:
    return write_outputs(kg, to_networkx(kg), [], None, folder, BuildOptions(out=folder, jobs=jobs))


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """Counts the writer processes forked (a real fork still happens).

    Earlier tests in the same pytest process (the Dask ones) leave idle daemon threads behind,
    which would make write_outputs stay in one process; these tests fork regardless."""
    started: list[int] = []
    monkeypatch.setattr(writer_process, "other_threads", lambda: False)
    fork = writer_process.fork_writer

    def counting(task):
        child = fork(task)
        started.append(child.pid)
        return child

    monkeypatch.setattr(writer_process, "fork_writer", counting)
    return started


def _no_children_left(pids: list[int]) -> bool:
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


def test_one_process_and_two_write_the_same_files(tmp_path, forks) -> None:
    kg = synthetic_kg(120, seed=6)
    serial = _write(kg, tmp_path / "serial", jobs=1)
    assert not forks
    forked = _write(kg, tmp_path / "forked", jobs=2)
    assert len(forks) == 1 and _no_children_left(forks)
    assert list(serial) == list(forked) == ["rdf", "graph.json", "graph.graphml", "map.html", "neo4j", "mentions.jsonl", "merges.tsv", "changes.jsonl", "summary.md", "timings.json"]
    assert {n: p.relative_to(tmp_path / "serial") for n, p in serial.items()} == {n: p.relative_to(tmp_path / "forked") for n, p in forked.items()}
    first, second = _tree(tmp_path / "serial"), _tree(tmp_path / "forked")
    assert "neo4j/import.cypher" in first and "neo4j/nodes_evidence.csv" in first
    for name in first:
        if name != "timings.json":  # the stage timings differ
            assert first[name] == second[name], name
    assert "write:neo4j" in kg.stats.stage_seconds
    assert not gc.get_freeze_count()  # the graph is handed back to the collector


def test_an_error_in_the_child_is_raised_in_the_parent(tmp_path, forks) -> None:
    kg = synthetic_kg(30, seed=1)
    eid = next(iter(kg.evidence))
    kg.evidence[eid] = dataclasses.replace(kg.evidence[eid], confidence=float("inf"))  # Neo4j refuses it; RDF too, later
    G = to_networkx(kg)
    # the parent's own writers (RDF from kg) see a good value; the child's (Neo4j from G) the bad one
    good = dataclasses.replace(kg, evidence={**kg.evidence, eid: dataclasses.replace(kg.evidence[eid], confidence=0.5)})
    with pytest.raises(Neo4jExportError, match="not a finite number"):
        write_outputs(good, G, [], None, tmp_path / "out", BuildOptions(out=tmp_path, jobs=2))
    assert len(forks) == 1 and _no_children_left(forks)
    assert not gc.get_freeze_count()


def test_a_failing_parent_stops_the_child(tmp_path, forks, monkeypatch) -> None:
    def broken_map(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("kg.render.map.write_map", broken_map)
    with pytest.raises(OSError, match="disk full"):
        _write(synthetic_kg(30, seed=2), tmp_path / "out", jobs=2)
    assert len(forks) == 1 and _no_children_left(forks)


def test_large_builds_write_in_one_process(tmp_path, forks, monkeypatch) -> None:
    monkeypatch.setattr(writer_process, "FORK_WRITERS_MAX_RSS", 1)
    _write(synthetic_kg(20, seed=3), tmp_path / "out", jobs=2)
    assert not forks
    monkeypatch.setenv("KG_FORK_WRITERS_MAX_GB", "64")  # the limit moved up: two processes again
    _write(synthetic_kg(20, seed=3), tmp_path / "again", jobs=2)
    assert len(forks) == 1
    monkeypatch.setenv("KG_FORK_WRITERS_MAX_GB", "0")
    _write(synthetic_kg(20, seed=3), tmp_path / "never", jobs=2)
    assert len(forks) == 1
    monkeypatch.setenv("KG_FORK_WRITERS_MAX_GB", "lots")
    with pytest.raises(BadOption, match="KG_FORK_WRITERS_MAX_GB must be a number of GB, not 'lots'"):
        _write(synthetic_kg(20, seed=3), tmp_path / "bad", jobs=2)
    assert len(forks) == 1


def test_a_threaded_process_is_not_forked(tmp_path) -> None:
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, daemon=True)
    worker.start()
    try:
        assert writer_process.other_threads()
        assert writer_process.writer_processes(2) == 1
    finally:
        stop.set()
        worker.join()
