"""The ``kg`` command line's arguments: one parser per subcommand, with its help and examples.

:func:`build_parser` assembles them and gives each subcommand the handler it is handed
(:func:`kg.cli.build_parser` hands the ``cmd_*`` functions of :mod:`kg.cli`), so this module only
describes the command line; :mod:`kg.cli` runs it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

DEFAULT_OUT = "output"

#: What runs a parsed subcommand: its arguments in, the exit code out.
Handler = Callable[[argparse.Namespace], int]


def build_parser(handlers: Mapping[str, Handler]) -> argparse.ArgumentParser:
    """The parser of ``kg`` and every subcommand, in ``--help`` order; each subcommand's
    ``func`` default is ``handlers[name]`` (``"export neo4j"`` for the Neo4j export)."""
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

    for name, add in (
        ("build", _build_parser),
        ("extract", _extract_parser),
        ("eval", _eval_parser),
        ("query", _query_parser),
        ("serve", _serve_parser),
        ("export neo4j", _export_parser),
        ("map", _map_parser),
        ("analyze", _analyze_parser),
        ("explain", _explain_parser),
    ):
        add(sub).set_defaults(func=handlers[name])
    return parser


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _build_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg build``: read papers and write every output."""
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
    return p


def _extract_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg extract``: extraction and resolution only, one JSON line per record."""
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
    return p


def _eval_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg eval``: score the extractor against gold annotations."""
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
    return p


def _query_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg query``: SPARQL over the built graph."""
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
    return p


def _serve_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg serve``: a read-only SPARQL endpoint and the concept map."""
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
    return p


def _export_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg export neo4j`` (the parser returned; ``kg export`` alone has no handler and prints help)."""
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
    return e


def _map_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg map``: the map of one concept's neighbourhood, or of the whole graph."""
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
    return p


def _analyze_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg analyze``: analytics printed and written to report.md."""
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
    return p


def _explain_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``kg explain``: the sentences behind the relations of two concepts."""
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
    return p


# --- options shared by several subcommands, and argument types ---------------------------------


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
