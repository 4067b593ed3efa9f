"""The command line: help texts and exit codes (kg/cli.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_unknown_option_is_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "--no-such-option"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "unrecognized arguments" in proc.stderr


def test_missing_graph_is_one_clear_line(tmp_path, capsys) -> None:
    code = main(["analyze", "--graph", str(tmp_path / "none.json")])
    assert code == 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kg build" in err
