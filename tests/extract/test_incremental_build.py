"""Whole builds: an incremental build (warm cache + new papers) gives the outputs of a clean
single-process build up to the concept ids it keeps (kg.resolve.stable_ids), and a build whose
extraction ran on a Dask cluster gives exactly those outputs, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ingest import SAMPLE_DIR, IngestReport, iter_papers
from kg.pipeline import BuildOptions, build

from ..build.outputs_compare import compare_all


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """Two JSON Lines files of real sample papers: 40 old ones and 12 new ones."""
    papers = list(iter_papers([SAMPLE_DIR], report=IngestReport()))[:52]
    folder = tmp_path_factory.mktemp("inputs")
    old, new = folder / "old.jsonl", folder / "new.jsonl"
    for path, part in ((old, papers[:40]), (new, papers[40:])):
        path.write_text("".join(json.dumps({"id": p.source_id or p.id, "title": p.title, "abstract": p.abstract}) + "\n" for p in part))
    return old, new


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.parts and p.name != "timings.json"}  # timings differ


def _assert_same_outputs(a: Path, b: Path) -> None:
    first, second = _tree(a), _tree(b)
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs"


@pytest.fixture(scope="module")
def clean_build(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "out"
    result = build(BuildOptions(inputs=list(inputs), out=out, cache=False, jobs=1))
    assert result.kg.stats.extracted == 52
    return out


@pytest.mark.slow
def test_incremental_build_equals_clean_build(inputs, clean_build, tmp_path):
    old, new = inputs
    out = tmp_path / "out"
    first = build(BuildOptions(inputs=[old], out=out, jobs=1))
    assert (first.kg.stats.extracted, first.kg.stats.from_cache) == (40, 0)
    assert (out / ".cache" / "extractions.sqlite").exists()
    second = build(BuildOptions(inputs=[old, new], out=out, jobs=1))
    assert (second.kg.stats.extracted, second.kg.stats.from_cache) == (12, 40)
    compare_all(out, clean_build)  # the update keeps the first build's ids; everything else is the clean build's


@pytest.mark.slow
def test_build_on_a_dask_cluster_equals_local_build(inputs, clean_build, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40) as cluster:
        out = tmp_path / "out"
        result = build(BuildOptions(inputs=list(inputs), out=out, dask=cluster.scheduler_address, cache=False))
    assert result.kg.stats.extracted == 52
    _assert_same_outputs(out, clean_build)
