"""``kg build`` exit codes that depend on ingest: --strict (3), nothing readable (5), usage (2).

These runs stop in the ingest stage, so they are quick; nothing is written in any of them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from .helpers import MALFORMED

pytestmark = pytest.mark.slow  # each run starts Python and imports the pipeline


def kg(*args, cwd):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_strict_exits_3_and_writes_nothing(tmp_path):
    bad = MALFORMED / "invalid_json.jsonl"
    run = kg("build", bad, "--strict", "--out", tmp_path / "out", cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert not (tmp_path / "out").exists()
    for line in (2, 3, 5, 6):
        assert f"{bad}:{line}: invalid JSON" in run.stderr
    assert "4 malformed input record(s)" in run.stderr


def test_no_readable_paper_exits_5(tmp_path):
    run = kg("build", MALFORMED / "no_title_column.csv", MALFORMED / "empty.jsonl", "--out", tmp_path / "out", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "no title column" in run.stderr and not (tmp_path / "out").exists()


def test_unknown_format_or_field_exits_2(tmp_path):
    run = kg("build", MALFORMED / "crlf.jsonl", "--format", "docx", "--out", tmp_path / "out", cwd=tmp_path)
    assert run.returncode == 2 and "unknown input format 'docx'" in run.stderr
    run = kg("build", MALFORMED / "crlf.jsonl", "--field", "abstrct=summary", "--out", tmp_path / "out", cwd=tmp_path)
    assert run.returncode == 2 and "unknown field 'abstrct'" in run.stderr
    assert not (tmp_path / "out").exists()
