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
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import writer_process
from kg.models import BuildStats, Extraction, KnowledgeGraph, Paper, Problem

log = logging.getLogger(__name__)


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
    min_confidence: float | None = None  # hide singletons below it from every output (None: the map's default in map.html only)
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
    from kg.resolve import RESOLVER_VERSION, release_caches, resolve
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
            resolution = hide_concepts(resolution, options.min_confidence, stats)
        with timed(stats, "ids"):
            assignment = assign_ids(resolution.concepts, previous.ids if previous is not None else None)
            apply_ids(resolution, assignment.rename)
        release_caches()  # the rules' memo caches: memory the graph stages can use
        with timed(stats, "build"):
            kg = build_graph(papers, extractions, resolution, extractor_version=version)
            kg.stats = stats
            kg.extractor_version = version
            kg.redirects = assignment.redirects
            G = to_networkx(kg)
        # what changed is known now: the previous build's state (307 MB at 80,000 papers) is
        # released before the writers, whose stages hold the build's peak memory
        changes = change_report(kind, previous, papers, kg.concepts, assignment)
        del previous
        files = write_outputs(kg, G, extractions, resolution, staging, options, changes=assignment.changes,
                              previous=out if kind != "clean" else None)
        write_state(BuildState(version, RESOLVER_VERSION, sorted(papers), assignment.table), staging)
        summary = _summary(kg, G, files, out)
    final = {name: out / path.relative_to(staging) for name, path in files.items()}
    return BuildResult(kg=kg, out=out, files=final, summary=summary, kind=kind, changes=changes)


def hide_concepts(resolution, min_confidence: float | None, stats: BuildStats | None = None):
    """``--min-confidence``: the resolution without its singletons below ``min_confidence``
    (:func:`kg.resolve.hiding.hide_low_confidence`), counted in ``stats`` for summary.md."""
    from kg.resolve.hiding import hide_low_confidence

    kept, hidden = hide_low_confidence(resolution, min_confidence)
    if stats is not None:
        stats.min_confidence = min_confidence
        stats.hidden_concepts = len(hidden)
        stats.hidden_mentions = sum(resolution.concepts[cid].mention_count for cid in hidden)
    return kept


def write_outputs(kg: KnowledgeGraph, G, extractions: Sequence[Extraction], resolution, folder: Path, options: BuildOptions,
                  changes: Sequence = (), previous: Path | None = None) -> dict[str, Path]:
    """Write every output shape into ``folder``; returns ``{output name: path}``.

    ``previous``: the output folder of the build this one updates (an update or a rebuild), whose
    Oxigraph store the new one is made from where it can (:func:`kg.rdf.oxstore.write_store`) and
    against whose Neo4j CSVs ``neo4j/delta.cypher`` is written (:mod:`kg.export.neo4j_delta_script`).

    From here on the graph only lives on: it is frozen out of the cyclic collector's sight
    (``gc.freeze``), so no collection walks its millions of objects again. With more than one job
    (``options.jobs``, default the core count) and a build process small enough (the fork rule of
    :mod:`kg.writer_process`), the Neo4j files are written by a forked child process while this
    one writes the rest; every file is the same byte for byte either way, and an error in the
    child is raised here.
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
        ("write:map", lambda: {"map.html": write_map(G, folder / "map.html", max_concepts=options.map_nodes,
                                                     min_confidence=options.min_confidence)}),
    ]
    neo4j_task = ("write:neo4j", lambda: {"neo4j": write_bulk_import(G, neo4j, cypher=neo4j / "import.cypher",
                                                                      previous=previous / "neo4j" if previous is not None else None)})
    tail: list[tuple[str, Callable[[], dict[str, Path]]]] = [
        ("write:mentions", lambda: {"mentions.jsonl": write_mentions(kg, extractions, resolution, folder / "mentions.jsonl")}),
        ("write:merges", lambda: {"merges.tsv": write_merges(getattr(resolution, "merges", ()), folder / "merges.tsv"),
                                  "changes.jsonl": write_changes(changes, folder / "changes.jsonl")}),
    ]
    files: dict[str, Path] = {}
    store = None
    gc.freeze()
    try:
        child = writer_process.fork_writer(neo4j_task) if _writer_processes(options) > 1 else None
        try:
            for stage, write in local if child else [*local, neo4j_task]:
                with timed(stats, stage):
                    files.update(write())
                if stage == "write:rdf" and wants_store(options.oxigraph, len(kg.papers)):
                    # loaded by its own process while the other files are written
                    store = start_store(files["rdf"], previous / files["rdf"].name if previous is not None else None)
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
                writer_process.stop_writer(child)
            if store is not None:
                stop_store(store)
            raise
        if child is not None:
            seconds, written = writer_process.join_writer(child)
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
    the ``write:oxigraph`` stage, the time spent waiting for it ``write:oxigraph-wait``, and what
    it did (in place or bulk-loaded, :func:`kg.rdf.oxstore.write_store`) ``stats.oxigraph``, for
    timings.json. A failed in-place update (the store was then bulk-loaded) is logged as a warning."""
    from kg.rdf.oxstore import finish_store

    t0 = time.perf_counter()
    seconds, files["oxigraph"], report = finish_store(store)
    stats.stage_seconds["write:oxigraph"] = seconds
    stats.stage_seconds["write:oxigraph-wait"] = time.perf_counter() - t0
    stats.oxigraph = report
    if report.get("failed"):
        log.warning("the Oxigraph store could not be updated in place (%s); it was bulk-loaded instead", report.get("fallback"))
    elif "fallback" in report:
        log.info("Oxigraph store bulk-loaded: %s", report["fallback"])
    return None


def _writer_processes(options: BuildOptions) -> int:
    """How many processes write the outputs (:func:`kg.writer_process.writer_processes`)."""
    try:
        return writer_process.writer_processes(options.jobs)
    except ValueError as exc:
        raise BadOption(str(exc)) from None


def _summary(kg: KnowledgeGraph, G, files: dict[str, Path], out: Path) -> str:
    from kg.summary import summary_text

    return summary_text(kg, G, {name: out / path.name for name, path in files.items()})


def extract_records(inputs: str | Path | Sequence[str | Path], *, model: str | Path | None = None, jobs: int | None = None,
                    on_problem=None, format: str | None = None, fields: dict[str, str] | None = None,
                    report=None, s2_nested: bool = False, min_confidence: float | None = None) -> Iterator[dict[str, Any]]:
    """``kg extract``: one ``{"id", "entities": [...]}`` dict per input record, in input order.

    ``inputs`` are what ``kg build`` takes: files and folders, in any format it reads. A JSON
    Lines file of text records - ``{"id", "text"}`` (offsets into ``text`` as given) or ``{"id",
    "title", "abstract"}`` (offsets into ``title + "\\n" + abstract``) - is read as such, its texts
    untouched; every other input is read by :func:`kg.ingest.iter_papers` (cleaned and
    de-duplicated, as for a build; ``s2_nested`` as for a build), and its records are ``(source id
    or kg id, title + "\\n" + abstract)``. Extraction and resolution only; ``min_confidence`` leaves
    out the mentions of concepts it hides (:func:`hide_concepts`: singletons below it, judged over
    all the records together). Raises :class:`NoPapers` when nothing was readable.
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
    resolution = hide_concepts(resolve(extractions, {p.id: p for p in papers}), min_confidence)
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
