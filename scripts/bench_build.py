"""Whole ``kg build`` at several corpus sizes: wall time per stage, peak memory, and a rebuild.

For each size N it writes the corpus with ``scripts/make_bench_corpus.py`` (real abstracts,
copied with distinct ids and texts), runs ``kg -q build`` in a child process with a fresh
output folder, samples the memory (PSS) of the whole process tree (the build and its
worker processes) every 0.2 s, and reads the per-stage seconds from ``summary.md``.
With ``--rebuild`` it then adds 1,000 papers the corpus does not contain and builds again
into the same folder (the extraction cache in ``OUT/.cache`` is warm): the incremental case.
With ``--update N`` it adds N new papers as ``kg build --update`` (the update path: ids and
state of the previous build kept, kg.build_state) and, in the same run, builds the same
inputs clean into a fresh folder with the same warm cache: the baseline the update is
measured against.

Results go to stdout as Markdown tables and to ``WORKDIR/results-<N>.json``.
CPU seconds (user + system of the whole tree) are reported beside wall seconds because
the benchmark machine is shared: wall time depends on what else runs, CPU time much less.

Usage::

    python scripts/bench_build.py 1000 10000 --workdir bench --rebuild
    python scripts/bench_build.py 10000 --workdir bench --update 1000
    python scripts/bench_build.py 10000 --workdir bench --update 1000 --cache-from CACHE  # clean build warm
    python scripts/bench_build.py 20000 --workdir bench --update 1000 --corpus ../shared/corpora/arxiv_ml.jsonl.gz
    nohup python scripts/bench_build.py 100000 --workdir bench --rebuild > bench/100k.log 2>&1 &
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from tree_memory import tree_pss  # noqa: E402 - a script beside this one

NEW_PAPERS = 1000


def make_corpus(path: Path, size: int, start: int = 0, source: Path | None = None) -> Path:
    """Records ``start`` to ``start + size`` of the benchmark corpus (``make_bench_corpus.py``),
    or, with ``source``, of that JSON Lines file (``.gz`` too), e.g. the shared corpus of real
    arXiv abstracts: its distinct texts make resolution and the graph grow as a field does, which
    the bench corpus, repeating a few thousand texts, does not (at 10,000 papers it gives 30,549
    concepts; 20,000 real abstracts give 101,066)."""
    if path.exists():
        return path
    if source is None:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_bench_corpus.py"), str(size), "--start", str(start), "-o", str(path)], check=True)
        return path
    import gzip
    from itertools import islice

    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as src:
        lines = list(islice(src, start, start + size))
    if len(lines) < size:
        raise SystemExit(f"{source} has {start + len(lines)} records, fewer than the {start + size} asked for")
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)
    return path


def _tree_memory(pid: int) -> int:
    """Memory of the process tree rooted at ``pid``: the sum of each process's PSS
    (:func:`tree_memory.tree_pss`).

    PSS, not RSS: a forked writer shares its parent's pages copy-on-write, and summing RSS would
    count those pages twice (PSS gives each process its share)."""
    return sum(tree_pss(pid).values())


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(argv: list[str]) -> int:
    """Run ``kg build`` (same arguments) in this process, also recording CPU seconds per stage
    (``kg.pipeline.timed`` records wall seconds only) into ``OUT.stage-cpu.json``; with
    ``--profile FILE`` first, under pyinstrument, writing its text report to FILE."""
    from contextlib import contextmanager

    import kg.pipeline
    from kg.cli import main as kg_main

    profile = None
    if argv[:1] == ["--profile"]:
        profile, argv = argv[1], argv[2:]
    cpu: dict[str, float] = {}
    peak_mb: dict[str, float] = {}  # peak RSS of the build process (not its workers) at the end of each stage
    wall_timed = kg.pipeline.timed

    out = Path(argv[argv.index("--out") + 1])
    stage_file = Path(f"{out}.stage")

    @contextmanager
    def timed(stats, stage):
        stage_file.write_text(stage)
        c0 = _cpu()
        try:
            with wall_timed(stats, stage):
                yield
        finally:
            cpu[stage] = cpu.get(stage, 0.0) + _cpu() - c0
            peak_mb[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    kg.pipeline.timed = timed
    if profile:
        from pyinstrument import Profiler

        with Profiler(interval=0.01) as profiler:
            rc = kg_main(argv)
        Path(profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    else:
        rc = kg_main(argv)
    Path(f"{out}.stage-cpu.json").write_text(json.dumps({"cpu": cpu, "peak_mb": peak_mb}, indent=2))
    return rc


def run_build(inputs: list[Path], out: Path, jobs: int | None, log: Path, extra: list[str], profile: Path | None = None, max_rss_gb: float = 12.0) -> dict:
    """Run ``kg -q build`` in a child process; measure wall seconds, CPU seconds and peak memory
    (PSS) of the process tree (overall and per stage), and read wall and CPU seconds per stage.

    The tree is killed when its memory (PSS) passes ``max_rss_gb`` (the machine is shared: a build that
    would take all its memory is stopped, and the stage it had reached is reported)."""
    import signal

    import psutil

    cmd = [sys.executable, __file__, "--child", *(["--profile", str(profile)] if profile else []), "-q", "build", *map(str, inputs), "--out", str(out), *extra]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    peak = 0
    stage_peak: dict[str, int] = {}
    stage_file = Path(f"{out}.stage")
    stage_file.unlink(missing_ok=True)
    killed: list[str] = []
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                rss = _tree_memory(proc.pid)
                stage = stage_file.read_text() if stage_file.exists() else "start"
                peak = max(peak, rss)
                stage_peak[stage] = max(stage_peak.get(stage, 0), rss)
                if rss > max_rss_gb * 2**30 and not killed:
                    killed.append(f"{stage} at {rss / 2**30:.1f} GB (PSS) after {time.perf_counter() - t0:.0f} s")
                    for p in [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]:
                        try:
                            p.send_signal(signal.SIGKILL)
                        except psutil.NoSuchProcess:
                            continue
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        stop.set()
        sampler.join()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if killed:
        return {"killed": killed[0], "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak / 2**20, "stage_tree_peak_mb": {k: v / 2**20 for k, v in stage_peak.items()}, "cmd": " ".join(cmd)}
    if rc != 0:
        raise SystemExit(f"kg build failed with exit code {rc}; see {log}")
    per_stage = json.loads(Path(f"{out}.stage-cpu.json").read_text())
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak / 2**20,
        "stages": read_stages(out / "timings.json"),
        "stage_cpu": per_stage["cpu"],
        "stage_peak_mb": per_stage["peak_mb"],
        "stage_tree_peak_mb": {k: v / 2**20 for k, v in stage_peak.items()},
        "cmd": " ".join(cmd),
    }


def read_stages(timings: Path) -> dict[str, float]:
    """The seconds per stage a build wrote to timings.json."""
    return json.loads(timings.read_text(encoding="utf-8"))["seconds"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--workdir", default="bench", help="corpora, outputs, logs and results (default: bench/)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to kg build (default: its own default, the core count)")
    parser.add_argument("--rebuild", action="store_true", help=f"then add {NEW_PAPERS} new papers and build again with the warm cache")
    parser.add_argument("--update", type=int, default=0, metavar="N",
                        help="then add N new papers with kg build --update, and build the same inputs clean (warm cache) to compare")
    parser.add_argument("--keep", action="store_true", help="keep the output folders")
    parser.add_argument("--build-arg", action="append", default=[], help="extra argument for kg build (repeatable)")
    parser.add_argument("--max-rss-gb", type=float, default=12.0, help="kill a build whose process tree passes this much memory, PSS (default 12)")
    parser.add_argument("--profile", action="store_true", help="profile each clean build with pyinstrument (WORKDIR/profile-N.txt)")
    parser.add_argument("--corpus", type=Path, default=None, metavar="FILE",
                        help="take the papers from this JSON Lines file (.gz too), the first N for size N and the next ones as the "
                             "new papers, e.g. ../shared/corpora/arxiv_ml.jsonl.gz (default: scripts/make_bench_corpus.py)")
    parser.add_argument("--cache-from", type=Path, default=None, metavar="DIR",
                        help="copy this extraction cache into OUT/.cache before the clean build (a warm clean build: "
                             "the first N papers' extractions; the new papers of --update/--rebuild must not be in it)")
    args = parser.parse_args(argv)

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; load average {os.getloadavg()[0]:.1f}", flush=True)
    for size in args.sizes:
        tag = "" if args.corpus is None else "-" + args.corpus.name.split(".")[0]
        corpus = make_corpus(work / f"corpus{tag}-{size}.jsonl", size, source=args.corpus)
        out = work / f"out-{size}"
        shutil.rmtree(out, ignore_errors=True)
        if args.cache_from is not None:
            shutil.copytree(args.cache_from, out / ".cache")
        result = {"papers": size, "clean": run_build([corpus], out, args.jobs, work / f"build-{size}.log", args.build_arg, work / f"profile-{size}.txt" if args.profile else None, args.max_rss_gb)}
        result["clean"]["load_avg"] = os.getloadavg()[0]
        _report(size, "clean build", result["clean"])
        if args.rebuild and "killed" not in result["clean"]:
            new = make_corpus(work / f"new{tag}-{size}-{NEW_PAPERS}.jsonl", NEW_PAPERS, start=size, source=args.corpus)
            result["rebuild"] = run_build([corpus, new], out, args.jobs, work / f"rebuild-{size}.log", args.build_arg, None, args.max_rss_gb)
            result["rebuild"]["load_avg"] = os.getloadavg()[0]
            _report(size, f"rebuild + {NEW_PAPERS} new papers", result["rebuild"])
        if args.update and "killed" not in result["clean"]:
            new = make_corpus(work / f"new{tag}-{size}-{args.update}.jsonl", args.update, start=size, source=args.corpus)
            result["update"] = run_build([corpus, new], out, args.jobs, work / f"update-{size}.log", [*args.build_arg, "--update"], None, args.max_rss_gb)
            result["update"]["load_avg"] = os.getloadavg()[0]
            _report(size, f"update + {args.update} new papers (kg build --update)", result["update"])
            baseline = work / f"out-{size}-clean"
            shutil.rmtree(baseline, ignore_errors=True)
            result["clean_rebuild"] = run_build([corpus, new], baseline, args.jobs, work / f"clean-rebuild-{size}.log",
                                                [*args.build_arg, "--cache-dir", str(out / ".cache")], None, args.max_rss_gb)
            result["clean_rebuild"]["load_avg"] = os.getloadavg()[0]
            _report(size, f"clean build of the same {size + args.update} papers (warm cache, no previous state)", result["clean_rebuild"])
            if not args.keep:
                shutil.rmtree(baseline, ignore_errors=True)
        (work / f"results-{size}.json").write_text(json.dumps(result, indent=2))
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return 0


def _report(size: int, what: str, r: dict) -> None:
    if "killed" in r:
        print(f"\n### {size:,} papers, {what}: KILLED in stage {r['killed']} (peak memory (PSS) per stage: " + ", ".join(f"{k} {v:,.0f} MB" for k, v in r["stage_tree_peak_mb"].items()) + ")")
        sys.stdout.flush()
        return
    print(f"\n### {size:,} papers, {what}: {r['wall_s']:.0f} s wall, {r['cpu_s']:.0f} CPU s, peak memory {r['peak_rss_mb']:,.0f} MB (load average {r['load_avg']:.1f})")
    print("| stage | wall s | CPU s | peak memory of the process tree in the stage (PSS, MB) |\n|---|---:|---:|---:|")
    for stage, sec in r["stages"].items():
        if stage not in r["stage_cpu"]:  # written by a forked child while the parent wrote the stages above
            print(f"| {stage} | {sec:.1f} | in a forked child, alongside the stages above | included above |")
            continue
        print(f"| {stage} | {sec:.1f} | {r['stage_cpu'][stage]:.1f} | {r['stage_tree_peak_mb'].get(stage, float('nan')):,.0f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
