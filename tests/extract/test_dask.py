"""Distributed extraction on a real Dask LocalCluster of two worker processes."""

from __future__ import annotations

import dataclasses

import pytest

from kg.extract import engines, extract_papers
from kg.models import BuildStats

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40) as c:
        yield c


def _sorted_dicts(extractions):
    return sorted((e.to_dict() for e in extractions), key=lambda d: d["paper_id"])


@pytest.mark.slow
def test_dask_cluster_gives_the_same_extractions(cluster, sample_papers, standin_model, tmp_path):
    papers = [dataclasses.replace(p, id=f"{p.id}:{k}", title=f"{p.title} {k}") for k in range(6) for p in sample_papers]
    local = list(extract_papers(papers, model=standin_model, jobs=1))
    stats = BuildStats()
    remote = list(extract_papers(papers, model=standin_model, dask_address=cluster.scheduler_address, stats=stats, batch_size=4, cache_dir=tmp_path))
    assert [e.paper_id for e in remote] == [p.id for p in papers]  # input order kept
    assert _sorted_dicts(remote) == _sorted_dicts(local)
    assert stats.extracted == len(papers)
    with distributed.Client(cluster.scheduler_address) as client:
        where = client.run(lambda: __import__("kg.extract.worker", fromlist=["_pipelines"])._pipelines.keys().__len__())
    assert max(where.values()) == 1  # the worker processes that ran batches keep their one pipeline
    again = BuildStats()
    assert list(extract_papers(papers, model=standin_model, dask_address=cluster.scheduler_address, stats=again, cache_dir=tmp_path)) == remote
    assert (again.extracted, again.from_cache) == (0, len(papers))


def test_unreachable_scheduler_is_a_clear_error(sample_papers, standin_model, monkeypatch):
    monkeypatch.setattr(engines, "DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(ConnectionError, match="no Dask scheduler"):
        list(extract_papers(sample_papers, model=standin_model, dask_address="tcp://127.0.0.1:9"))


def test_kg_build_reports_an_unreachable_scheduler_in_one_line(tmp_path, monkeypatch, capsys):
    from kg.cli import main

    monkeypatch.setattr(engines, "DASK_CONNECT_TIMEOUT", "1s")
    out = tmp_path / "out"
    assert main(["-q", "build", "--dask", "tcp://127.0.0.1:9", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: no Dask scheduler at tcp://127.0.0.1:9") and "outputs left as they were" in err
    assert not out.exists()  # no outputs, and no empty cache either
