"""The CLI on inputs that are not papers (refused, exit 5, nothing written) and ``kg extract`` on
every format ``kg build`` reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.ingest import IngestReport, iter_papers

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"


@pytest.mark.parametrize(
    "name, content",
    [
        ("README.md", "# kg\n\nA knowledge-graph builder over research papers.\n"),
        ("people.csv", "name,age,city\nAda,36,London\n"),
        ("server.log", "2024-05-01 12:00:01 INFO started\n2024-05-01 12:00:02 WARNING slow\n"),
        ("notes.txt", "Papers to read this week\nAttention is all you need\n"),
    ],
)
def test_build_refuses_a_file_in_no_known_format(tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "out"
    assert main(["build", str(path), "--out", str(out), "--no-cache"]) == 5
    assert not out.exists()
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if f"{path}:" in line)
    if name.endswith(".csv"):  # read as CSV by its extension, refused by the CSV reader
        assert "no title column" in line and "--field title=NAME" in line
    else:
        assert "not a paper format" in line and "--format (" in line


@pytest.mark.slow
@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is not here")
def test_extract_reads_every_realworld_file(tmp_path):
    files = sorted(str(p) for p in REALWORLD.rglob("*") if p.is_file() and p.name != "PROVENANCE.tsv")
    out = tmp_path / "mentions.jsonl"
    assert main(["extract", *files, "--jobs", "1", "--out", str(out), "-q"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    papers = list(iter_papers(files, report=IngestReport()))
    assert [r["id"] for r in rows] == [p.source_id or p.id for p in papers]
    assert sum(bool(r["entities"]) for r in rows) > len(rows) // 2
