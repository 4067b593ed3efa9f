"""``kg build`` end to end on the bundled sample: every output, determinism, crash safety."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from kg.graph.build import load_graph

pytestmark = pytest.mark.slow

OUTPUTS = ["graph.ttl", "graph.json", "graph.graphml", "map.html", "neo4j/import.cypher", "neo4j/README.md", "mentions.jsonl", "merges.tsv", "summary.md", "timings.json", ".kg-output"]


def _kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", "-q", *args], capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "output"
    proc = _kg("build", "--out", str(out), "--no-cache", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert str(out / "map.html") in proc.stdout, "the summary says where to look"
    return out


def test_build_writes_every_output(sample_build: Path) -> None:
    for name in OUTPUTS:
        assert (sample_build / name).is_file(), name
        assert (sample_build / name).stat().st_size > 0, name
    assert list((sample_build / "neo4j").glob("*.csv"))
    assert "| 552 | 468 | 84 |" in (sample_build / "summary.md").read_text()


def test_outputs_load_back(sample_build: Path) -> None:
    g = rdflib.Graph()
    g.parse(sample_build / "graph.ttl", format="turtle")
    assert len(g) > 1000
    G = load_graph(sample_build / "graph.json")
    papers = [n for n, a in G.nodes(data=True) if a["kind"] == "paper"]
    concepts = [n for n, a in G.nodes(data=True) if a["kind"] == "concept"]
    assert len(papers) == 468
    assert len(concepts) > 100
    H = nx.read_graphml(sample_build / "graph.graphml")
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()


def test_mentions_point_into_the_paper_text(sample_build: Path) -> None:
    G = load_graph(sample_build / "graph.json")
    rows = [json.loads(line) for line in (sample_build / "mentions.jsonl").read_text().splitlines()]
    assert len(rows) > 1000
    for row in rows:
        paper = G.nodes[row["paper"]]
        text = paper["title"] + "\n" + paper["abstract"]
        assert text[row["start"] : row["end"]] == row["text"]
        assert row["sentence"] in text and row["text"] in row["sentence"]
        assert row["label"] in {"METHOD", "DATASET", "METRIC", "TASK"}
        assert row["concept"] is None or row["concept"] in G


def _tree(folder: Path) -> dict[str, bytes]:
    """Every output file (the extraction cache and timings.json aside), hidden ones included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and p.name != "timings.json"}


def test_two_builds_are_identical(sample_build: Path, tmp_path: Path) -> None:
    """Same input, different process count and a warm cache: byte-identical outputs."""
    out = tmp_path / "again"
    proc = _kg("build", "--out", str(out), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    first, second = _tree(sample_build), _tree(out)
    assert sorted(first) == sorted(second)
    assert ".kg-output" in first and "summary.md" in first
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"


def test_killed_build_leaves_previous_outputs(sample_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    shutil.copytree(sample_build, out)
    before = _tree(out)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "-q", "build", "--out", str(out), "--no-cache", "--jobs", "1"])
    staging = list(tmp_path.glob(".output.kg-staging-*"))
    deadline = time.time() + 120
    while not staging and time.time() < deadline:  # wait until the build is under way
        time.sleep(0.2)
        staging = list(tmp_path.glob(".output.kg-staging-*"))
    time.sleep(2)
    assert proc.poll() is None, "the build finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _tree(out) == before
    rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    load_graph(out / "graph.json")


def test_strict_build_fails_on_malformed_input_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "papers.jsonl"
    bad.write_text('{"id": "1", "title": "Graph neural networks", "abstract": "We study GNNs."}\n{"id": "2", "title": \n')
    out = tmp_path / "output"
    proc = _kg("build", str(bad), "--out", str(out), "--strict")
    assert proc.returncode == 3
    assert "papers.jsonl:2" in proc.stderr
    assert not out.exists()
    proc = _kg("build", str(bad), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "| 1 | 0 | 1 |" in (out / "summary.md").read_text()
