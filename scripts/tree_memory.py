"""Run a command and sample the memory (PSS) of every process of its tree: the whole tree's peak,
each process's share at that moment, and each process's own peak.

``scripts/bench_build.py`` reports the tree's peak per build stage; this says *which process*
holds it (the build itself, the Oxigraph loader, extraction workers, a forked writer), which is
what deciding where to cut needs. PSS, not RSS: a forked child shares its parent's pages, and
PSS gives each process its share. Sampled every ``--every`` seconds (0.5 by default): a peak
shorter than that can be missed.

Usage::

    python scripts/tree_memory.py OUT.json -- kg -q build a.jsonl b.jsonl --update --out OUT

Writes OUT.json (and prints it): exit status, wall and CPU seconds (of the whole tree), the peak
in GB and when it came, ``at_peak`` (process -> GB at that moment) and ``own_peaks`` (process ->
[GB, seconds from the start]) for processes that reached ``--min-gb``. A process is named by its
pid, parent pid, when it was first seen and the end of its command line.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def tree_pss(pid: int) -> dict:
    """PSS in bytes of each process (``psutil.Process``) of the tree rooted at ``pid``; empty
    when it is gone. Falls back to RSS where the kernel has no ``smaps``."""
    import psutil

    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    sizes = {}
    for p in tree:
        try:
            try:
                sizes[p] = p.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                sizes[p] = p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return sizes


def main(argv: list[str] | None = None) -> int:
    import psutil

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file to write")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between samples (default 0.5)")
    parser.add_argument("--min-gb", type=float, default=0.125, help="list own peaks from this size (default 0.125)")
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        parser.error("give the command after --")
    args = parser.parse_args(argv[: argv.index("--")])
    command = argv[argv.index("--") + 1:]
    t0 = time.time()
    proc = subprocess.Popen(command)
    peak, at_peak, when = 0, {}, 0.0
    own: dict[int, tuple[int, float]] = {}
    names: dict[int, str] = {}
    while proc.poll() is None:
        sizes = tree_pss(proc.pid)
        if not sizes:
            break
        now = time.time() - t0
        sample = {p.pid: size for p, size in sizes.items()}
        for p in sizes:
            if p.pid not in names:
                try:
                    names[p.pid] = f"{p.pid} ppid={p.ppid()} t={now:.0f}s " + " ".join(p.cmdline())[-90:]
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
        for pid, value in sample.items():
            if value > own.get(pid, (0, 0.0))[0]:
                own[pid] = (value, round(now, 1))
        if sum(sample.values()) > peak:
            peak, at_peak, when = sum(sample.values()), sample, now
        time.sleep(args.every)
    proc.wait()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    gb = lambda value: round(value / 2**30, 2)  # noqa: E731
    result = {
        "command": command, "rc": proc.returncode, "wall_s": round(time.time() - t0, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_pss_gb": gb(peak), "peak_at_s": round(when, 1),
        "at_peak": {names.get(pid, str(pid)): gb(v) for pid, v in sorted(at_peak.items(), key=lambda kv: -kv[1])},
        "own_peaks": {names.get(pid, str(pid)): [gb(v), t] for pid, (v, t) in sorted(own.items(), key=lambda kv: -kv[1][0])
                      if v >= args.min_gb * 2**30},
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
