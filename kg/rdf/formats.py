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
from typing import NamedTuple, TextIO

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
    """One Turtle statement per subject block (``subject p o ; p o .``), each line after
    ``indent``; a :class:`~kg.rdf.triples.BlockStream` is read as records (:func:`_turtle_records`)."""
    records = getattr(blocks, "records", None)
    if records is not None:
        _turtle_records(records(), fh, base, indent)
    else:
        _turtle_records((("block", subject, body) for subject, body in blocks), fh, base, indent)


def _turtle_records(records: Iterable[Record], fh: TextIO, base: str | None, indent: str = "", chunk: int = 4096) -> None:
    """The statements of :func:`_turtle_blocks` for the records of :func:`kg.rdf.triples.iter_records`,
    each spelled by the speller of its tag (:func:`_record_spellers`), written ``chunk`` at a time."""
    spellers = _record_spellers(_TurtleTerms.make(base, indent))
    out: list[str] = []
    write = out.append
    for record in records:
        try:
            spell = spellers[record[0]]
        except KeyError:
            raise AssertionError(f"unknown record {record[0]!r}") from None
        write(spell(record))
        if len(out) >= chunk:
            fh.write("".join(out))
            out.clear()
    fh.write("".join(out))


class _TurtleTerms(NamedTuple):
    """What the record spellers share: the encoders of :func:`_turtle_encoders`, the separator
    between a statement's predicate-object pairs and the statement indent, and a cache of the
    IRIs that recur (papers, concepts, properties, activities), spelled as ``known(iri) or recurring(iri)``."""

    iri: Callable[[str], str]
    pred: Callable[[str], str]
    obj: Callable[[str | Lit], str]
    sep: str
    indent: str
    known: Callable[[str], str | None]
    recurring: Callable[[str], str]

    @classmethod
    def make(cls, base: str | None, indent: str) -> _TurtleTerms:
        iri, pred, obj = _turtle_encoders(base)
        spelled: dict[str, str] = {}

        def recurring(value: str) -> str:
            if len(spelled) > 100_000:  # bounded: a long run of new IRIs does not grow it
                spelled.clear()
            text = spelled[value] = obj(value)
            return text

        return cls(iri, pred, obj, f" ;\n{indent}    ", indent, spelled.get, recurring)

    def head(self, cls: str, prop: str) -> str:
        """The fixed text after a templated statement's subject: ``a <cls> ; <prop> ``."""
        return " " + self.pred(A) + " " + self.obj(cls) + self.then(prop)

    def then(self, prop: str) -> str:
        """The fixed text before the next object of a templated statement: `` ; <prop> ``."""
        return self.sep + self.pred(prop) + " "


def _record_spellers(terms: _TurtleTerms) -> dict[str, Callable[[Record], str]]:
    """Record tag -> the function spelling a record of that tag as Turtle statements.

    Plain blocks are spelled term by term; the shapes repeated once per link, relation, evidence
    record and span are spelled from templates whose fixed parts (the predicates and classes,
    spelled by the same encoders) are made once, so each costs a few string joins.
    """
    return {
        "body": _body_speller(terms),
        "span": _span_speller(terms),
        "annotation": _annotation_speller(terms),
        "link": _link_speller(terms),
        "relation": _relation_speller(terms),
        "cooccurrence": _cooccurrence_speller(terms),
        "block": _block_speller(terms),
    }


def _block_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("block", subject, body)``: one statement, term by term (nothing for an empty body)."""
    iri, obj, sep, indent = terms.iri, terms.obj, terms.sep, terms.indent
    predicate = _Spellings(lambda p: terms.pred(p) + " ")  # a few dozen predicates, each spelled once

    def spell(record: Record) -> str:
        if not record[2]:
            return ""
        return f"{indent}{iri(record[1])} {sep.join([predicate[p] + obj(o) for p, o in record[2]])} .\n"

    return spell


class _Spellings(dict):
    """``term -> spell(term)``, each spelled once (for the few terms that recur: a dictionary
    lookup instead of a call per triple)."""

    def __init__(self, spell: Callable[[str], str]):
        super().__init__()
        self.spell = spell

    def __missing__(self, term: str) -> str:
        text = self[term] = self.spell(term)
        return text


def _body_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("body", annotation, node)``: one ``oa:hasBody`` edge. The evidence of one edge comes
    right after it, so the node's spelling is kept from one record to the next."""
    iri, obj, indent = terms.iri, terms.obj, terms.indent
    body = " " + terms.pred(_P["hasBody"]) + " "
    last_node, last_spelled = None, ""

    def spell(record: Record) -> str:
        nonlocal last_node, last_spelled
        node = record[2]
        if node is not last_node:
            last_node, last_spelled = node, obj(node)
        return indent + iri(record[1]) + body + last_spelled + " .\n"

    return spell


def _span_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("span", target, paper, exact, prefix, suffix, start, end)``: the target, its
    ``oa:TextQuoteSelector`` and its ``oa:TextPositionSelector`` (three statements)."""
    iri, indent, known, recurring = terms.iri, terms.indent, terms.known, terms.recurring
    target_head = terms.head(_C["SpecificResource"], _P["hasSource"])
    has_selector = terms.then(_P["hasSelector"])
    quote_head = terms.head(_C["TextQuoteSelector"], _P["exact"])
    prefix, suffix = terms.then(_P["prefix"]), terms.then(_P["suffix"])
    position_head = terms.head(_C["TextPositionSelector"], _P["start"])
    position_end = terms.then(_P["end"])

    def spell(record: Record) -> str:
        _, target, paper, exact, before, after, start, stop = record
        # <paper>/text/<start>-<end> and its /quote and /position: instance IRIs under the
        # base (no vocabulary term has a "/" in its local name), spelled alike as subject and object
        t = iri(target)
        q, pos = t[:-1] + "/quote>", t[:-1] + "/position>"
        text = (indent + t + target_head + (known(paper) or recurring(paper)) + has_selector + q + has_selector + pos
                + " .\n" + indent + q + quote_head + _string(exact))
        if before:
            text += prefix + _string(before)
        if after:
            text += suffix + _string(after)
        return text + " .\n" + indent + pos + position_head + start + position_end + stop + " .\n"

    return spell


def _annotation_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("annotation", annotation, [targets], confidence, activity)``: one ``oa:Annotation``."""
    iri, indent, known, recurring = terms.iri, terms.indent, terms.known, terms.recurring
    annotation = " " + terms.pred(A) + " " + terms.obj(_C["Annotation"])
    has_target, confidence = terms.then(_P["hasTarget"]), terms.then(_K["confidence"])
    generated_by = terms.then(_P["wasGeneratedBy"])

    def spell(record: Record) -> str:
        _, ann, targets, conf, activity = record
        return (indent + iri(ann) + annotation + "".join([has_target + iri(t) for t in targets])
                + confidence + conf + generated_by + (known(activity) or recurring(activity)) + " .\n")

    return spell


def _link_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("link", node, paper, role property, concept, count, confidence)``: one ``kg:PaperLink``."""
    iri, indent, known, recurring = terms.iri, terms.indent, terms.known, terms.recurring
    head = terms.head(_K["PaperLink"], _P["rdfSubject"])
    rdf_predicate, rdf_object = terms.then(_P["rdfPredicate"]), terms.then(_P["rdfObject"])
    count, confidence = terms.then(_K["count"]), terms.then(_K["confidence"])

    def spell(record: Record) -> str:
        _, node, paper, role, concept, n, conf = record
        return (indent + iri(node) + head + (known(paper) or recurring(paper)) + rdf_predicate
                + (known(role) or recurring(role)) + rdf_object + (known(concept) or recurring(concept))
                + count + n + confidence + conf + " .\n")

    return spell


def _relation_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("relation", node, source, property, target, count, papers, confidence)``: one
    ``kg:RelationAssertion``."""
    iri, indent, known, recurring = terms.iri, terms.indent, terms.known, terms.recurring
    head = terms.head(_K["RelationAssertion"], _P["rdfSubject"])
    rdf_predicate, rdf_object = terms.then(_P["rdfPredicate"]), terms.then(_P["rdfObject"])
    count, paper_count, confidence = terms.then(_K["count"]), terms.then(_K["paperCount"]), terms.then(_K["confidence"])

    def spell(record: Record) -> str:
        _, node, source, prop, target, n, papers, conf = record
        return (indent + iri(node) + head + (known(source) or recurring(source)) + rdf_predicate
                + (known(prop) or recurring(prop)) + rdf_object + (known(target) or recurring(target))
                + count + n + paper_count + papers + confidence + conf + " .\n")

    return spell


def _cooccurrence_speller(terms: _TurtleTerms) -> Callable[[Record], str]:
    """``("cooccurrence", row, rank, other concept, assertion)``: one ranked co-occurrence row."""
    iri, indent, known, recurring = terms.iri, terms.indent, terms.known, terms.recurring
    head = " " + terms.pred(_K["coOccurrenceRank"]) + " "
    concept, assertion = terms.then(_K["coOccurringConcept"]), terms.then(_K["coOccurrenceAssertion"])

    def spell(record: Record) -> str:
        _, row, rank, other, of = record
        return (indent + iri(row) + head + rank + concept + (known(other) or recurring(other))
                + assertion + iri(of) + " .\n")

    return spell


def _string(lexical: str) -> str:
    """A plain string literal whose lexical form is clean already (what ``obj(Lit(lexical))`` spells)."""
    return '"' + (lexical.translate(_ESCAPES) if _NEEDS_ESCAPE.search(lexical) else lexical) + '"'


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
