"""The Oxigraph store the build writes: in the output folder with everything else, opened at once by
``kg query`` (no load step), the same answers as the graph file; which store ``--store auto`` picks."""

from __future__ import annotations

import json
import os

import pytest

from kg.cli import main
from kg.rdf.oxstore import MEMORY_MAX_BYTES, choose_backend, wants_store
from kg.rdf.query import load_store, read_query
from kg.rdf.store import STAMP, oxigraph_dir, oxigraph_up_to_date

from .conftest import engine_rows


@pytest.fixture(scope="module")
def built_with_store(tmp_path_factory):
    """``kg build --oxigraph yes`` of the smallest bundled sample file."""
    from pathlib import Path

    from kg.ingest import SAMPLE_DIR
    from kg.pipeline import BuildOptions, build

    smallest = min(Path(SAMPLE_DIR).glob("*.txt"), key=lambda p: p.stat().st_size)
    out = tmp_path_factory.mktemp("build") / "output"
    result = build(BuildOptions(inputs=[smallest], out=out, jobs=2, cache=False, oxigraph="yes"))
    return result


@pytest.mark.slow
def test_build_writes_the_store_into_the_output_folder(built_with_store):
    graph = built_with_store.files["rdf"]
    assert built_with_store.files["oxigraph"] == oxigraph_dir(graph)
    assert oxigraph_dir(graph).parent == built_with_store.out
    assert oxigraph_up_to_date(graph)  # the stamp survived the switch of the staging folder
    assert json.loads((oxigraph_dir(graph) / STAMP).read_text())["file"] == "graph.ttl"
    assert not list(built_with_store.out.parent.glob(".output.staging-*"))
    assert "write:oxigraph" in built_with_store.kg.stats.stage_seconds


@pytest.mark.slow
def test_query_opens_the_built_store_without_loading(built_with_store, capsys):
    graph = built_with_store.files["rdf"]
    before = sorted((p.name, p.stat().st_mtime_ns) for p in oxigraph_dir(graph).iterdir())
    assert choose_backend(graph) == "oxigraph"
    assert main(["query", "--graph", str(graph), "--example", "top-methods", "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 1
    after = sorted((p.name, p.stat().st_mtime_ns) for p in oxigraph_dir(graph).iterdir())
    assert after == before  # opened read-only, not rebuilt


@pytest.mark.slow
def test_built_store_answers_like_the_graph_file(built_with_store):
    graph = built_with_store.files["rdf"]
    memory, oxigraph = load_store(graph, "memory"), load_store(graph, "oxigraph")
    assert len(oxigraph.handle) == len(memory.handle)
    for name in ("top-methods", "datasets-per-method", "new-methods", "cooccurring-concepts"):
        text = read_query(None, example=name)
        assert engine_rows(oxigraph, text) == engine_rows(memory, text), name


def test_build_without_store_writes_none(tmp_path):
    from kg.pipeline import BadOption, BuildOptions, build

    with pytest.raises(BadOption):
        build(BuildOptions(out=tmp_path / "x", oxigraph="maybe"))
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_failed_store_load_fails_the_build_and_keeps_the_old_output(tmp_path, monkeypatch):
    from kg.pipeline import BuildOptions, build
    from kg.rdf import oxstore

    out = tmp_path / "output"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    from kg.output import MARKER

    (out / MARKER).write_text("")  # a previous build's output: kg may replace it, and must keep it here
    real_start = oxstore.start_store

    def broken(graph, previous=None):
        graph.write_text("this is not turtle <", encoding="utf-8")
        return real_start(graph, previous)

    monkeypatch.setattr(oxstore, "start_store", broken)
    from kg.ingest import SAMPLE_DIR
    from pathlib import Path

    smallest = min(Path(SAMPLE_DIR).glob("*.txt"), key=lambda p: p.stat().st_size)
    with pytest.raises(RuntimeError, match="Oxigraph"):
        build(BuildOptions(inputs=[smallest], out=out, jobs=1, cache=False, oxigraph="yes"))
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "keep.txt"])
    assert not list(tmp_path.glob(".output.*staging-*"))


def test_auto_choice(tmp_path):
    assert wants_store("auto", 999) is False and wants_store("auto", 1000) is True
    graph = tmp_path / "graph.ttl"
    graph.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    assert choose_backend(graph) == "memory"
    assert choose_backend(graph, "oxigraph") == "oxigraph"
    with open(graph, "ab") as fh:
        fh.truncate(MEMORY_MAX_BYTES + 1)
    assert choose_backend(graph) == "oxigraph"
    os.truncate(graph, 0)
    graph.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    load_store(graph, "oxigraph")
    assert choose_backend(graph) == "oxigraph"  # a store is there and up to date
