"""The ``kg`` command line: parses arguments and calls library functions, nothing more.

The arguments, help texts and examples are described in :mod:`kg.cli_args`; the ``cmd_*``
functions here run each subcommand.

Exit codes scripts can rely on:
  0 success
  1 a runtime failure (the message says which)
  2 usage error, or a malformed query
  3 malformed input records under --strict
  2 also: an output path kg refuses to write (a file, a folder kg did not make, an input, the
    current directory), found before any work
  4 the output folder is locked by another build
  5 nothing to work on (no readable paper, no built graph), or nothing to update (--update)
  130 interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

from kg import cli_args

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_LOCKED = 4
EXIT_NOTHING = 5
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """An error to report as one line on stderr with a given exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def _err(message: str) -> None:
    print(f"kg: {message}", file=sys.stderr)


def _graph_json(args: argparse.Namespace) -> Path:
    path = Path(args.graph)
    if not path.exists():
        raise CliError(f"{path} does not exist; run 'kg build' first or pass --graph", EXIT_NOTHING)
    return path


def _load_graph(args: argparse.Namespace):
    from kg.graph.build import load_graph

    return load_graph(_graph_json(args))


def _parse_fields(values: list[str]) -> dict[str, str]:
    fields = {}
    for item in values or []:
        if "=" not in item:
            raise CliError(f"--field takes KEY=NAME, got '{item}'", EXIT_USAGE)
        key, name = item.split("=", 1)
        fields[key.strip()] = name.strip()
    return fields


# --- build -----------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build_state import NotAnUpdate
    from kg.pipeline import BadOption, BuildOptions, InputProblems, NoPapers, build

    def report(problem) -> None:
        if not args.quiet:
            _err(str(problem) if problem.severity == "error" else f"warning: {problem}")

    options = BuildOptions(
        inputs=args.inputs,
        out=args.out,
        format=args.format,
        fields=_parse_fields(args.field),
        s2_nested=args.s2_nested,
        strict=args.strict,
        jobs=args.jobs,
        model=_model(args),
        cache=not args.no_cache,
        cache_dir=args.cache_dir,
        dask=args.dask,
        rdf_format=args.rdf_format,
        base_iri=args.base_iri,
        map_nodes=args.map_nodes,
        min_confidence=args.min_confidence,
        oxigraph=args.oxigraph,
        update=args.update,
        on_problem=report,
    )
    from kg.extract import ExtractionError
    from kg.ingest import UsageError as IngestUsageError

    try:
        result = build(options)
    except (*IngestUsageError, BadOption) as exc:  # unknown --format, --field or --rdf-format name
        raise CliError(str(exc), EXIT_USAGE) from None
    except InputProblems as exc:
        if args.quiet:  # -q hid them as they came; a failure must still say what failed
            for problem in exc.problems[:20]:
                _err(str(problem))
        raise CliError(f"{exc}; nothing was written", EXIT_INPUT) from None
    except (NoPapers, NotAnUpdate) as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    except (ExtractionError, ConnectionError) as exc:  # a worker process died; no Dask scheduler
        raise CliError(f"{exc}; outputs left as they were") from None
    print(result.summary)
    if result.changes:
        print(result.changes)
    return EXIT_OK


# --- extract ---------------------------------------------------------------------------------


def _model(args: argparse.Namespace) -> str | None:
    from kg.nlp import model_for

    return model_for(getattr(args, "extractor", None), args.model)


def cmd_extract(args: argparse.Namespace) -> int:
    from kg.ingest import IngestReport
    from kg.ingest import UsageError as IngestUsageError
    from kg.output import atomic_open, check_output_file
    from kg.pipeline import NoPapers, extract_records

    if args.out:
        check_output_file(args.out, inputs=list(args.inputs))
    problems = []

    def on_problem(problem) -> None:
        if problem.severity == "error":
            problems.append(problem)
        if not args.quiet:
            _err(str(problem) if problem.severity == "error" else f"warning: {problem}")

    report = IngestReport(on_problem=on_problem)
    try:
        rows = list(extract_records(args.inputs, model=_model(args), jobs=args.jobs, format=args.format,
                                    fields=_parse_fields(args.field), report=report, s2_nested=args.s2_nested,
                                    min_confidence=args.min_confidence))
    except IngestUsageError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except NoPapers as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    if not args.quiet:
        _err(f"{len(rows)} records extracted ({report.records_read} read, {report.duplicates} duplicates merged, {report.skipped} skipped)")
    if args.out:
        with atomic_open(args.out) as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    if args.strict and problems:
        return EXIT_INPUT
    return EXIT_OK


# --- eval ------------------------------------------------------------------------------------


def cmd_eval(args: argparse.Namespace) -> int:
    from kg.nlp.corpus import CorpusError
    from kg.nlp.evaluate import evaluate_file, format_table

    try:
        result = evaluate_file(args.gold, model=_model(args), labels=args.labels)
    except FileNotFoundError as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    except (CorpusError, ValueError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(format_table(result))
    return EXIT_OK


# --- query / serve ---------------------------------------------------------------------------


def cmd_query(args: argparse.Namespace) -> int:
    from kg.rdf.oxstore import choose_backend
    from kg.rdf.query import QueryError, format_examples, load_store, read_query, run_query, format_result

    if args.example == "list" and not args.query:
        sys.stdout.write(format_examples())
        return EXIT_OK
    try:
        text = read_query(args.query, example=args.example)
        store = load_store(args.graph, backend=choose_backend(args.graph, args.store))
        result = run_query(store, text)
        output = format_result(result, args.format)
    except QueryError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except FileNotFoundError as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    except ValueError as exc:  # a graph file that does not parse
        raise CliError(str(exc)) from None
    sys.stdout.write(output)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.rdf.oxstore import choose_backend
    from kg.rdf.serve import serve
    from kg.rdf.worker import RunnerUnavailable

    try:
        serve(
            args.graph,
            host=args.host,
            port=args.port,
            backend=choose_backend(args.graph, args.store),
            timeout=args.timeout,
            max_results=args.max_results,
            map_html=args.map,
            cors=args.cors,
        )
    except FileNotFoundError as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    except (ValueError, RunnerUnavailable, OSError) as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a server is stopped
    return EXIT_OK


# --- export ----------------------------------------------------------------------------------


def cmd_export_neo4j(args: argparse.Namespace) -> int:
    from kg.export.neo4j_bolt import Neo4jExportError, push

    password = os.environ.get(args.password_env) if args.password_env else None
    if args.password_env and password is None:
        raise CliError(f"environment variable {args.password_env} is not set")
    G = _load_graph(args)
    try:
        result = push(G, args.uri, user=args.user, password=password, database=args.database, batch_size=args.batch_size,
                      full=args.full)
    except Neo4jExportError as exc:
        raise CliError(str(exc)) from None
    print(result)
    return EXIT_OK


# --- map / analyze / explain -----------------------------------------------------------------


def cmd_map(args: argparse.Namespace) -> int:
    from kg.output import check_output_file

    if args.out:
        check_output_file(args.out, inputs=[args.graph])
    G = _load_graph(args)
    from kg.graph.lookup import ConceptNotFound, find_concept
    from kg.render.map import write_ego_map, write_map

    if args.concept is None:  # the whole map again, from the built graph (no rebuild)
        out = Path(args.out) if args.out else Path(args.graph).parent / "map.html"
        print(f"wrote {write_map(G, out, max_concepts=args.map_nodes, min_confidence=args.min_confidence)}")
        return EXIT_OK
    try:
        concept = find_concept(G, args.concept)
    except ConceptNotFound as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    out = Path(args.out) if args.out else Path(args.graph).parent / f"map-{concept.replace('/', '-')}.html"
    check_output_file(out, inputs=[args.graph])
    path = write_ego_map(G, concept, out, hops=args.hops, min_confidence=args.min_confidence)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_analyze(args: argparse.Namespace) -> int:
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise CliError(f"--out {args.out} is a file, not a folder; report.md and its charts go into a folder", EXIT_USAGE)
    G = _load_graph(args)
    from kg.graph.report import analysis_tables, write_report

    print(analysis_tables(G, top=args.top))
    folder = Path(args.out) if args.out else Path(args.graph).parent
    path = write_report(G, folder, top=args.top)
    print(f"\nwrote {path}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    G = _load_graph(args)
    from kg.graph.explain import explain, format_explanation
    from kg.graph.lookup import ConceptNotFound, find_concept

    try:
        a, b = find_concept(G, args.concept_a), find_concept(G, args.concept_b)
    except ConceptNotFound as exc:
        raise CliError(str(exc), EXIT_NOTHING) from None
    print(format_explanation(G, explain(G, a, b, limit=args.limit)))
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------

#: The subcommand each ``cmd_*`` function runs (the names of :func:`kg.cli_args.build_parser`).
HANDLERS: dict[str, cli_args.Handler] = {
    "build": cmd_build,
    "extract": cmd_extract,
    "eval": cmd_eval,
    "query": cmd_query,
    "serve": cmd_serve,
    "export neo4j": cmd_export_neo4j,
    "map": cmd_map,
    "analyze": cmd_analyze,
    "explain": cmd_explain,
}


def build_parser() -> argparse.ArgumentParser:
    """The ``kg`` argument parser (:mod:`kg.cli_args`), each subcommand set to call its ``cmd_*`` function."""
    return cli_args.build_parser(HANDLERS)


#: Errors of the disk or the file system, not of kg: one line, exit 1, never a traceback.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _write_error_text(exc: OSError) -> str:
    """One line for a disk or file-system error; outputs are written atomically, so the previous ones stand."""
    where = f" ({exc.filename})" if exc.filename else ""
    what = "no space left on the device" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else (exc.strerror or str(exc)).lower()
    return f"{what}{where}; nothing was switched in, the previous outputs are left as they were"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    from kg.output import OutputLocked, UnsafeOutput
    from kg.progress import set_quiet

    set_quiet(args.quiet)
    try:
        return args.func(args)
    except CliError as exc:
        _err(str(exc))
        return exc.code
    except OutputLocked as exc:
        _err(str(exc))
        return EXIT_LOCKED
    except UnsafeOutput as exc:
        _err(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        _err(_write_error_text(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _err("interrupted; outputs left as they were")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
