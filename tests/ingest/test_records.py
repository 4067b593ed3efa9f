"""``kg extract`` input: {"id", "text"} and {"id", "title", "abstract"} records, text exactly as given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ingest import IngestReport
from kg.ingest.records import iter_text_records

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_text_is_exact_and_title_abstract_joined(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "text": "\n English  is shown\u200b to be <b>x</b> \\emph{y} $z$\t", "entities": []},
        {"id": 17, "title": "  A  title ", "abstract": "An\nabstract."},
        {"id": "c", "title": "Only a title"},
        {"id": "d", "text": "bad \ud800 surrogate"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    report = IngestReport()
    records = list(iter_text_records(path, report))
    assert records == [
        ("a", rows[0]["text"]),
        ("17", "  A  title \nAn\nabstract."),
        ("c", "Only a title\n"),
        ("d", "bad \ufffd surrogate"),  # one character for one: offsets unchanged
    ]
    assert [(p.line, p.severity) for p in report.problems] == [(3, "warning"), (4, "warning")]


def test_bad_lines_reported_once_and_skipped(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"id": "1", "text": "ok"}\r\n'
        b'{"id": "2", "text": "cut\n'
        b'[1, 2]\n'
        b'{"text": "no id"}\n'
        b'{"id": "5", "text": 5}\n'
        b'{"id": "6", "body": "no text"}\n'
        b'\n'
        b'{"id": "8", "text": "caf\xe9"}\n'
    )
    report = IngestReport()
    assert list(iter_text_records(path, report)) == [("1", "ok"), ("8", "café")]
    errors = [(p.line, p.reason.split(" (")[0].split(";")[0]) for p in report.problems if p.severity == "error"]
    assert errors == [(2, "invalid JSON"), (3, "record is list, not an object"), (4, "missing id"),
                      (5, "text is int, not a string"), (6, 'no "text"')]
    assert report.records_read == 7 and report.skipped == 5  # bad records are read too


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"shared data not found at {SHARED_DATA}")
@pytest.mark.parametrize("name", ["dev/scierc.jsonl", "dev/scier.jsonl", "dev/scinlp.jsonl", "dev/scienceie.jsonl", "train/tdmsci.jsonl"])
def test_shared_annotated_data_reads_cleanly_and_exactly(name):
    path = SHARED_DATA / name
    report = IngestReport()
    records = list(iter_text_records(path, report))
    expected = [(r["id"], r["text"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r]
    assert report.problems == []
    assert records == expected
