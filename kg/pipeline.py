"""``kg build`` and ``kg extract`` as library functions: the one data flow of kg.

    ingest (kg.ingest) -> extract (kg.extract) -> resolve (kg.resolve) -> build (kg.build)
        -> write: graph.ttl (kg.rdf), graph.json + graph.graphml (kg.graph), map.html (kg.render),
                  neo4j/ (kg.export), mentions.jsonl, summary.md and timings.json (kg.summary), merges.tsv (kg.resolve.merges),
                  changes.jsonl (kg.resolve.stable_ids), .kg-state/ (kg.build_state: ids kept for the next build)

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

    from kg.rdf.oxstore import wants_store

    try:
        get_format(options.rdf_format)
        wants_store(options.oxigraph, 0)
    except ValueError as exc:
        raise BadOption(str(exc)) from None


@dataclass
class BuildOptions:
    """Everything ``kg build`` can be told; the CLI maps its flags one to one onto these."""

    inputs: Sequence[str | Path] = ()  # empty: the bundled sample
    out: str | Path = "output"
    format: str | None = None  # reader name; None: detect per file
    fields: dict[str, str] = field(default_factory=dict)  # JSON/CSV field-name overrides
    s2_nested: bool = False  # read the citations/references nested in Semantic Scholar papers as papers
    strict: bool = False
    jobs: int | None = None  # None: the number of cores
    model: str | Path | None = None  # spaCy pipeline directory; None: the packaged one
    cache: bool = True
    cache_dir: str | Path | None = None  # None: <out>/.cache
    dask: str | None = None  # Dask scheduler address for distributed extraction
    rdf_format: str = "turtle"
    base_iri: str | None = None
    map_nodes: int | None = None  # cap on concepts drawn in map.html (None: renderer default)
    oxigraph: str = "auto"  # write the Oxigraph store: auto (from kg.rdf.oxstore.STORE_MIN_PAPERS papers), yes, no
    update: bool = False  # require an update of the previous build in ``out`` (kg.build_state), else fail before extraction
    on_problem: Callable[[Problem], None] | None = None


@dataclass
class BuildResult:
    """What a finished build produced: the graph and the files written (final paths)."""

    kg: KnowledgeGraph
    out: Path
    files: dict[str, Path]
    summary: str
    kind: str = "clean"  # clean, update or rebuild (kg.build_state.build_kind)
    changes: str = ""  # what changed since the previous build (kg.build_state.change_report)


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
    for paper in iter_papers(inputs, format=options.format, fields=options.fields, report=report,
                             s2_nested=options.s2_nested):
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

    Raises :class:`kg.output.UnsafeOutput` before any work when ``options.out`` is not a folder
    kg may replace (:func:`kg.output.check_output_folder`), :class:`InputProblems`
    (``--strict``), :class:`NoPapers`, :class:`kg.build_state.NotAnUpdate` (``--update`` without
    a previous build to update; before extraction) or :class:`kg.output.OutputLocked`; in every
    failure case the previous outputs and build state are untouched.

    Concept ids are kept from the previous build in ``out`` (its ``.kg-state``, see
    :mod:`kg.build_state` and :mod:`kg.resolve.stable_ids`); the new state is written with the
    outputs and switched in with them.
    """
    from kg.build import build_graph
    from kg.build_state import BuildState, NotAnUpdate, build_kind, change_report, read_state, why_not_update, write_state
    from kg.graph.build import to_networkx
    from kg.ingest import SAMPLE_DIR
    from kg.nlp import pipeline_version
    from kg.output import check_output_folder, output_set
    from kg.resolve import RESOLVER_VERSION, resolve
    from kg.resolve.stable_ids import apply_ids, assign_ids

    inputs = list(options.inputs) or [SAMPLE_DIR]
    out = check_output_folder(options.out, inputs)
    check_options(options)
    stats = BuildStats()
    with output_set(out, inputs=inputs) as staging:
        previous = read_state(out)  # under the folder's lock
        with timed(stats, "ingest"):
            papers = load_inputs(options, stats)
        version = pipeline_version(options.model)
        kind = build_kind(previous, papers, version, RESOLVER_VERSION)
        if options.update and kind != "update":
            raise NotAnUpdate(f"--update: {why_not_update(previous, papers, version, RESOLVER_VERSION)}; nothing was written")
        with timed(stats, "extract"):
            extractions = run_extraction(list(papers.values()), options, stats, default_cache_dir(options))
        with timed(stats, "resolve"):
            resolution = resolve(extractions, papers)
        with timed(stats, "ids"):
            assignment = assign_ids(resolution.concepts, previous.ids if previous is not None else None)
            apply_ids(resolution, assignment.rename)
        with timed(stats, "build"):
            kg = build_graph(papers, extractions, resolution, extractor_version=version)
            kg.stats = stats
            kg.extractor_version = version
            kg.redirects = assignment.redirects
            G = to_networkx(kg)
        files = write_outputs(kg, G, extractions, resolution, staging, options, changes=assignment.changes)
        write_state(BuildState(version, RESOLVER_VERSION, sorted(papers), assignment.table), staging)
        summary = _summary(kg, G, files, out)
        changes = change_report(kind, previous, papers, kg.concepts, assignment)
    final = {name: out / path.relative_to(staging) for name, path in files.items()}
    return BuildResult(kg=kg, out=out, files=final, summary=summary, kind=kind, changes=changes)


#: The Neo4j files are written by a forked second process only while the build process holds at
#: most this much memory: CPython writes the reference count of every object a process reads, so
#: the child ends up with its own copy of most of the graph's pages. A larger graph is written by
#: one process (at 100,000 papers the copy would be about 5 GB). The environment variable
#: ``KG_FORK_WRITERS_MAX_GB`` moves the limit (0: never fork), to trade memory for time.
FORK_WRITERS_MAX_RSS = 2.5 * 2**30


def write_outputs(kg: KnowledgeGraph, G, extractions: Sequence[Extraction], resolution, folder: Path, options: BuildOptions,
                  changes: Sequence = ()) -> dict[str, Path]:
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
    from kg.rdf.oxstore import start_store, stop_store, wants_store
    from kg.rdf.write import write_rdf
    from kg.render.map import write_map
    from kg.resolve.merges import write_merges
    from kg.resolve.stable_ids import write_changes
    from kg.summary import write_mentions, write_summary, write_timings

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
        ("write:merges", lambda: {"merges.tsv": write_merges(getattr(resolution, "merges", ()), folder / "merges.tsv"),
                                  "changes.jsonl": write_changes(changes, folder / "changes.jsonl")}),
    ]
    files: dict[str, Path] = {}
    store = None
    gc.freeze()
    try:
        child = _fork_writer(neo4j_task) if _writer_processes(options) > 1 else None
        try:
            for stage, write in local if child else [*local, neo4j_task]:
                with timed(stats, stage):
                    files.update(write())
                if stage == "write:rdf" and wants_store(options.oxigraph, len(kg.papers)):
                    # loaded by its own process while the other files are written
                    store = start_store(files["rdf"])
                    if options.jobs == 1:
                        store = _store_done(stats, store, files)
            if child is not None:  # the stage table keeps the one-process order
                stats.stage_seconds.setdefault(neo4j_task[0], 0.0)
            for stage, write in tail:
                with timed(stats, stage):
                    files.update(write())
            if store is not None:
                store = _store_done(stats, store, files)
        except BaseException:
            if child is not None:
                _stop_writer(child)
            if store is not None:
                stop_store(store)
            raise
        if child is not None:
            seconds, written = _join_writer(child)
            stats.stage_seconds[neo4j_task[0]] = stats.stage_seconds.get(neo4j_task[0], 0.0) + seconds
            files.update(written)
        names = ("rdf", "oxigraph", "graph.json", "graph.graphml", "map.html", "neo4j", "mentions.jsonl", "merges.tsv", "changes.jsonl")
        files = {name: files[name] for name in names if name in files}
        files["summary.md"] = write_summary(kg, G, folder / "summary.md")
        files["timings.json"] = write_timings(stats, folder / "timings.json")
    finally:
        gc.unfreeze()
    return files


def _store_done(stats: BuildStats, store, files: dict[str, Path]) -> None:
    """Wait for the store writer; its time (from its start, while other files were written) is
    the ``write:oxigraph`` stage, the time spent waiting for it ``write:oxigraph-wait``."""
    from kg.rdf.oxstore import finish_store

    t0 = time.perf_counter()
    seconds, files["oxigraph"] = finish_store(store)
    stats.stage_seconds["write:oxigraph"] = seconds
    stats.stage_seconds["write:oxigraph-wait"] = time.perf_counter() - t0
    return None


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


def extract_records(inputs: str | Path | Sequence[str | Path], *, model: str | Path | None = None, jobs: int | None = None,
                    on_problem=None, format: str | None = None, fields: dict[str, str] | None = None,
                    report=None, s2_nested: bool = False) -> Iterator[dict[str, Any]]:
    """``kg extract``: one ``{"id", "entities": [...]}`` dict per input record, in input order.

    ``inputs`` are what ``kg build`` takes: files and folders, in any format it reads. A JSON
    Lines file of text records - ``{"id", "text"}`` (offsets into ``text`` as given) or ``{"id",
    "title", "abstract"}`` (offsets into ``title + "\\n" + abstract``) - is read as such, its texts
    untouched; every other input is read by :func:`kg.ingest.iter_papers` (cleaned and
    de-duplicated, as for a build; ``s2_nested`` as for a build), and its records are ``(source id
    or kg id, title + "\\n" + abstract)``. Extraction and resolution only. Raises :class:`NoPapers` when nothing was readable.
    """
    from kg.extract import extract_papers
    from kg.ingest import IngestReport
    from kg.resolve import resolve

    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    report = report if report is not None else IngestReport(on_problem=on_problem)
    records = list(_text_records(list(inputs), format, fields or {}, report, s2_nested))  # [(id, text)]
    if not records:
        raise NoPapers("no readable record in " + ", ".join(str(i) for i in inputs))
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
            entities.append({"start": m.start, "end": m.end, "label": m.label, "text": m.text, "concept": concept, "score": m.score})
        yield {"id": rid, "entities": entities}


def _is_text_records_file(path: Path) -> bool:
    """A JSON Lines file whose first record is a ``kg extract`` text record (``id`` + ``text``,
    or ``id`` + ``title``/``abstract`` with no other paper fields)."""
    from kg.ingest.jsonio import loads_line
    from kg.ingest.registry import detect_format
    from kg.ingest.source import open_binary

    try:
        with open_binary(path) as fh:
            head = fh.read(1 << 16)
    except (OSError, EOFError):
        return False
    if detect_format(path, head[:4096]) != "jsonl":
        return False
    for line in head.decode("utf-8", "replace").splitlines():
        if line.strip():
            try:
                record = loads_line(line)
            except ValueError:
                return True  # reported, line by line, by the text-record reader
            return isinstance(record, dict) and "id" in record and ("text" in record or "title" in record or "abstract" in record)
    return True


def _text_records(inputs: list[str | Path], format: str | None, fields: dict[str, str], report,
                  s2_nested: bool = False) -> Iterator[tuple[str, str]]:
    """``(id, text)`` of every input record, in input order (see :func:`extract_records`)."""
    from kg.ingest import iter_papers
    from kg.ingest.records import iter_text_records

    pending: list[str | Path] = []  # paper files read together, so that they are de-duplicated together
    for item in inputs:
        if format is None and not fields and Path(item).is_file() and _is_text_records_file(Path(item)):
            for paper in iter_papers(pending, report=report, s2_nested=s2_nested) if pending else ():
                yield paper.source_id or paper.id, paper.text
            pending = []
            yield from iter_text_records(item, report)
        else:
            pending.append(item)
    if pending:
        for paper in iter_papers(pending, format=format, fields=fields, report=report, s2_nested=s2_nested):
            yield paper.source_id or paper.id, paper.text


def _paper_for_text(index: int, record_id: str, text: str) -> Paper:
    """A :class:`Paper` whose ``text`` starts with ``text`` exactly (offsets stay valid).

    ``Paper.text`` is ``title + "\\n" + abstract``: split at the first newline and the text is
    reproduced exactly; with no newline, the text becomes the title and one newline is appended.
    """
    title, sep, abstract = text.partition("\n")
    return Paper(id=f"record:{index}", title=title, abstract=abstract, source_id=record_id)
