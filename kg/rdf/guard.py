"""Parse a SPARQL query once, as the engines will see it, and refuse what would reach outside the graph.

A query may only read kg's own graph. Three SPARQL features could make an engine open a URL or a
file: ``SERVICE`` (rdflib and Oxigraph both send the sub-query over HTTP), ``FROM`` / ``FROM NAMED``
(rdflib fetches and parses the named document when the dataset has no such graph) and ``LOAD``
(an update, never accepted as a query). So every query, in ``kg query`` and ``kg serve`` and for
both stores, goes through :func:`parse_query` first, which

* expands ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes with rdflib's own function (SPARQL expands them
  before parsing, so ``\\u0053ERVICE`` *is* ``SERVICE``), and refuses text in which an escape is
  left after that one expansion (``\\u005Cu0053``): an engine that expands twice would read a
  different query than the one checked;
* parses the expanded text with rdflib's parser and translates it to the algebra rdflib evaluates;
* walks the whole parse tree and the whole algebra, expressions included (``FILTER EXISTS``,
  ``NOT EXISTS``, sub-queries, ``OPTIONAL``, ``UNION``, ``MINUS``, ``GRAPH``), and refuses any
  ``SERVICE`` pattern and any dataset clause.

The rdflib store then evaluates exactly the checked algebra (no second parse); Oxigraph gets the
expanded text, so it parses the characters that were checked. Beyond that check, rdflib's loading
of ``FROM`` graphs is switched off and a ``SERVICE`` that reached rdflib's evaluator anyway raises
instead of calling out (:func:`_refuse_service`, registered in rdflib's ``CUSTOM_EVALS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import rdflib.plugins.sparql
from rdflib.plugins.sparql.parserutils import CompValue

from kg.rdf.namespace import PREFIXES

__all__ = ["QueryError", "CheckedQuery", "parse_query", "position_message"]


class QueryError(ValueError):
    """A query that cannot run: malformed (the parser's message and position), or refused."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the check: the text after escape expansion and rdflib's prepared query."""

    text: str
    prepared: Any  # rdflib.plugins.sparql.sparql.Query


_LEFTOVER_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
_SERVICE_MESSAGE = "SERVICE (federated query) is not allowed: kg answers from its own graph only"
_DATASET_MESSAGE = ("FROM / FROM NAMED is not allowed: kg answers from its own graph only "
                    "(use GRAPH <name> {...} to pick a named graph)")


def position_message(msg: str, line: int, col: int, text: str) -> str:
    """A parser error as ``malformed query at line L, column C: msg`` with the line and a caret."""
    pointer = " " * (max(col, 1) - 1) + "^"
    return f"malformed query at line {line}, column {col}: {msg}\n  {text}\n  {pointer}"


def expand_escapes(text: str) -> str:
    """``text`` with SPARQL's codepoint escapes expanded, by rdflib's own function; refuses an
    escape that is still there after the expansion (an escaped escape such as ``\\u005Cu0053``)."""
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        expanded = expandUnicodeEscapes(text)
    except ValueError as exc:
        raise QueryError(f"malformed query: {exc}") from None
    if _LEFTOVER_ESCAPE.search(expanded):
        raise QueryError("malformed query: an escape sequence spells another escape sequence")
    return expanded


def _walk(root: Any):
    """Every node under ``root`` (CompValues, lists, tuples, parse results), iteratively: a deeply
    nested query must not overflow the stack here."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, dict):  # CompValue is a dict (an OrderedDict)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def refuse_outside_access(tree: Any) -> None:
    """Raise :class:`QueryError` when ``tree`` (a parse tree or an algebra) holds a ``SERVICE``
    pattern or a dataset clause (``FROM`` / ``FROM NAMED``) anywhere."""
    for node in _walk(tree):
        if not isinstance(node, CompValue):
            continue
        if node.name == "ServiceGraphPattern":
            raise QueryError(_SERVICE_MESSAGE)
        # dict.get: CompValue.get answers a missing key with the key's name
        if node.name == "DatasetClause" or dict.get(node, "datasetClause"):
            raise QueryError(_DATASET_MESSAGE)


def parse_query(text: str) -> CheckedQuery:
    """Parse ``text`` (kg's prefixes pre-declared) and refuse what reaches outside the graph.

    Raises :class:`QueryError` with the parser's message and position for a malformed query (an
    update does not parse as a query), and for a refused one.

    Example
    -------
    >>> parse_query("ASK { ?c a kg:Method }").text
    'ASK { ?c a kg:Method }'
    >>> parse_query(r"SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.rdf.guard.QueryError: SERVICE (federated query) is not allowed: kg answers from its own graph only
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import Query

    expanded = expand_escapes(text)
    try:
        tree = Query.parse_string(expanded, parse_all=True)  # what rdflib's parseQuery does after expanding
    except ParseBaseException as exc:
        raise QueryError(position_message(exc.msg, exc.lineno, exc.col, exc.line)) from None
    except RecursionError:
        raise QueryError("malformed query: nested too deeply") from None
    refuse_outside_access(tree)
    try:
        prepared = translateQuery(tree, None, PREFIXES)
    except RecursionError:
        raise QueryError("malformed query: nested too deeply") from None
    except Exception as exc:  # rdflib reports e.g. an undeclared prefix as a bare Exception
        raise QueryError(f"malformed query: {exc}") from None
    refuse_outside_access(prepared.algebra)
    return CheckedQuery(expanded, prepared)


def _refuse_service(ctx: Any, part: CompValue) -> Any:
    """rdflib custom evaluation step: a ``SERVICE`` that reaches the evaluator raises instead of
    sending the sub-query over HTTP; every other step goes to rdflib's own evaluation."""
    if part.name == "ServiceGraphPattern":
        raise QueryError(_SERVICE_MESSAGE)
    raise NotImplementedError


# rdflib would otherwise fetch and parse ``FROM <url>`` documents while evaluating, and evaluate
# SERVICE by HTTP. Both are process-wide settings of rdflib's SPARQL engine.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
rdflib.plugins.sparql.CUSTOM_EVALS["kg-refuse-service"] = _refuse_service
