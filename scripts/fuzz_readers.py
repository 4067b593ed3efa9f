#!/usr/bin/env python3
"""Fuzz every ingest reader for a fixed time: kg must never crash on input, only report it.

Each reader gets ``--minutes`` of Hypothesis-generated input: a real-shaped fixture of its
format (tests/data/ingest/) with random edits - bytes deleted, inserted, duplicated, truncated,
format tokens spliced in - or plain random bytes. For every input the reader runs to the end and
the invariants of ``tests/ingest/fuzzing.py`` are checked (no exception; every paper clean and
valid; every problem placed in the file and explained). A failing input is shrunk by Hypothesis
and saved under ``--out`` so that it can be replayed::

    .venv/bin/python scripts/fuzz_readers.py --minutes 10              # the long run, every reader
    .venv/bin/python scripts/fuzz_readers.py --minutes 1 --readers csv,bibtex
    .venv/bin/python scripts/fuzz_readers.py --replay tests/.cache/fuzz/csv-*.bin --reader csv

Prints one line per reader (inputs tried, papers and problems seen, failures) and exits 1 if
any input failed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "ingest"))
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from fuzzing import READERS, check_reader_on_bytes, mutated_input  # noqa: E402

BATCH = 500  # examples per Hypothesis run; runs repeat (new random seeds) until the time is up


def fuzz_reader(reader: str, seconds: float, out: Path, scratch: Path) -> dict:
    """Fuzz one reader for ``seconds``; return its counts and the failures found."""
    stats = {"reader": reader, "inputs": 0, "papers": 0, "problems": 0, "failures": []}
    deadline = time.monotonic() + seconds
    last_input: list[bytes] = [b""]

    @settings(max_examples=BATCH, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate, Phase.shrink])
    @given(data=mutated_input(reader))
    def run(data: bytes) -> None:
        if time.monotonic() > deadline:
            return
        last_input[0] = data
        papers, problems = check_reader_on_bytes(reader, data, folder=scratch)
        stats["inputs"] += 1
        stats["papers"] += papers
        stats["problems"] += problems

    while time.monotonic() < deadline:
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - a fuzzing failure of any kind is recorded, then fuzzing goes on
            data = last_input[0]
            digest = hashlib.sha1(data).hexdigest()[:12]
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{reader}-{digest}.bin"
            path.write_bytes(data)
            (out / f"{reader}-{digest}.txt").write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
            stats["failures"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''} -> {path}")
            if len(stats["failures"]) >= 5:
                break
    return stats


def replay(paths: list[str], reader: str) -> int:
    """Run one reader on saved inputs and show the first failure in full."""
    for name in paths:
        data = Path(name).read_bytes()
        try:
            papers, problems = check_reader_on_bytes(reader, data)
        except Exception:  # noqa: BLE001 - shown to the user, who is debugging
            print(f"{name}: FAILS")
            traceback.print_exc()
            return 1
        print(f"{name}: ok ({papers} papers, {problems} problems)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2.0, help="fuzzing time per reader (default: 2)")
    parser.add_argument("--readers", default=",".join(READERS), help=f"comma-separated reader names (default: all: {','.join(READERS)})")
    parser.add_argument("--out", default=str(ROOT / "tests" / ".cache" / "fuzz"), help="folder for failing inputs (default: tests/.cache/fuzz)")
    parser.add_argument("--replay", nargs="*", default=None, metavar="FILE", help="replay saved inputs instead of fuzzing")
    parser.add_argument("--reader", default=None, help="the reader to replay with")
    args = parser.parse_args(argv)
    if args.replay is not None:
        if args.reader not in READERS:
            parser.error(f"--replay needs --reader, one of {', '.join(READERS)}")
        return replay(args.replay, args.reader)
    readers = [r.strip() for r in args.readers.split(",") if r.strip()]
    unknown = sorted(set(readers) - set(READERS))
    if unknown:
        parser.error(f"unknown reader(s): {', '.join(unknown)}")
    out = Path(args.out)
    scratch = out / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    failed = 0
    total = 0
    print(f"{'reader':<10} {'inputs':>8} {'papers':>8} {'problems':>9} {'failures':>9} {'seconds':>8}")
    for reader in readers:
        t0 = time.monotonic()
        stats = fuzz_reader(reader, args.minutes * 60, out, scratch)
        total += stats["inputs"]
        failed += len(stats["failures"])
        print(f"{reader:<10} {stats['inputs']:>8} {stats['papers']:>8} {stats['problems']:>9} {len(stats['failures']):>9} {time.monotonic() - t0:>8.0f}", flush=True)
        for failure in stats["failures"]:
            print(f"    {failure}", flush=True)
    print(f"total inputs: {total}; failures: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
