"""``kg build`` on a three-paper input, in process: byte-identical outputs and a full disk."""

from __future__ import annotations

import contextlib
import errno
from pathlib import Path

import pytest

from kg.cli import main

PAPERS = (
    '{"id": "1", "title": "Graph neural networks for node classification", "abstract": "We propose GraphSAGE-X, a graph neural network (GNN). We evaluate GraphSAGE-X on Cora and report accuracy."}\n'
    '{"id": "2", "title": "Transformers for machine translation", "abstract": "Transformers are used for machine translation. We report BLEU on WMT14."}\n'
    '{"id": "3", "title": "Graph neural networks, revisited", "abstract": "GNNs are used for node classification on Cora and Citeseer."}\n'
)


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, hidden ones included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    path = tmp_path / "papers.jsonl"
    path.write_text(PAPERS)
    return path


def _build(papers: Path, out: Path) -> int:
    return main(["-q", "build", str(papers), "--out", str(out), "--jobs", "1", "--no-cache"])


def test_every_output_file_is_byte_identical_across_builds(papers: Path, tmp_path: Path) -> None:
    assert _build(papers, tmp_path / "a") == 0
    assert _build(papers, tmp_path / "b") == 0
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert sorted(first) == sorted(second)
    assert {"summary.md", "timings.json", ".kg-output", "graph.ttl", "map.html", "neo4j/import.cypher"} <= set(first)
    for name in first:
        if name != "timings.json":  # wall-clock seconds per stage: the one file that may differ
            assert first[name] == second[name], f"{name} differs between two builds of the same input"


class _FullDisk:
    """A file whose writes fail the way a full disk fails them."""

    def __init__(self, fh, path):
        self.fh, self.path = fh, path

    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.path))

    def __getattr__(self, name):
        return getattr(self.fh, name)


def test_a_full_disk_is_one_line_exit_1_and_the_previous_outputs_stay(papers: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    import kg.summary
    from kg.output import atomic_open

    out = tmp_path / "output"
    assert _build(papers, out) == 0
    before = _tree(out)

    @contextlib.contextmanager
    def full_disk_open(path, *args, **kwargs):
        with atomic_open(path, *args, **kwargs) as fh:
            yield _FullDisk(fh, path)

    monkeypatch.setattr(kg.summary, "atomic_open", full_disk_open)  # mentions.jsonl's writer
    capsys.readouterr()
    assert _build(papers, out) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no space left" in err and "mentions.jsonl" in err, err
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "papers.jsonl"]  # no staging left
