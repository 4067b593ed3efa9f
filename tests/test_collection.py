"""The suite's own configuration collects every test file: pytest skips any folder named ``build``,
``dist``, ``venv``... by default, which hid tests/build (golden files, updates) from every run
until pyproject.toml set ``norecursedirs`` (the same list without ``build``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def test_every_test_file_is_collected():
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    collected = {line.split("::", 1)[0] for line in done.stdout.splitlines() if "::" in line}
    expected = {p.relative_to(ROOT).as_posix() for p in TESTS.rglob("test_*.py")
                if not any(part.startswith(".") for part in p.relative_to(TESTS).parts)}
    assert sorted(expected - collected) == [], "test files the suite's configuration does not collect"
