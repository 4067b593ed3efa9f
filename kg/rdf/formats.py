"""RDF serialisation formats, chosen by name through one registry (:data:`FORMATS`).

Each format streams the subject blocks of :func:`kg.rdf.triples.iter_blocks` to a text file,
one block at a time, so that a graph of tens of millions of triples is written in bounded
memory. Turtle and TriG read the same stream as records (:func:`kg.rdf.triples.iter_records`)
and spell the shapes repeated per link, relation, evidence record and span from templates,
several times faster than term by term and to the same text. Every format can be read back by rdflib, Oxigraph and Apache Jena:

========  ============  ==============================  =====================================
name      file          media type                      notes
========  ============  ==============================  =====================================
turtle    graph.ttl     text/turtle                     prefixes, subjects grouped (default)
nt        graph.nt      application/n-triples           one triple per line, greppable
json-ld   graph.jsonld  application/ld+json             flattened ``@graph`` with a @context
trig      graph.trig    application/trig                the triples in one named graph
========  ============  ==============================  =====================================

Example
-------
>>> get_format("ttl").name, get_format("nt").filename
('turtle', 'graph.nt')
>>> format_for_path("out/graph.jsonld").name
'json-ld'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kg.rdf.iris import graph_iri
from kg.rdf.namespace import PREFIXES
from kg.rdf.triples import _C, _K, _P, A, Block, Lit, Record

Writer = Callable[[Iterable[Block], TextIO, str], None]

_XSD = PREFIXES["xsd"]
_XSD_STRING = _XSD + "string"
_XSD_INTEGER = _XSD + "integer"
_XSD_DECIMAL = _XSD + "decimal"
_XSD_BOOLEAN = _XSD + "boolean"

# N-Triples / Turtle string escaping: the characters that must be escaped (", \, LF, CR) and
# every other control character as \uXXXX, which both grammars accept and some parsers need.
_ESCAPES = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def escape_string(value: str) -> str:
    """``value`` as the inside of an N-Triples/Turtle ``"..."`` string.

    Example
    -------
    >>> escape_string('say "hi"\\n\\x01')
    'say \\\\"hi\\\\"\\\\n\\\\u0001'
    """
    if _NEEDS_ESCAPE.search(value):
        return value.translate(_ESCAPES)
    return value


def nt_object(obj: str | Lit) -> str:
    if obj.__class__ is str:
        return "<" + obj + ">"
    lexical, datatype = obj
    quoted = '"' + (lexical.translate(_ESCAPES) if _NEEDS_ESCAPE.search(lexical) else lexical) + '"'
    if datatype is None or datatype == _XSD_STRING:
        return quoted
    return quoted + "^^<" + datatype + ">"


def write_ntriples(blocks: Iterable[Block], fh: TextIO, base: str) -> None:
    """N-Triples: one ``<s> <p> o .`` line per triple."""
    write = fh.write
    for subject, body in blocks:
        s = "<" + subject + "> <"
        write("".join([s + p + "> " + nt_object(o) + " .\n" for p, o in body]))


def _compact_names() -> dict[str, str]:
    """Full IRI -> prefixed name for every vocabulary IRI kg writes (``a`` for ``rdf:type``)."""
    from kg.rdf import namespace, triples

    terms = {str(t) for t in namespace.kg_terms()}
    for table in (triples._P, triples._K, triples._C):
        terms.update(table.values())
    terms.update(_XSD + t for t in ("string", "integer", "decimal", "boolean", "date", "gYearMonth", "gYear", "gMonthDay"))
    names: dict[str, str] = {}
    for iri in terms:
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and _LOCAL_NAME.match(iri[len(ns):]):
                names[iri] = f"{prefix}:{iri[len(ns):]}"
                break
    names[A] = "a"
    return names


def relative_base(base: str) -> str | None:
    """``base`` when instance IRIs may be written relative to it (``@base``), else None.

    Only a hierarchical base ending in ``/`` with no query or fragment qualifies: resolving
    ``paper/x`` against ``https://ex.org/kg#`` would drop the ``kg``.

    Example
    -------
    >>> relative_base("https://w3id.org/kg/resource/"), relative_base("https://ex.org/kg#")
    ('https://w3id.org/kg/resource/', None)
    """
    return base if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+(/[^?#]*)?/$", base) else None


def _turtle_encoders(base: str | None):
    """Functions spelling terms in Turtle: ``(subject, predicate, object)``.

    Vocabulary IRIs become prefixed names, instance IRIs are written relative to ``@base``
    (when there is one), numbers and booleans bare. Written for speed: they run once per term
    of tens of millions of triples.
    """
    pred_names = _compact_names()
    obj_names = {iri: name for iri, name in pred_names.items() if name != "a"}
    names_get = obj_names.get
    pred_get = pred_names.get
    blen = len(base) if base else 0
    bare = {_XSD_INTEGER, _XSD_DECIMAL, _XSD_BOOLEAN}  # kg writes only canonical lexical forms of these
    needs_escape = _NEEDS_ESCAPE.search

    def iri(value: str) -> str:
        if blen and value.startswith(base):
            return "<" + value[blen:] + ">"
        return "<" + value + ">"

    def predicate(value: str) -> str:
        return pred_get(value) or "<" + value + ">"

    def obj(value) -> str:
        if value.__class__ is str:
            name = names_get(value)
            if name is not None:
                return name
            if blen and value.startswith(base):
                return "<" + value[blen:] + ">"
            return "<" + value + ">"
        lexical, datatype = value
        if datatype is None or datatype == _XSD_STRING:
            return '"' + (lexical.translate(_ESCAPES) if needs_escape(lexical) else lexical) + '"'
        if datatype in bare:
            return lexical
        return '"' + escape_string(lexical) + '"^^' + (names_get(datatype) or "<" + datatype + ">")

    return iri, predicate, obj


def _turtle_header(base: str | None) -> str:
    lines = [f"@base <{base}> .\n"] if base else []
    lines.extend(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items())
    return "".join(lines) + "\n"


def _turtle_blocks(blocks: Iterable[Block], fh: TextIO, base: str | None, indent: str = "") -> None:
    records = getattr(blocks, "records", None)
    if records is not None:
        _turtle_records(records(), fh, base, indent)
        return
    iri, pred, obj = _turtle_encoders(base)
    sep = f" ;\n{indent}    "
    write = fh.write
    for subject, body in blocks:
        if body:
            write(indent + iri(subject) + " " + sep.join([pred(p) + " " + obj(o) for p, o in body]) + " .\n")


def _turtle_records(records: Iterable[Record], fh: TextIO, base: str | None, indent: str = "", chunk: int = 4096) -> None:
    """The statements of :func:`_turtle_blocks` for the records of :func:`kg.rdf.triples.iter_records`.

    Plain blocks are spelled term by term; the shapes repeated once per link, relation, evidence
    record and span are spelled from templates whose fixed parts (the predicates and classes,
    spelled by the same encoders) are made once, so each costs a few string joins.
    """
    iri, pred, obj = _turtle_encoders(base)
    sep = f" ;\n{indent}    "
    end = " .\n"

    def po(p: str, o) -> str:
        return pred(p) + " " + obj(o)

    def string(lexical: str) -> str:  # obj(Lit(lexical)): the lexical form is clean already
        return '"' + (lexical.translate(_ESCAPES) if _NEEDS_ESCAPE.search(lexical) else lexical) + '"'

    link_head = " " + po(A, _K["PaperLink"]) + sep + pred(_P["rdfSubject"]) + " "
    rel_head = " " + po(A, _K["RelationAssertion"]) + sep + pred(_P["rdfSubject"]) + " "
    rdf_predicate = sep + pred(_P["rdfPredicate"]) + " "
    rdf_object = sep + pred(_P["rdfObject"]) + " "
    count = sep + pred(_K["count"]) + " "
    paper_count = sep + pred(_K["paperCount"]) + " "
    confidence = sep + pred(_K["confidence"]) + " "
    body = " " + pred(_P["hasBody"]) + " "
    annotation = " " + po(A, _C["Annotation"])
    has_target = sep + pred(_P["hasTarget"]) + " "
    generated_by = sep + pred(_P["wasGeneratedBy"]) + " "
    target_head = " " + po(A, _C["SpecificResource"]) + sep + pred(_P["hasSource"]) + " "
    has_selector = sep + pred(_P["hasSelector"]) + " "
    quote_head = " " + po(A, _C["TextQuoteSelector"]) + sep + pred(_P["exact"]) + " "
    prefix = sep + pred(_P["prefix"]) + " "
    suffix = sep + pred(_P["suffix"]) + " "
    position_head = " " + po(A, _C["TextPositionSelector"]) + sep + pred(_P["start"]) + " "
    position_end = sep + pred(_P["end"]) + " "
    known: dict[str, str] = {}  # spelling of IRIs that recur: papers, concepts, properties, activities

    def recurring(value: str) -> str:
        if len(known) > 100_000:
            known.clear()
        spelled = known[value] = obj(value)
        return spelled

    out: list[str] = []
    write = out.append
    known_get = known.get
    last_node, last_spelled = None, ""
    for record in records:
        tag = record[0]
        if tag == "body":  # the evidence of one edge comes right after it
            node = record[2]
            if node is not last_node:
                last_node, last_spelled = node, obj(node)
            write(indent + iri(record[1]) + body + last_spelled + end)
        elif tag == "span":
            _, target, paper, exact, before, after, start, stop = record
            # <paper>/text/<start>-<end> and its /quote and /position: instance IRIs under the
            # base (no vocabulary term has a "/" in its local name), spelled alike as subject and object
            t = iri(target)
            q, pos = t[:-1] + "/quote>", t[:-1] + "/position>"
            write(indent + t + target_head + (known_get(paper) or recurring(paper)) + has_selector + q + has_selector + pos + end)
            text = indent + q + quote_head + string(exact)
            if before:
                text += prefix + string(before)
            if after:
                text += suffix + string(after)
            write(text + end)
            write(indent + pos + position_head + start + position_end + stop + end)
        elif tag == "annotation":
            _, ann, targets, conf, activity = record
            write(indent + iri(ann) + annotation + "".join([has_target + iri(t) for t in targets])
                  + confidence + conf + generated_by + (known_get(activity) or recurring(activity)) + end)
        elif tag == "link":
            _, node, paper, role, concept, n, conf = record
            write(indent + iri(node) + link_head + (known_get(paper) or recurring(paper)) + rdf_predicate
                  + (known_get(role) or recurring(role)) + rdf_object + (known_get(concept) or recurring(concept))
                  + count + n + confidence + conf + end)
        elif tag == "relation":
            _, node, source, prop, target, n, papers, conf = record
            write(indent + iri(node) + rel_head + (known_get(source) or recurring(source)) + rdf_predicate
                  + (known_get(prop) or recurring(prop)) + rdf_object + (known_get(target) or recurring(target))
                  + count + n + paper_count + papers + confidence + conf + end)
        elif tag == "block":
            if record[2]:
                write(indent + iri(record[1]) + " " + sep.join([pred(p) + " " + obj(o) for p, o in record[2]]) + end)
        else:
            raise AssertionError(f"unknown record {tag!r}")
        if len(out) >= chunk:
            fh.write("".join(out))
            out.clear()
    fh.write("".join(out))


def write_turtle(blocks: Iterable[Block], fh: TextIO, base: str) -> None:
    """Turtle: ``@base`` and kg's prefixes, then one ``subject p o ; p o .`` statement per block."""
    rel = relative_base(base)
    fh.write(_turtle_header(rel))
    _turtle_blocks(blocks, fh, rel)


def write_trig(blocks: Iterable[Block], fh: TextIO, base: str) -> None:
    """TriG: the Turtle statements inside one named graph, ``<base>graph``."""
    rel = relative_base(base)
    fh.write(_turtle_header(rel))
    graph = graph_iri(base)
    fh.write(f"<{graph[len(rel):] if rel else graph}> {{\n")
    _turtle_blocks(blocks, fh, rel, indent="    ")
    fh.write("}\n")


def _jsonld_value(obj: str | Lit, names: dict[str, str]) -> dict[str, str] | str:
    if isinstance(obj, Lit):
        if obj.datatype is None or obj.datatype == _XSD_STRING:
            return obj.value
        return {"@value": obj.value, "@type": names.get(obj.datatype, obj.datatype)}
    return {"@id": names.get(obj, obj)}


def write_jsonld(blocks: Iterable[Block], fh: TextIO, base: str) -> None:
    """JSON-LD 1.1: ``{"@context": {prefixes}, "@graph": [one node object per block]}``.

    Keys and types are compact IRIs (``skos:prefLabel``); instance IRIs are absolute. Blocks of
    the same subject become separate node objects, which JSON-LD processors merge.
    """
    names = {iri: name for iri, name in _compact_names().items() if name != "a"}
    fh.write('{\n"@context": ' + json.dumps(PREFIXES, ensure_ascii=False) + ',\n"@graph": [\n')
    first = True
    for subject, body in blocks:
        node: dict = {"@id": subject}
        for p, o in body:
            if p == A:
                node.setdefault("@type", []).append(names.get(o, o))
            else:
                node.setdefault(names.get(p, p), []).append(_jsonld_value(o, names))
        fh.write(("" if first else ",\n") + json.dumps(node, ensure_ascii=False, separators=(",", ":")))
        first = False
    fh.write("\n]\n}\n")


@dataclass(frozen=True)
class RdfFormat:
    """One serialisation: its name, file, media type, how rdflib and Oxigraph call it, its writer."""

    name: str
    filename: str
    media_type: str
    rdflib_format: str
    oxigraph_format: str  # attribute name of pyoxigraph.RdfFormat
    write: Writer
    aliases: tuple[str, ...] = ()
    quads: bool = False  # the triples sit in a named graph (query the union of graphs)


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "graph.ttl", "text/turtle", "turtle", "TURTLE", write_turtle, ("ttl",)),
        RdfFormat("nt", "graph.nt", "application/n-triples", "nt", "N_TRIPLES", write_ntriples, ("ntriples", "n-triples")),
        RdfFormat("json-ld", "graph.jsonld", "application/ld+json", "json-ld", "JSON_LD", write_jsonld, ("jsonld",)),
        RdfFormat("trig", "graph.trig", "application/trig", "trig", "TRIG", write_trig, (), quads=True),
    )
}
_BY_ALIAS = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}


def get_format(name: str) -> RdfFormat:
    """The format called ``name`` (or one of its aliases); ``ValueError`` listing the names otherwise."""
    fmt = _BY_ALIAS.get(name.lower())
    if fmt is None:
        raise ValueError(f"unknown RDF format {name!r}; choose one of: {', '.join(FORMATS)}")
    return fmt


def format_for_path(path: str | Path) -> RdfFormat:
    """The format of a graph file, from its suffix (``.ttl``, ``.nt``, ``.jsonld``, ``.trig``)."""
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if Path(fmt.filename).suffix == suffix:
            return fmt
    raise ValueError(f"cannot tell the RDF format of {path}: expected one of "
                     + ", ".join(Path(f.filename).suffix for f in FORMATS.values()))
