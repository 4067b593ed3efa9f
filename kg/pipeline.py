"""``kg build`` and ``kg extract`` as library functions: the one data flow of kg.

    ingest (kg.ingest) -> extract (kg.extract) -> resolve (kg.resolve) -> build (kg.build)
        -> write: graph.ttl (kg.rdf), graph.json + graph.graphml (kg.graph), map.html (kg.render),
                  neo4j/ (kg.export), mentions.jsonl and summary.md (kg.summary), merges.tsv (kg.resolve.merges)

Every stage is a plain function of the previous stage's records; this module only wires them
together, times them and writes the outputs into one atomically switched folder
(:func:`kg.output.output_set`), so a failed or killed build leaves the previous outputs as they were.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.models import BuildStats, Extraction, KnowledgeGraph, Paper, Problem


class InputProblems(RuntimeError):
    """Raised under ``--strict`` when any input record was reported as malformed."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__(f"{len(problems)} malformed input record(s); --strict makes that a failure")
        self.problems = list(problems)


class NoPapers(RuntimeError):
    """The inputs held no readable paper."""


class BadOption(ValueError):
    """An option names something that does not exist (an RDF format, ...): found before any work."""


def check_options(options: BuildOptions) -> None:
    """Fail fast on options that would otherwise only fail after extraction has run."""
    from kg.rdf.formats import get_format

    try:
        get_format(options.rdf_format)
    except ValueError as exc:
        raise BadOption(str(exc)) from None


@dataclass
class BuildOptions:
    """Everything ``kg build`` can be told; the CLI maps its flags one to one onto these."""

    inputs: Sequence[str | Path] = ()  # empty: the bundled sample
    out: str | Path = "output"
    format: str | None = None  # reader name; None: detect per file
    fields: dict[str, str] = field(default_factory=dict)  # JSON/CSV field-name overrides
    strict: bool = False
    jobs: int | None = None  # None: the number of cores
    model: str | Path | None = None  # spaCy pipeline directory; None: the packaged one
    cache: bool = True
    cache_dir: str | Path | None = None  # None: <out>/.cache
    dask: str | None = None  # Dask scheduler address for distributed extraction
    rdf_format: str = "turtle"
    base_iri: str | None = None
    map_nodes: int | None = None  # cap on concepts drawn in map.html (None: renderer default)
    on_problem: Callable[[Problem], None] | None = None


@dataclass
class BuildResult:
    """What a finished build produced: the graph and the files written (final paths)."""

    kg: KnowledgeGraph
    out: Path
    files: dict[str, Path]
    summary: str


@contextmanager
def timed(stats: BuildStats, stage: str) -> Iterator[None]:
    """Add the wall time of the enclosed block to ``stats.stage_seconds[stage]``."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        stats.stage_seconds[stage] = stats.stage_seconds.get(stage, 0.0) + time.perf_counter() - t0


def load_inputs(options: BuildOptions, stats: BuildStats) -> dict[str, Paper]:
    """Ingest stage: read, report and de-duplicate the input papers."""
    from kg.ingest import SAMPLE_DIR, IngestReport, iter_papers

    inputs = list(options.inputs) or [SAMPLE_DIR]
    report = IngestReport(on_problem=options.on_problem)
    papers: dict[str, Paper] = {}
    for paper in iter_papers(inputs, format=options.format, fields=options.fields, report=report):
        papers[paper.id] = paper
    stats.records_read = report.records_read
    stats.duplicates = report.duplicates
    stats.skipped = report.skipped
    stats.problems = list(report.problems)
    stats.papers = len(papers)
    errors = [p for p in report.problems if p.severity == "error"]
    if options.strict and errors:
        raise InputProblems(errors)
    if not papers:
        raise NoPapers("no readable paper in " + ", ".join(str(i) for i in inputs))
    return papers


def run_extraction(papers: Sequence[Paper], options: BuildOptions, stats: BuildStats, cache_dir: Path | None) -> Sequence[Extraction]:
    """Extract stage: one :class:`Extraction` per paper, in input order, from the cache where possible.

    The result is kept encoded in an anonymous temporary file and decoded again on each pass
    (:class:`kg.extract.spill.SpilledExtractions`): between stages it takes about 35 MB per
    100,000 papers instead of about 0.7 GB as objects.
    """
    from kg.extract import extract_papers
    from kg.extract.spill import SpilledExtractions

    return SpilledExtractions({p.id: p for p in papers}, folder=cache_dir).extend(
        extract_papers(
            papers,
            model=options.model,
            jobs=options.jobs,
            cache_dir=cache_dir,
            dask_address=options.dask,
            stats=stats,
            on_problem=options.on_problem,
        )
    )


def default_cache_dir(options: BuildOptions) -> Path | None:
    """The extraction cache folder: ``--cache-dir``, else ``<out>/.cache``; None with ``--no-cache``."""
    if not options.cache:
        return None
    if options.cache_dir:
        return Path(options.cache_dir)
    return Path(options.out).resolve() / ".cache"


def build(options: BuildOptions) -> BuildResult:
    """Run the whole flow and write every output into ``options.out`` atomically.

    Raises :class:`InputProblems` (``--strict``), :class:`NoPapers`, or
    :class:`kg.output.OutputLocked`; in every failure case the previous outputs are untouched.
    """
    from kg.build import build_graph
    from kg.graph.build import to_networkx
    from kg.nlp import pipeline_version
    from kg.output import output_set
    from kg.resolve import resolve

    check_options(options)
    stats = BuildStats()
    out = Path(options.out).resolve()
    with output_set(out) as staging:
        with timed(stats, "ingest"):
            papers = load_inputs(options, stats)
        with timed(stats, "extract"):
            extractions = run_extraction(list(papers.values()), options, stats, default_cache_dir(options))
        with timed(stats, "resolve"):
            resolution = resolve(extractions, papers)
        with timed(stats, "build"):
            kg = build_graph(papers, extractions, resolution, extractor_version=pipeline_version(options.model))
            kg.stats = stats
            kg.extractor_version = pipeline_version(options.model)
            G = to_networkx(kg)
        files = write_outputs(kg, G, extractions, resolution, staging, options)
        summary = _summary(kg, G, files, out)
    final = {name: out / path.relative_to(staging) for name, path in files.items()}
    return BuildResult(kg=kg, out=out, files=final, summary=summary)


#: The Neo4j files are written by a forked second process only while the build process holds at
#: most this much memory: CPython writes the reference count of every object a process reads, so
#: the child ends up with its own copy of most of the graph's pages. A larger graph is written by
#: one process (at 100,000 papers the copy would be about 5 GB). The environment variable
#: ``KG_FORK_WRITERS_MAX_GB`` moves the limit (0: never fork), to trade memory for time.
FORK_WRITERS_MAX_RSS = 2.5 * 2**30


def write_outputs(kg: KnowledgeGraph, G, extractions: Sequence[Extraction], resolution, folder: Path, options: BuildOptions) -> dict[str, Path]:
    """Write every output shape into ``folder``; returns ``{output name: path}``.

    From here on the graph only lives on: it is frozen out of the cyclic collector's sight
    (``gc.freeze``), so no collection walks its millions of objects again. With more than one job
    (``options.jobs``, default the core count) and a build process small enough
    (:data:`FORK_WRITERS_MAX_RSS`, half of the free memory at most), the Neo4j files are written
    by a forked child process while this one writes the rest; every file is the same byte for
    byte either way, and an error in the child is raised here.
    """
    import gc

    from kg.export.neo4j_files import write_bulk_import
    from kg.graph.io import write_graphml, write_node_link
    from kg.rdf.write import write_rdf
    from kg.render.map import write_map
    from kg.resolve.merges import write_merges
    from kg.summary import write_mentions, write_summary

    stats = kg.stats
    neo4j = folder / "neo4j"
    local: list[tuple[str, Callable[[], dict[str, Path]]]] = [
        ("write:rdf", lambda: {"rdf": write_rdf(kg, folder, format=options.rdf_format, base_iri=options.base_iri)}),
        ("write:networkx", lambda: {"graph.json": write_node_link(G, folder / "graph.json"),
                                    "graph.graphml": write_graphml(G, folder / "graph.graphml")}),
        ("write:map", lambda: {"map.html": write_map(G, folder / "map.html", max_concepts=options.map_nodes)}),
    ]
    neo4j_task = ("write:neo4j", lambda: {"neo4j": write_bulk_import(G, neo4j, cypher=neo4j / "import.cypher")})
    tail: list[tuple[str, Callable[[], dict[str, Path]]]] = [
        ("write:mentions", lambda: {"mentions.jsonl": write_mentions(kg, extractions, resolution, folder / "mentions.jsonl")}),
        ("write:merges", lambda: {"merges.tsv": write_merges(getattr(resolution, "merges", ()), folder / "merges.tsv")}),
    ]
    files: dict[str, Path] = {}
    gc.freeze()
    try:
        child = _fork_writer(neo4j_task) if _writer_processes(options) > 1 else None
        try:
            for stage, write in local if child else [*local, neo4j_task]:
                with timed(stats, stage):
                    files.update(write())
            if child is not None:  # the stage table keeps the one-process order
                stats.stage_seconds.setdefault(neo4j_task[0], 0.0)
            for stage, write in tail:
                with timed(stats, stage):
                    files.update(write())
        except BaseException:
            if child is not None:
                _stop_writer(child)
            raise
        if child is not None:
            seconds, written = _join_writer(child)
            stats.stage_seconds[neo4j_task[0]] = stats.stage_seconds.get(neo4j_task[0], 0.0) + seconds
            files.update(written)
        files = {name: files[name] for name in ("rdf", "graph.json", "graph.graphml", "map.html", "neo4j", "mentions.jsonl", "merges.tsv")}
        files["summary.md"] = write_summary(kg, G, folder / "summary.md")
    finally:
        gc.unfreeze()
    return files


def _writer_processes(options: BuildOptions) -> int:
    """2 when a forked writer pays and fits (see :data:`FORK_WRITERS_MAX_RSS`), else 1."""
    import os

    jobs = options.jobs if options.jobs is not None else len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if jobs < 2 or not hasattr(os, "fork") or _other_threads():  # forking a threaded process is unsafe
        return 1
    limit = FORK_WRITERS_MAX_RSS
    if os.environ.get("KG_FORK_WRITERS_MAX_GB"):
        try:
            limit = float(os.environ["KG_FORK_WRITERS_MAX_GB"]) * 2**30
        except ValueError:
            raise BadOption(f"KG_FORK_WRITERS_MAX_GB must be a number of GB, not {os.environ['KG_FORK_WRITERS_MAX_GB']!r}") from None
    rss, available = _memory_kb("/proc/self/status", "VmRSS"), _memory_kb("/proc/meminfo", "MemAvailable")
    if rss is None or available is None:
        return 1
    return 2 if rss * 1024 <= min(limit, available * 1024 / 2) else 1


def _other_threads() -> bool:
    """Whether threads besides this one run (a Dask client's, a server's): then no fork."""
    import threading

    return threading.active_count() > 1


def _memory_kb(path: str, field: str) -> int | None:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass
class _Writer:
    """A forked writer process: its pid and the pipe it reports on."""

    pid: int
    fd: int
    stage: str


def _fork_writer(task: tuple[str, Callable[[], dict[str, Path]]]) -> _Writer:
    """Run ``task`` in a forked child that reports ``(seconds, files)`` or the exception it raised."""
    import os
    import pickle
    import traceback

    stage, write = task
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, report, and leave without running the parent's cleanup
        code = 0
        try:
            os.close(read_fd)
            t0 = time.perf_counter()
            written = write()
            report = ("ok", (time.perf_counter() - t0, written))
        except BaseException as exc:  # everything goes back to the parent, which raises it
            code = 1
            try:
                pickle.dumps(exc)
                report = ("error", exc)
            except Exception:
                report = ("error", RuntimeError(f"{stage} failed in its process:\n{traceback.format_exc()}"))
        try:
            data = pickle.dumps(report)
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(code)
    os.close(write_fd)
    return _Writer(pid, read_fd, stage)


def _join_writer(child: _Writer) -> tuple[float, dict[str, Path]]:
    """Wait for a forked writer; its ``(seconds, files)``, or its exception raised here."""
    import os
    import pickle

    chunks = []
    try:
        while chunk := os.read(child.fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(child.fd)
        _, status = os.waitpid(child.pid, 0)
    if not chunks:
        raise RuntimeError(f"{child.stage}: its writer process ended without a report ({_exit_text(status)})")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise value
    return value


def _stop_writer(child: _Writer) -> None:
    """Kill a forked writer (this process is failing) and reap it."""
    import os
    import signal

    try:
        os.kill(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.close(child.fd)
    os.waitpid(child.pid, 0)


def _exit_text(status: int) -> str:
    import os

    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _summary(kg: KnowledgeGraph, G, files: dict[str, Path], out: Path) -> str:
    from kg.summary import summary_text

    return summary_text(kg, G, {name: out / path.name for name, path in files.items()})


def extract_records(path: str | Path, *, model: str | Path | None = None, jobs: int | None = None, on_problem=None) -> Iterator[dict[str, Any]]:
    """``kg extract``: one ``{"id", "entities": [...]}`` dict per input record, in input order.

    Records are ``{"id", "text"}`` (offsets into ``text`` as given) or ``{"id", "title",
    "abstract"}`` (offsets into ``title + "\\n" + abstract``). Extraction and resolution only.
    """
    from kg.extract import extract_papers
    from kg.ingest import IngestReport
    from kg.ingest.records import iter_text_records
    from kg.resolve import resolve

    report = IngestReport(on_problem=on_problem)
    records = list(iter_text_records(path, report))  # [(id, text)]
    papers = [_paper_for_text(i, rid, text) for i, (rid, text) in enumerate(records)]
    extractions = list(extract_papers(papers, model=model, jobs=jobs, cache_dir=None))
    resolution = resolve(extractions, {p.id: p for p in papers})
    for (rid, text), paper, ext in zip(records, papers, extractions):
        entities = []
        for i, m in enumerate(ext.mentions):
            if m.end > len(text):  # a mention in the padding newline cannot happen, but never emit one
                continue
            concept = resolution.concept_of(ext.paper_id, i)
            if concept is None:
                continue
            entities.append({"start": m.start, "end": m.end, "label": m.label, "text": m.text, "concept": concept})
        yield {"id": rid, "entities": entities}


def _paper_for_text(index: int, record_id: str, text: str) -> Paper:
    """A :class:`Paper` whose ``text`` starts with ``text`` exactly (offsets stay valid).

    ``Paper.text`` is ``title + "\\n" + abstract``: split at the first newline and the text is
    reproduced exactly; with no newline, the text becomes the title and one newline is appended.
    """
    title, sep, abstract = text.partition("\n")
    return Paper(id=f"record:{index}", title=title, abstract=abstract, source_id=record_id)
