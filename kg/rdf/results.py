"""Query results as text: SPARQL 1.1 JSON, XML, CSV and TSV results, a readable table, and
Turtle / N-Triples / JSON-LD / RDF/XML for CONSTRUCT and DESCRIBE, chosen by name.

:func:`render` writes at most ``max_rows`` solutions (or triples) and about ``max_bytes`` of
output, and says whether it cut anything, so that the endpoint can answer a huge result with a
bounded, well-formed prefix of it. :func:`negotiate` chooses the format a request asks for (the
``Accept`` header or a ``format`` parameter), for the endpoint's query processes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.rdf.formats import escape_string
from kg.rdf.namespace import DEFAULT_BASE_IRI, PREFIXES
from kg.rdf.store import QueryResult

_XSD_STRING = str(XSD.string)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*(?<!\.)$")


@dataclass
class Rendered:
    """A rendered result: the text, its media type, how many rows it holds, whether it was cut."""

    body: str
    media_type: str
    rows: int
    truncated: bool


# --- terms ------------------------------------------------------------------------------------


def json_term(term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
        out["datatype"] = str(term.datatype)
    return out


def nt_term(term) -> str:
    """A term in N-Triples syntax (TSV results use it)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = f'"{escape_string(str(term))}"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype is not None and str(term.datatype) != _XSD_STRING:
        return f"{text}^^<{term.datatype}>"
    return text


def short_iri(iri: str) -> str:
    """``kg:Method`` for a term of a known prefix, ``<concept/method/bert>`` for an instance under
    the default base IRI (as Turtle writes it relative to ``@base``), else the IRI itself."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    if iri.startswith(DEFAULT_BASE_IRI):
        return f"<{iri[len(DEFAULT_BASE_IRI):]}>"
    return iri


def table_term(term, width: int = 80) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = short_iri(str(term))
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = str(term).replace("\r", "\\r").replace("\n", "\\n").replace("\t", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _xml_text(value: str) -> str:
    return escape(_XML_ILLEGAL.sub("\ufffd", value))


def xml_term(term) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{_xml_text(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{_xml_text(str(term))}</bnode>"
    attrs = ""
    if term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype is not None and str(term.datatype) != _XSD_STRING:
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{_xml_text(str(term))}</literal>"


# --- SELECT / ASK writers: header, one chunk per row, footer ------------------------------------


@dataclass(frozen=True)
class SolutionsFormat:
    """How one results format writes SELECT rows (streamed) and an ASK answer."""

    name: str
    media_type: str
    header: Callable[[list[str]], str]
    row: Callable[[list[str], tuple, bool], str]  # (vars, row, first row?)
    footer: Callable[[list[str]], str]
    boolean: Callable[[bool], str]


def _csv_line(values: Iterable[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(list(values))
    return buf.getvalue()


def _csv_value(term) -> str:
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _json_row(names: list[str], row: tuple, first: bool) -> str:
    binding = {name: json_term(term) for name, term in zip(names, row) if term is not None}
    return ("" if first else ",\n") + json.dumps(binding, ensure_ascii=False)


def _xml_row(names: list[str], row: tuple, first: bool) -> str:
    cells = "".join(f"<binding name={quoteattr(n)}>{xml_term(t)}</binding>" for n, t in zip(names, row) if t is not None)
    return f"    <result>{cells}</result>\n"


_XML_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'

SOLUTION_FORMATS: dict[str, SolutionsFormat] = {
    f.name: f
    for f in (
        SolutionsFormat(
            "json",
            "application/sparql-results+json",
            lambda names: '{"head": {"vars": ' + json.dumps(names) + '},\n "results": {"bindings": [\n',
            _json_row,
            lambda names: "\n]}}\n",
            lambda value: json.dumps({"head": {}, "boolean": value}) + "\n",
        ),
        SolutionsFormat(
            "xml",
            "application/sparql-results+xml",
            lambda names: _XML_HEAD + "  <head>" + "".join(f"<variable name={quoteattr(n)}/>" for n in names) + "</head>\n  <results>\n",
            _xml_row,
            lambda names: "  </results>\n</sparql>\n",
            lambda value: _XML_HEAD + f"  <head/>\n  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n",
        ),
        SolutionsFormat(
            "csv",
            "text/csv",
            lambda names: _csv_line(names),
            lambda names, row, first: _csv_line(_csv_value(t) for t in row),
            lambda names: "",
            lambda value: "true\r\n" if value else "false\r\n",
        ),
        SolutionsFormat(
            "tsv",
            "text/tab-separated-values",
            lambda names: "\t".join(f"?{n}" for n in names) + "\n",
            lambda names, row, first: "\t".join("" if t is None else nt_term(t) for t in row) + "\n",
            lambda names: "",
            lambda value: "true\n" if value else "false\n",
        ),
    )
}

#: CONSTRUCT / DESCRIBE output: name -> (media type, rdflib serializer).
GRAPH_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "json-ld": ("application/ld+json", "json-ld"),
    "xml": ("application/rdf+xml", "xml"),
}

#: The graph format a results format name stands for when the query is a CONSTRUCT/DESCRIBE.
GRAPH_FORMAT_FOR = {"table": "turtle", "csv": "nt", "tsv": "nt", "json": "json-ld", "xml": "xml"}

#: Every name :func:`render` accepts.
FORMAT_NAMES = ("table", *SOLUTION_FORMATS, *(n for n in GRAPH_FORMATS if n not in SOLUTION_FORMATS))


# --- content negotiation ------------------------------------------------------------------------

_SOLUTION_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/javascript": "json",
    "application/javascript": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/plain": "table",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
_DEFAULT = {"select": "json", "ask": "json", "graph": "turtle"}
_FORMAT_ALIASES = {
    "graph": {"ttl": "turtle", "n3": "turtle", "n-triples": "nt", "ntriples": "nt", "jsonld": "json-ld",
              "json": "json-ld", "rdf": "xml", "rdf+xml": "xml"},
    "select": {"sparql-results+json": "json", "sparql-results+xml": "xml", "text": "table"},
}


def negotiate(accept: str | None, kind: str, format_param: str | list[str] | None = None) -> str | None:
    """The output format for a result of ``kind`` (select, ask, graph), or None if none is acceptable.

    A recognised ``format`` (or ``output``) parameter, a name or a media type, wins over the
    ``Accept`` header (SPARQLWrapper sends both); the header's entries are tried by quality,
    ``*/*`` and ``type/*`` included.

    Example
    -------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "select")
    'xml'
    >>> negotiate("application/sparql-results+json", "graph") is None
    True
    >>> negotiate(None, "graph"), negotiate("*/*", "select"), negotiate(None, "select", "tsv")
    ('turtle', 'json', 'tsv')
    >>> negotiate("application/json", "graph", ["json"])
    'json-ld'
    """
    media = _GRAPH_MEDIA if kind == "graph" else _SOLUTION_MEDIA
    names = set(GRAPH_FORMATS) if kind == "graph" else {*SOLUTION_FORMATS, "table"}
    aliases = _FORMAT_ALIASES["graph" if kind == "graph" else "select"]
    for wanted in [format_param] if isinstance(format_param, str) else (format_param or []):
        wanted = (wanted or "").strip().lower()
        wanted = aliases.get(wanted, wanted)
        if wanted in names:
            return wanted
        if wanted.split(";")[0].strip() in media:
            return media[wanted.split(";")[0].strip()]
    if not accept or not accept.strip():
        return _DEFAULT[kind]
    ranges = []
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if parts[0] and q > 0:
            ranges.append((-q, position, parts[0].lower()))
    for _, _, mtype in sorted(ranges):
        if mtype in ("*/*", "*"):
            return _DEFAULT[kind]
        if mtype.endswith("/*"):
            major = mtype[:-1]
            default = [m for m, n in media.items() if n == _DEFAULT[kind] and m.startswith(major)]
            match = default or [m for m in media if m.startswith(major)]
            if match:
                return media[match[0]]
            continue
        if mtype in media:
            return media[mtype]
    return None


def _take(items: Iterator | None, max_rows: int | None) -> tuple[list, bool]:
    items = iter(items or ())
    if max_rows is None:
        return list(items), False
    taken = list(islice(items, max_rows + 1))
    return taken[:max_rows], len(taken) > max_rows


def _render_table(result: QueryResult, max_rows: int | None) -> Rendered:
    if result.kind == "ask":
        return Rendered(("true" if result.boolean else "false") + "\n", "text/plain", 1, False)
    rows, truncated = _take(result.rows, max_rows)
    names = result.vars
    cells = [[table_term(t) for t in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    lines = [" | ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(), "-+-".join("-" * w for w in widths)]
    lines.extend(" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)
    more = " (cut: more rows exist)" if truncated else ""
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'}){more}")
    return Rendered("\n".join(lines) + "\n", "text/plain", len(rows), truncated)


def _render_graph(result: QueryResult, fmt: str, max_rows: int | None) -> Rendered:
    from rdflib import Graph

    name = fmt if fmt in GRAPH_FORMATS else GRAPH_FORMAT_FOR.get(fmt)
    if name is None:
        raise ValueError(f"unknown format {fmt!r} for a graph result; choose one of: {', '.join(GRAPH_FORMATS)}")
    media_type, serializer = GRAPH_FORMATS[name]
    triples, truncated = _take(result.triples, max_rows)
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    body = graph.serialize(format=serializer)
    return Rendered(body, media_type, len(graph), truncated)


def render(result: QueryResult, fmt: str = "table", *, max_rows: int | None = None, max_bytes: int | None = None) -> Rendered:
    """Write ``result`` in format ``fmt`` (a name of :data:`FORMAT_NAMES`).

    SELECT and ASK take ``table``, ``json``, ``xml``, ``csv``, ``tsv``; CONSTRUCT and DESCRIBE
    take ``turtle``, ``nt``, ``json-ld``, ``xml`` (and map ``table``/``csv``/``tsv``/``json`` to
    Turtle/N-Triples/N-Triples/JSON-LD). At most ``max_rows`` rows or triples are written, and
    SELECT rows stop once ``max_bytes`` is reached; ``truncated`` tells whether any were left out.
    """
    if result.kind == "graph":
        return _render_graph(result, fmt, max_rows)
    if fmt == "table":
        return _render_table(result, max_rows)
    writer = SOLUTION_FORMATS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown results format {fmt!r}; choose one of: table, {', '.join(SOLUTION_FORMATS)}")
    if result.kind == "ask":
        return Rendered(writer.boolean(bool(result.boolean)), writer.media_type, 1, False)
    names = result.vars
    chunks = [writer.header(names)]
    size, count, truncated = len(chunks[0]), 0, False
    rows = iter(result.rows or ())
    for row in rows:
        if (max_rows is not None and count >= max_rows) or (max_bytes is not None and size >= max_bytes):
            truncated = True
            break
        chunk = writer.row(names, row, count == 0)
        chunks.append(chunk)
        size += len(chunk)
        count += 1
    chunks.append(writer.footer(names))
    return Rendered("".join(chunks), writer.media_type, count, truncated)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """``result`` as text in ``fmt`` (table, csv, tsv, json; see :func:`render`), nothing left out.

    Example
    -------
    >>> from rdflib import Literal, URIRef
    >>> r = QueryResult("select", ["c", "n"], rows=iter([(URIRef("https://w3id.org/kg/ontology#Method"), Literal(3))]))
    >>> print(format_result(r), end="")
    c         | n
    ----------+--
    kg:Method | 3
    (1 row)
    """
    return render(result, fmt).body
