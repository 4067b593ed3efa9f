"""``kg build --oxigraph yes`` over a previous build: the update's Oxigraph store is the previous
store updated in place (:mod:`kg.rdf.store_delta`), holds exactly the quads of a bulk load of the
update's graph file, and leaves the previous store's files as they were; without an up-to-date
previous store the update bulk-loads."""

from __future__ import annotations

import json

import pytest

from kg.pipeline import BuildOptions, build
from kg.rdf.store import oxigraph_dir

from ..helpers import bulk_loaded_quads, files_snapshot, store_quads, write_sample_slices

#: Sample papers in the first build, and papers added by the update.
FIRST, ADDED = 250, 50


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    a, b = write_sample_slices(folder, FIRST, ADDED)
    return a, b, folder / "cache"


def timings(out) -> dict:
    return json.loads((out / "timings.json").read_text())


@pytest.mark.slow
def test_update_store_is_updated_in_place(inputs, tmp_path, monkeypatch):
    a, b, cache = inputs
    monkeypatch.setenv("KG_STORE_DELTA_MAX_FRACTION", "0.5")  # 50 papers added to 250 change under half the blocks
    out = tmp_path / "out"
    first = build(BuildOptions(inputs=[a], out=out, cache_dir=cache, jobs=1, oxigraph="yes"))
    assert timings(out)["oxigraph"] == {"path": "bulk"}
    before = files_snapshot(oxigraph_dir(first.files["rdf"]), tmp_path / "links")
    update = build(BuildOptions(inputs=[a, b], out=out, cache_dir=cache, jobs=1, oxigraph="yes", update=True))
    assert update.kind == "update"
    report = timings(out)["oxigraph"]
    assert report["path"] == "in-place", report
    assert "write:oxigraph" in timings(out)["seconds"]
    assert report["subjects_changed"] > 0 and report["quads_inserted"] > 0
    assert report["subjects_removed"] > 0  # concepts the new papers merged away or renamed
    # exactly the clean load of the update's graph file (ids are kept from the first build, so a
    # clean build of A+B into another folder has other concept IRIs: its own file is the oracle)
    graph = update.files["rdf"]
    assert store_quads(oxigraph_dir(graph)) == bulk_loaded_quads(graph, tmp_path / "oracle")
    # the previous store's files (gone with the previous folder, kept by hard links) were not written
    assert files_snapshot(tmp_path / "links", tmp_path / "links") == before


@pytest.mark.slow
def test_update_without_a_previous_store_bulk_loads(inputs, tmp_path):
    a, b, cache = inputs
    out = tmp_path / "out"
    build(BuildOptions(inputs=[a], out=out, cache_dir=cache, jobs=1, oxigraph="no"))
    update = build(BuildOptions(inputs=[a, b], out=out, cache_dir=cache, jobs=1, oxigraph="yes", update=True))
    report = timings(out)["oxigraph"]
    assert report["path"] == "bulk" and "no Oxigraph store up to date" in report["fallback"]
    graph = update.files["rdf"]
    assert store_quads(oxigraph_dir(graph)) == bulk_loaded_quads(graph, tmp_path / "oracle")
