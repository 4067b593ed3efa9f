"""The CLI on inputs that are not papers (refused, exit 5, nothing written) and ``kg extract`` on
every format ``kg build`` reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.ingest import IngestReport, iter_papers

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
S2_NESTED = Path(__file__).resolve().parent / "data" / "ingest" / "s2_nested.json"


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
        assert "no title column" in line and "it looks like a table without a title column" in line
        assert "--field title=NAME" in line and "--format (" in line
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


@pytest.mark.slow
def test_build_s2_nested_makes_the_nested_records_papers(tmp_path, capsys):
    """``kg build --s2-nested``: the two top-level papers plus the two nested ones with a title
    that are not duplicates of them (tests/ingest/test_formats.py checks the records one by one)."""
    out = tmp_path / "out"
    assert main(["build", str(S2_NESTED), "--s2-nested", "--out", str(out), "--no-cache", "--jobs", "1"]) == 0
    nodes = json.loads((out / "graph.json").read_text())["nodes"]
    assert sorted(n["id"] for n in nodes if n["kind"] == "paper") == sorted(
        ["arxiv:1706.03762", "arxiv:1810.04805", "arxiv:1409.0473", next(p.id for p in iter_papers(
            [S2_NESTED], s2_nested=True, report=IngestReport()) if p.title == "Long Short-Term Memory")])
    assert "citations[1]: missing title; record skipped" in capsys.readouterr().err


@pytest.mark.slow
def test_extract_warns_about_nested_s2_records_and_reads_them_with_the_option(tmp_path, capsys):
    out = tmp_path / "mentions.jsonl"
    assert main(["extract", str(S2_NESTED), "--jobs", "1", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 2
    err = capsys.readouterr().err
    assert f"warning: {S2_NESTED}: 5 nested Semantic Scholar records" in err and "--s2-nested reads them" in err
    assert main(["extract", str(S2_NESTED), "--s2-nested", "--jobs", "1", "--out", str(out)]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()][:3] == [
        "204e3073870fae3d05bcbc2f6a8e263d9b72e776", "df2b0e26d0599ce3e70df8a9da02e51594e0e992",
        "fa72afa9b2cbc8f0d7b05d52548906610ffbb9c5"]
    assert len(out.read_text().splitlines()) == 4 and "nested Semantic Scholar" not in capsys.readouterr().err
