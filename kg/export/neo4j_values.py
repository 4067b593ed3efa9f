"""Neo4j property values: each checked against its kind in the schema, ``None`` and empty lists
left out, with an error message naming the node or relationship (:class:`Neo4jExportError`).

The checks are written for speed (:func:`stored_props` takes values that plainly fit their
kind as they are; :func:`plain_evidence_props` makes the common evidence record in one dict)
because every row of an export goes through them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx

from kg.export.neo4j_schema import BOOLEAN, DOUBLE, LONG, LONG_LIST, STRING, STRING_LIST, Neo4jExportError, Property
from kg.models import paper_text


def check_value(kind: str, value: Any, where: str, name: str) -> Any:
    """Check one property value against its kind; ``None`` means "not stored".

    A stored long is a plain ``int``, a double a plain ``float``."""
    if value is None:
        return None
    if kind == STRING:
        if not isinstance(value, str):
            raise Neo4jExportError(f"{where}: property {name!r} should be a string, not {type(value).__name__}")
        return value
    if kind == LONG:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Neo4jExportError(f"{where}: property {name!r} should be an integer, not {type(value).__name__}")
        if not -(2**63) <= value < 2**63:
            raise Neo4jExportError(f"{where}: property {name!r} = {value} does not fit a 64-bit integer")
        return int(value)  # a plain int (the writers spell lists of longs with the list's repr)
    if kind == DOUBLE:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Neo4jExportError(f"{where}: property {name!r} should be a number, not {type(value).__name__}")
        if not math.isfinite(value):
            raise Neo4jExportError(f"{where}: property {name!r} = {value} is not a finite number")
        return float(value)
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise Neo4jExportError(f"{where}: property {name!r} should be true or false, not {type(value).__name__}")
        return value
    if kind in (STRING_LIST, LONG_LIST):
        if not isinstance(value, (list, tuple)):
            raise Neo4jExportError(f"{where}: property {name!r} should be a list, not {type(value).__name__}")
        element = STRING if kind == STRING_LIST else LONG
        items = []
        for item in value:
            if item is None:
                raise Neo4jExportError(f"{where}: property {name!r} holds a null, which Neo4j lists cannot")
            items.append(check_value(element, item, where, name))
        return items or None
    raise AssertionError(f"unknown property kind {kind}")


_INT64 = 2**63


_KINDS: dict[int, tuple[Sequence[Property], tuple[tuple[str, str], ...]]] = {}


def _kinds(schema: Sequence[Property]) -> tuple[tuple[str, str], ...]:
    """``(name, kind)`` of each property, remembered per schema object (kept alive with it)."""
    known = _KINDS.get(id(schema))
    if known is None or known[0] is not schema:
        known = _KINDS[id(schema)] = (schema, tuple((prop.name, prop.kind) for prop in schema))
    return known[1]


def stored_props(schema: Sequence[Property], values: dict[str, Any], where, extra: dict[str, Any] | None = None, where_arg: Any = None) -> dict[str, Any]:
    """The stored properties: checked values in schema order, ``None`` and empty lists left out.

    ``extra`` overrides entries of ``values``; ``where`` names the node or relationship in error
    messages: a string, or a function of ``where_arg`` giving it (made only for a message). Values that plainly fit their kind (a
    ``str`` for a string, an ``int`` in range for a long, a finite ``float`` for a double) are
    taken as they are; everything else goes through :func:`check_value`.
    """
    out = {}
    get = values.get
    for name, kind in _kinds(schema):
        value = extra[name] if extra is not None and name in extra else get(name)
        if value is None:
            continue
        cls = type(value)
        if cls is str:
            if kind is STRING:
                out[name] = value
                continue
        elif cls is int:
            if kind is LONG and -_INT64 <= value < _INT64:
                out[name] = value
                continue
        elif cls is float:
            if kind is DOUBLE and math.isfinite(value):
                out[name] = value
                continue
        elif cls is list:
            if kind is STRING_LIST:
                if all([type(item) is str for item in value]):
                    if value:
                        out[name] = value[:]
                    continue
            elif kind is LONG_LIST:
                if all([type(item) is int and -_INT64 <= item < _INT64 for item in value]):
                    if value:
                        out[name] = value[:]
                    continue
        stored = check_value(kind, value, where(where_arg) if callable(where) else where, name)
        if stored is not None:
            out[name] = stored
    return out


def concept_values(node: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The values of a concept that are not its attributes: ``id``, alias forms and counts, type
    vote labels and papers."""
    aliases = attrs.get("aliases") or []
    votes = attrs.get("type_votes") or []
    try:
        forms = [form for form, _ in aliases]
        counts = [count for _, count in aliases]
    except (TypeError, ValueError):
        raise Neo4jExportError(f"concept {node!r}: 'aliases' should be a list of [form, count] pairs") from None
    try:
        vote_labels = [label for label, _ in votes]
        vote_papers = [n for _, n in votes]
    except (TypeError, ValueError):
        raise Neo4jExportError(f"concept {node!r}: 'type_votes' should be a list of [label, papers] pairs") from None
    return {"id": node, "aliases": forms, "alias_counts": counts, "type_vote_labels": vote_labels, "type_vote_papers": vote_papers}


def text_slice(title: str, abstract: str, start: int, end: int) -> str:
    """``paper_text(title, abstract)[start:end]`` without building the paper's text.

    Example
    -------
    >>> [text_slice("Ab", "cd", s, e) for s, e in ((0, 2), (1, 4), (3, 5), (2, 3), (-2, 5))]
    ['Ab', 'b\\nc', 'cd', '\\n', 'cd']
    """
    n = len(title)
    if start >= 0 and end >= 0:
        if end <= n:
            return title[start:end]
        if start > n:
            return abstract[start - n - 1 : end - n - 1]
    return paper_text(title, abstract)[start:end]


def evidence_values(G: nx.MultiDiGraph, evidence_id: str, ev: dict[str, Any]) -> dict[str, Any]:
    paper_id = ev.get("paper")
    try:
        paper = G.nodes.get(paper_id)
    except TypeError:  # unhashable
        paper = None
    if paper is None or paper.get("kind") != "paper":
        raise Neo4jExportError(f"{evidence_where(evidence_id)}: quotes paper {paper_id!r}, which is not in the graph")
    title, abstract = paper.get("title") or "", paper.get("abstract") or ""
    try:
        start, end = ev["sentence"]
        spans = [(int(s), int(e)) for s, e in ev.get("spans") or []]
    except (KeyError, TypeError, ValueError):
        raise Neo4jExportError(f"{evidence_where(evidence_id)}: 'sentence' and 'spans' should be [start, end] offsets") from None
    return {
        "id": evidence_id,
        "paper": paper_id,
        "sentence": text_slice(title, abstract, start, end),
        "sentence_start": start,
        "sentence_end": end,
        "span_starts": [s for s, _ in spans],
        "span_ends": [e for _, e in spans],
        "quotes": [text_slice(title, abstract, s, e) for s, e in spans],
        "method": ev.get("method"),
        "confidence": ev.get("confidence"),
    }


def paper_texts(nodes: Any, papers: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``(title, abstract)`` of each paper node whose title and abstract are strings or missing
    (missing is ``""``), the texts :func:`plain_evidence_props` cuts sentences and quotes from.

    Made once per export, so each of the ~40 evidence records of a paper looks its paper up in a
    plain dict instead of re-reading and re-checking the node's attributes.
    """
    texts = {}
    for node in papers:
        attrs = nodes[node]
        title, abstract = attrs.get("title") or "", attrs.get("abstract") or ""
        if type(title) is str and type(abstract) is str:
            texts[node] = (title, abstract)
    return texts


def plain_evidence_props(texts: dict[str, tuple[str, str]], evidence_id: Any, ev: Any) -> dict[str, Any] | None:
    """The properties :func:`stored_props` gives :func:`evidence_values` for the common evidence record
    (string ids and texts, int offsets, a float confidence), or None for any other record.

    ``texts`` is :func:`paper_texts` of the graph's papers. Evidence nodes are the most numerous
    rows (about 40 per paper); this path makes one dict where the general one makes two and
    checks every value by kind.
    """
    if type(ev) is not dict or type(evidence_id) is not str:
        return None
    paper_id, sentence, spans = ev.get("paper"), ev.get("sentence"), ev.get("spans")
    if type(paper_id) is not str or type(sentence) is not list or len(sentence) != 2 or type(spans) is not list:
        return None
    text = texts.get(paper_id)
    start, end = sentence
    if text is None or type(start) is not int or type(end) is not int or not (-_INT64 <= start < _INT64 and -_INT64 <= end < _INT64):
        return None
    method, confidence = ev.get("method"), ev.get("confidence")
    if not (method is None or type(method) is str) or not (confidence is None or (type(confidence) is float and math.isfinite(confidence))):
        return None
    title, abstract = text
    props = {"id": evidence_id, "paper": paper_id, "sentence": text_slice(title, abstract, start, end), "sentence_start": start, "sentence_end": end}
    if spans:
        starts, ends, quotes = [], [], []
        for span in spans:
            if type(span) is not list or len(span) != 2:
                return None
            s, e = span
            if type(s) is not int or type(e) is not int or not (-_INT64 <= s < _INT64 and -_INT64 <= e < _INT64):
                return None
            starts.append(s)
            ends.append(e)
            quotes.append(text_slice(title, abstract, s, e))
        props["span_starts"] = starts
        props["span_ends"] = ends
        props["quotes"] = quotes
    if method is not None:
        props["method"] = method
    if confidence is not None:
        props["confidence"] = confidence
    return props


def edge_where(u: Any, v: Any, key: Any) -> str:
    return f"edge {u!r} -> {v!r} ({key})"


def edge_where_of(edge: tuple) -> str:
    return edge_where(*edge[:3])


def paper_where(node: str) -> str:
    return f"paper {node!r}"


def concept_where(node: str) -> str:
    return f"concept {node!r}"


def evidence_where(evidence_id: str) -> str:
    return f"evidence {evidence_id!r}"
