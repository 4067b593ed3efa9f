"""The command line: help texts and exit codes (kg/cli.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kg.cli
from kg.cli import build_parser, main

SUBCOMMANDS = [["build"], ["extract"], ["eval"], ["query"], ["serve"], ["export", "neo4j"], ["map"], ["analyze"], ["explain"]]


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys) -> None:
    text = _help([], capsys)
    for argv in SUBCOMMANDS:
        assert argv[0] in text
    assert "example" in text


@pytest.mark.parametrize("argv", SUBCOMMANDS, ids=lambda a: " ".join(a))
def test_each_subcommand_help_has_a_description_and_an_example(argv, capsys) -> None:
    text = _help(argv, capsys)
    assert "example" in text.lower()
    assert "kg " + argv[0] in text  # the example shows the command itself
    assert len(text.splitlines()) > 5


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "handler"), [
    (["build"], "cmd_build"), (["extract", "in.jsonl"], "cmd_extract"), (["eval", "gold.jsonl"], "cmd_eval"),
    (["query", "ASK {}"], "cmd_query"), (["serve"], "cmd_serve"), (["export", "neo4j", "--uri", "bolt://h:7687"], "cmd_export_neo4j"),
    (["map"], "cmd_map"), (["analyze"], "cmd_analyze"), (["explain", "a", "b"], "cmd_explain"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else a)
def test_each_subcommand_calls_its_handler(argv, handler) -> None:
    assert build_parser().parse_args(argv).func is getattr(kg.cli, handler)


def test_export_without_a_target_prints_help_and_exits_2(capsys) -> None:
    assert main(["export"]) == 2
    assert "usage" in capsys.readouterr().out


def test_unknown_option_is_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "--no-such-option"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unrecognized arguments" in proc.stderr


def test_missing_graph_is_one_clear_line(tmp_path, capsys) -> None:
    code = main(["analyze", "--graph", str(tmp_path / "none.json")])
    assert code == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kg build" in err


# --- output paths kg refuses before any work --------------------------------------------------

PAPERS = (
    '{"id": "1", "title": "Graph neural networks for node classification", "abstract": "We propose GraphSAGE-X, a graph neural network. We evaluate it on Cora."}\n'
    '{"id": "2", "title": "Transformers for machine translation", "abstract": "Transformers are used for machine translation. We report BLEU on WMT14."}\n'
)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``, hidden ones included: file bytes, None for a folder."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def _refused(argv: list[str], capsys, *, what: str) -> None:
    code = main(["-q", *argv, "--jobs", "1", "--no-cache"] if argv[0] == "build" else ["-q", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and what in err, err


def test_build_refuses_its_input_folder_as_out(tmp_path, capsys) -> None:
    papers = tmp_path / "mypapers"
    papers.mkdir()
    (papers / "a.jsonl").write_text(PAPERS)
    (papers / "notes.md").write_text("my notes")
    before = _snapshot(tmp_path)
    _refused(["build", str(papers), "--out", str(papers)], capsys, what="input")
    _refused(["build", str(papers / "a.jsonl"), "--out", str(papers)], capsys, what="input")
    _refused(["build", str(papers / "a.jsonl"), "--out", str(tmp_path)], capsys, what="input")
    assert _snapshot(tmp_path) == before


def test_build_refuses_the_current_directory(tmp_path, capsys, monkeypatch) -> None:
    project = tmp_path / "project"
    (project / ".git" / "objects").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "src").mkdir()
    (project / "src" / "main.py").write_text("print('hello')\n")
    (tmp_path / "papers.jsonl").write_text(PAPERS)
    before = _snapshot(tmp_path)
    monkeypatch.chdir(project)
    _refused(["build", str(tmp_path / "papers.jsonl"), "--out", "."], capsys, what="current directory")
    monkeypatch.chdir(project / "src")
    _refused(["build", str(tmp_path / "papers.jsonl"), "--out", ".."], capsys, what="current directory")
    assert _snapshot(tmp_path) == before


def test_build_refuses_a_file_and_a_folder_it_did_not_make(tmp_path, capsys) -> None:
    (tmp_path / "papers.jsonl").write_text(PAPERS)
    (tmp_path / "notes.txt").write_text("do not lose me")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)))
    before = _snapshot(tmp_path)
    _refused(["build", str(tmp_path / "papers.jsonl"), "--out", str(tmp_path / "notes.txt")], capsys, what="is a file")
    _refused(["build", str(tmp_path / "papers.jsonl"), "--out", str(tmp_path / "photos")], capsys, what="did not make")
    assert _snapshot(tmp_path) == before


def test_single_file_outputs_refuse_their_input_and_folders(tmp_path, capsys) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text('{"id": "a", "text": "We use BERT on SQuAD."}\n')
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "keep.html").write_text("<p>mine</p>")
    (tmp_path / "graph.json").write_text("{}")
    before = _snapshot(tmp_path)
    _refused(["extract", str(records), "--out", str(records)], capsys, what="is the input")
    _refused(["extract", str(records), "--out", str(tmp_path / "maps")], capsys, what="is a folder")
    _refused(["map", "BERT", "--graph", str(tmp_path / "graph.json"), "--out", str(tmp_path / "maps")], capsys, what="is a folder")
    _refused(["map", "BERT", "--graph", str(tmp_path / "graph.json"), "--out", str(tmp_path / "graph.json")], capsys, what="is the input")
    assert _snapshot(tmp_path) == before
