"""The ``kg`` command line: parses arguments and calls library functions, nothing more.

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

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_LOCKED = 4
EXIT_NOTHING = 5
EXIT_INTERRUPTED = 130

DEFAULT_OUT = "output"


class CliError(Exception):
    """An error to report as one line on stderr with a given exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def _err(message: str) -> None:
    print(f"kg: {message}", file=sys.stderr)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


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


def _extractor_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--extractor", choices=("fast", "accurate"), default=None,
        help="fast: the CNN (default, ~170 abstracts/s); accurate: the fine-tuned MiniLM encoder (slower, more "
        "mentions right); --model DIR overrides both")


def _min_confidence_option(p: argparse.ArgumentParser, default_text: str) -> None:
    p.add_argument("--min-confidence", type=_fraction, default=None, metavar="X",
                   help="hide concepts named by one paper whose confidence is below X (0 to 1; a concept's "
                   f"confidence: docs/resolution.md); {default_text}")


def _fraction(text: str) -> float:
    """argparse type: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got '{text}'") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, got {text}")
    return value


def _s2_nested_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--s2-nested", action="store_true",
                   help="also read the citations/references nested in Semantic Scholar papers as papers")


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


def _add_graph_arg(p: argparse.ArgumentParser, default: str = f"{DEFAULT_OUT}/graph.json") -> None:
    p.add_argument("--graph", default=default, metavar="FILE", help=f"built graph to read (default: {default})")


def _count(text: str) -> int:
    """argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    """argparse type: a whole number >= 1."""
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _add_quiet_arg(p: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps 'kg -q build' working: a subcommand default would otherwise reset it.
    p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars or warnings on stderr")


# Long by nature (~200 lines): one add_argument per option of every subcommand, in --help order.
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        formatter_class=_formatter,
        description="kg builds a knowledge graph of methods, datasets, metrics and tasks from research papers\n"
        "(titles + abstracts), and serves it as RDF/SPARQL, NetworkX, interactive maps and Neo4j.",
        epilog="examples:\n"
        "  kg build                          build the bundled sample papers into output/\n"
        "  kg build papers.jsonl refs.bib    build your own papers\n"
        "  kg query --example top-methods    ask the built graph a SPARQL question\n"
        "  kg map 'graph neural networks'    draw the neighbourhood of one concept\n\n"
        "Run 'kg COMMAND --help' for the options of each command.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or warnings on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="build the graph and every output from paper files",
        formatter_class=_formatter,
        description="Read papers, extract concept mentions, resolve them to concepts, link them with evidence,\n"
        "and write graph.ttl, graph.json, graph.graphml, map.html, neo4j/, mentions.jsonl,\n"
        "merges.tsv and summary.md into the output folder, all switched in at once when the build succeeds.",
        epilog="examples:\n"
        "  kg build                                   the bundled sample (468 papers) into output/\n"
        "  kg build arxiv-metadata.jsonl --jobs 2     an arXiv metadata snapshot\n"
        "  kg build refs.bib works.json --out graph/  BibTeX and OpenAlex together\n"
        "  kg build data.csv --field abstract=summary a CSV whose abstract column is 'summary'\n"
        "formats (--format): daily, jsonl, json, arxiv, csv, tsv, bibtex, atom, openalex, s2, ris, medline,\n"
        "  pubmed, jats, wos, csl, crossref (without --format: detected per file; unknown files are refused)",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="files or folders (default: the bundled sample)")
    _add_quiet_arg(p)
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default: {DEFAULT_OUT}/)")
    p.add_argument("--format", default=None, metavar="NAME", help="input format; default: detected per file")
    p.add_argument("--field", action="append", default=[], metavar="KEY=NAME", help="field name override, e.g. abstract=summary (repeatable)")
    _s2_nested_option(p)
    p.add_argument("--strict", action="store_true", help="fail (exit 3) if any input record is malformed")
    p.add_argument("--jobs", type=_positive, default=None, metavar="N", help="extraction processes (default: number of cores)")
    p.add_argument("--model", default=None, metavar="DIR", help="spaCy pipeline to use (default: the packaged one)")
    _extractor_option(p)
    p.add_argument("--no-cache", action="store_true", help="do not read or write the extraction cache")
    p.add_argument("--cache-dir", default=None, metavar="DIR", help="extraction cache folder (default: OUT/.cache)")
    p.add_argument("--dask", default=None, metavar="ADDRESS", help="run extraction on a Dask cluster (scheduler address)")
    p.add_argument("--rdf-format", default="turtle", metavar="NAME", help="turtle (default), nt, json-ld or trig")
    p.add_argument("--base-iri", default=None, metavar="IRI", help="base IRI for papers and concepts")
    p.add_argument("--map-nodes", type=_count, default=None, metavar="N", help="most concepts drawn in map.html")
    _min_confidence_option(p, "hidden from every output (default: none; map.html alone hides those below "
                           "0.4)")
    p.add_argument("--oxigraph", default="auto", choices=["auto", "yes", "no"],
                   help="also write the graph into an Oxigraph store for kg query/serve (auto: from 1,000 papers)")
    p.add_argument("--update", action="store_true",
                   help="require an update of the previous build in OUT (its papers all among the inputs, same extractor); "
                   "without it kg updates when it can. Concept ids of the previous build are kept either way")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "extract",
        help="extract and resolve mentions, one JSON line per input record",
        formatter_class=_formatter,
        description="Extraction and resolution only. Input: whatever kg build reads (files, folders, --format,\n"
        "--field). A JSON Lines file of records {\"id\", \"text\"} (offsets into text as given) or {\"id\",\n"
        "\"title\", \"abstract\"} (offsets into title + \"\\n\" + abstract) keeps its texts untouched.\n"
        'Output: {"id": ..., "entities": [{"start", "end", "label", "text", "concept", "score"}]} per record.',
        epilog="example:\n  kg extract ../shared/data/dev/scierc.jsonl --out predictions.jsonl",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders, in any format kg build reads")
    _add_quiet_arg(p)
    p.add_argument("--out", default=None, metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--format", default=None, metavar="NAME", help="input format; default: detected per file")
    p.add_argument("--field", action="append", default=[], metavar="KEY=NAME", help="field name override, e.g. abstract=summary (repeatable)")
    _s2_nested_option(p)
    p.add_argument("--model", default=None, metavar="DIR", help="spaCy pipeline to use (default: the packaged one)")
    _extractor_option(p)
    p.add_argument("--jobs", type=_positive, default=None, metavar="N", help="extraction processes (default: number of cores)")
    p.add_argument("--strict", action="store_true", help="exit 3 if any record was malformed")
    _min_confidence_option(p, "their mentions are left out (default: none)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser(
        "eval",
        help="precision/recall/F1 of the extractor on an annotated file",
        formatter_class=_formatter,
        description="Score the extractor against gold annotations in kg's JSONL format, strict (exact span\n"
        "and label) and overlap, per label and micro-averaged over the labels the file has.",
        epilog="example:\n  kg eval ../shared/data/dev/scierc.jsonl\n  kg eval ../shared/data/dev/scier.jsonl --json",
    )
    p.add_argument("gold", metavar="GOLD.jsonl")
    p.add_argument("--model", default=None, metavar="DIR", help="spaCy pipeline to score (default: the packaged one)")
    _extractor_option(p)
    p.add_argument("--labels", nargs="*", default=None, metavar="LABEL", help="labels to score (default: those in the gold file)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "query",
        help="run a SPARQL query over the built RDF graph",
        formatter_class=_formatter,
        description="Run SPARQL over graph.ttl and print a table (or CSV/TSV/SPARQL JSON).",
        epilog="examples:\n"
        "  kg query 'SELECT ?c ?l WHERE { ?c a kg:Method ; skos:prefLabel ?l } LIMIT 5'\n"
        "  kg query my-question.rq --format csv\n"
        "  kg query --example datasets-per-method\n"
        "  kg query --example list                  list the example queries",
    )
    p.add_argument("query", nargs="?", default=None, metavar="QUERY|FILE.rq")
    p.add_argument("--example", default=None, metavar="NAME", help="run a bundled example query ('list' lists them)")
    p.add_argument("--graph", default=f"{DEFAULT_OUT}/graph.ttl", metavar="FILE", help=f"RDF graph (default: {DEFAULT_OUT}/graph.ttl)")
    p.add_argument("--format", default="table", choices=["table", "csv", "tsv", "json"], help="output format (default: table)")
    p.add_argument("--store", default="auto", choices=["auto", "memory", "oxigraph"],
                   help="auto (default): the Oxigraph store kg build wrote, else rdflib for small graphs; memory: rdflib; oxigraph")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "serve",
        help="serve a read-only SPARQL endpoint and the concept map",
        formatter_class=_formatter,
        description="A SPARQL 1.1 Protocol endpoint at http://HOST:PORT/sparql (GET and POST, read-only),\n"
        "with the concept map at http://HOST:PORT/.",
        epilog="example:\n  kg serve --port 3030   then: curl 'http://127.0.0.1:3030/sparql?query=ASK{?s ?p ?o}'",
    )
    p.add_argument("--graph", default=f"{DEFAULT_OUT}/graph.ttl", metavar="FILE", help=f"RDF graph (default: {DEFAULT_OUT}/graph.ttl)")
    p.add_argument("--map", default=None, metavar="FILE", help="concept map to serve at / (default: map.html beside the graph)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3030)
    p.add_argument("--store", default="auto", choices=["auto", "memory", "oxigraph"], help="as for kg query (default: auto)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="query timeout in seconds (default: 10)")
    p.add_argument("--max-results", type=int, default=10000, metavar="N", help="most result rows returned (default: 10000)")
    p.add_argument("--cors", default=None, metavar="ORIGIN",
                   help="let web pages from ORIGIN (e.g. http://localhost:8080, or '*' for any page) read "
                        "answers; off by default")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("export", help="export the built graph to another system", formatter_class=_formatter)
    exp = p.add_subparsers(dest="target", metavar="TARGET")
    e = exp.add_parser(
        "neo4j",
        help="push the graph to a running Neo4j over Bolt",
        formatter_class=_formatter,
        description="Push the built graph into Neo4j with the official driver: batched and parameterised.\n"
        "A database that holds a graph kg pushed before gets only the delta: new and changed nodes and\n"
        "relationships are sent, those kg wrote that the graph no longer has are deleted (marked by their\n"
        "kg_hash property; nothing else is touched), and a second push sends nothing. Then the node and\n"
        "relationship counts are checked.\n"
        "Bulk-import CSVs and a Cypher script are written by 'kg build' under output/neo4j/.",
        epilog="example:\n  NEO4J_PASSWORD=secret kg export neo4j --uri bolt://localhost:7687 --user neo4j --password-env NEO4J_PASSWORD",
    )
    e.add_argument("--uri", required=True, metavar="URI", help="bolt://host:port or neo4j://host:port")
    e.add_argument("--user", default="neo4j")
    e.add_argument("--password-env", default=None, metavar="VAR", help="environment variable holding the password")
    e.add_argument("--database", default=None, metavar="NAME", help="database name (default: the server's default)")
    e.add_argument("--batch-size", type=_positive, default=1000, metavar="N")
    e.add_argument("--full", action="store_true",
                   help="send every row again, not only new and changed ones (still deletes what the graph no longer has)")
    _add_quiet_arg(e)
    _add_graph_arg(e)
    e.set_defaults(func=cmd_export_neo4j)

    p = sub.add_parser(
        "map",
        help="write an interactive map of one concept's neighbourhood (or of the whole graph)",
        formatter_class=_formatter,
        description="Write an offline HTML map of the concepts within --hops of CONCEPT; without CONCEPT,\n"
        "the whole-graph map again (as kg build writes it) from the built graph.",
        epilog="examples:\n  kg map 'graph neural networks' --hops 2 --out gnn.html\n  kg map --map-nodes 2000 --out map-2000.html",
    )
    p.add_argument("concept", nargs="?", default=None, metavar="CONCEPT", help="concept id, label or alias (default: the whole graph)")
    p.add_argument("--hops", type=_count, default=2)
    p.add_argument("--map-nodes", type=_count, default=None, metavar="N", help="most concepts on the whole-graph map (0: all)")
    _min_confidence_option(p, "not drawn (default: 0.4; 0 draws all)")
    p.add_argument("--out", default=None, metavar="FILE", help="HTML file (default: map-<concept>.html, or map.html, beside the graph)")
    _add_graph_arg(p)
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "analyze",
        help="print graph analytics and write report.md with charts",
        formatter_class=_formatter,
        description="Top concepts by papers and PageRank, co-occurrence (NPMI), communities, trends and\n"
        "rising concepts; writes report.md with PNG charts.",
        epilog="example:\n  kg analyze --top 15",
    )
    p.add_argument("--top", type=_positive, default=10, metavar="N")
    p.add_argument("--out", default=None, metavar="DIR", help="folder for report.md (default: beside the graph)")
    _add_graph_arg(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "explain",
        help="print the sentences behind the relations of two concepts",
        formatter_class=_formatter,
        description="Show every relation between two concepts with the sentences (and papers) it comes from,\n"
        "or the shortest connection between them when they are not directly related.",
        epilog="example:\n  kg explain GNN 'node classification'",
    )
    p.add_argument("concept_a", metavar="CONCEPT_A")
    p.add_argument("concept_b", metavar="CONCEPT_B")
    p.add_argument("--limit", type=_positive, default=10, metavar="N", help="most sentences per relation")
    _add_graph_arg(p)
    p.set_defaults(func=cmd_explain)

    return parser


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
