"""scripts/tree_memory.py: the process holding the memory is named, with its share at the tree's peak."""

from __future__ import annotations

import json
import sys

from .helpers import load_script

CHILD = "import time; block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096]); time.sleep(2)"
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}], check=True)"


def test_the_child_that_holds_the_memory_is_named(tmp_path, capsys):
    out = tmp_path / "tree.json"
    assert load_script("tree_memory").main([str(out), "--every", "0.1", "--", sys.executable, "-c", PARENT]) == 0
    result = json.loads(out.read_text())
    assert result["rc"] == 0 and result["peak_pss_gb"] >= 0.28
    child, = (name for name in result["own_peaks"] if "bytearray" in name)  # the child, by its command line
    assert result["own_peaks"][child][0] >= 0.28
    assert result["at_peak"][child] >= 0.28  # and it is what the tree's peak is made of
    assert all(result["own_peaks"][name][0] < 0.2 for name in result["own_peaks"] if name != child)
