"""SpilledExtractions: a disk-backed Sequence that gives back exactly what went in."""

from __future__ import annotations

import dataclasses

import pytest

from kg.extract import extract_papers
from kg.extract.spill import SpilledExtractions


def test_round_trip_iteration_and_indexing(sample_papers, standin_model, tmp_path):
    papers = [dataclasses.replace(sample_papers[k % 5], id=f"x:{k}") for k in range(1200)]  # more than one 1024-record block
    exts = list(extract_papers(papers, model=standin_model, jobs=1))
    spilled = SpilledExtractions({p.id: p for p in papers}, folder=tmp_path).extend(exts)
    assert len(spilled) == len(exts) == 1200
    assert list(spilled) == exts
    assert list(spilled) == exts  # a second pass reads the same
    assert spilled[0] == exts[0] and spilled[-1] == exts[-1] and spilled[5:8] == exts[5:8]
    assert [a.paper_id for a, b in zip(spilled, spilled)] == [e.paper_id for e in exts]  # interleaved passes
    with pytest.raises(IndexError):
        spilled[1200]
    assert list(tmp_path.iterdir()) == []  # the temporary file has no name
    spilled.close()
