"""No single record makes ``kg build`` take more than about 1 GB over its normal footprint.

Each build runs as a child of a small Python wrapper that prints the child's peak RSS
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``): a fresh wrapper, so no earlier child of
the test process counts. The child also runs under an address-space limit, so a regression
fails the test (rc != 0) instead of taking the machine's memory: before the fix a 1 MB
abstract took 2.35 GB and a 100 MB JSON line 16.5 GB (issue 16).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

#: Address space the build may reserve (spaCy, numpy and OpenBLAS reserve more than they use).
ADDRESS_SPACE = 4 * 2**30
#: Peak RSS a build with one oversized record may take over the same build without it.
BOUND = 2**30

WORDS = "We train graph neural networks with Adam on ImageNet and report top-1 accuracy for image classification. "

_WRAPPER = """
import resource, subprocess, sys
limit = int(sys.argv[1])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
proc = subprocess.run(sys.argv[2:], preexec_fn=cap, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
sys.stderr.write(proc.stderr)
print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def _text(n: int) -> str:
    return (WORDS * (n // len(WORDS) + 1))[:n]


def _peak_build(path, out) -> tuple[int, int, str]:
    """(exit code, peak RSS in bytes, stderr) of ``kg build path --out out`` in a fresh process."""
    cmd = [sys.executable, "-c", _WRAPPER, str(ADDRESS_SPACE), sys.executable, "-m", "kg", "build", str(path), "--out", str(out), "--no-cache", "--jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    rc, peak = proc.stdout.split()
    return int(rc), int(peak), proc.stderr


def _small_record() -> dict:
    return {"id": "s1", "title": "Deep residual learning", "abstract": "We train ResNet on ImageNet and report accuracy."}


def _jsonl(path, big: dict) -> None:
    path.write_text(json.dumps(_small_record()) + "\n" + json.dumps(big) + "\n")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> int:
    folder = tmp_path_factory.mktemp("baseline")
    _jsonl(folder / "in.jsonl", {"id": "s2", "title": "Attention for translation", "abstract": _text(2_000)})
    rc, peak, err = _peak_build(folder / "in.jsonl", folder / "out")
    assert rc == 0, err
    return peak


def _one_megabyte_abstract(path) -> None:
    _jsonl(path, {"id": "big", "title": "A long one", "abstract": _text(1_000_000)})


def _ten_megabyte_csv_field(path) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title", "abstract"])
        writer.writerow(["s1", "Deep residual learning", "We train ResNet on ImageNet."])
        writer.writerow(["big", "A long one", _text(10_000_000)])


def _hundred_megabyte_json_line(path) -> None:
    _jsonl(path, {"id": "big", "title": "A long one", "abstract": _text(100_000_000)})


def _openalex_two_million_positions(path) -> None:
    words = WORDS.split()
    index: dict[str, list[int]] = {}
    for position in range(2_000_000):
        index.setdefault(words[position % len(words)], []).append(position)
    work = {"id": "https://openalex.org/W2", "title": "A long one", "abstract_inverted_index": index}
    small = {"id": "https://openalex.org/W1", "title": "Deep residual learning", "abstract_inverted_index": {"We": [0], "train": [1], "ResNet": [2]}}
    path.write_text(json.dumps(small) + "\n" + json.dumps(work) + "\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, make, expected",
    [
        ("abstract.jsonl", _one_megabyte_abstract, "abstract of 1,000,000 characters"),
        ("field.csv", _ten_megabyte_csv_field, "abstract of 10,000,000 characters"),
        ("line.jsonl", _hundred_megabyte_json_line, "not parsed"),
        ("works.jsonl", _openalex_two_million_positions, "2,000,000 positions"),
    ],
)
def test_one_oversized_record_stays_within_a_gigabyte(tmp_path, baseline, name, make, expected):
    path = tmp_path / name
    make(path)
    rc, peak, err = _peak_build(path, tmp_path / "out")
    assert rc == 0, err[-2000:]
    assert expected in err and f"{name}:" in err  # reported with its file and line
    assert peak - baseline < BOUND, f"peak {peak / 2**20:.0f} MB, baseline {baseline / 2**20:.0f} MB"
