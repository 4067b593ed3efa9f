"""``scripts/bench_build.py --corpus``: sizes and new papers are consecutive records of a real corpus."""

from __future__ import annotations

import gzip
import json

import pytest

from .helpers import load_script


def test_corpus_slices_are_consecutive_records_of_the_source(tmp_path):
    bench = load_script("bench_build")
    records = [json.dumps({"id": f"p{i}", "title": f"T{i}", "abstract": f"A{i}"}) + "\n" for i in range(7)]
    source = tmp_path / "corpus.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as fh:
        fh.writelines(records)
    first = bench.make_corpus(tmp_path / "first.jsonl", 4, source=source)
    new = bench.make_corpus(tmp_path / "new.jsonl", 2, start=4, source=source)
    assert first.read_text(encoding="utf-8") == "".join(records[:4])
    assert new.read_text(encoding="utf-8") == "".join(records[4:6])
    with pytest.raises(SystemExit, match="7 records"):
        bench.make_corpus(tmp_path / "more.jsonl", 5, start=4, source=source)
    assert not (tmp_path / "more.jsonl").exists()
