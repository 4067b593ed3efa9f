"""Fixtures for the RDF tests: graph files written from the shared small graph, from a seeded
synthetic graph, and from a real ``kg build`` of the bundled sample (built once per session)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from kg.rdf.write import write_rdf

from ..synthetic_kg import synthetic_kg

REPO = Path(__file__).resolve().parents[2]
SHAPES = REPO / "ontology" / "shapes.ttl"
ONTOLOGY = REPO / "ontology" / "kg.ttl"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


@pytest.fixture
def small_ttl(small_kg, tmp_path) -> Path:
    return write_rdf(small_kg, tmp_path)


@pytest.fixture(scope="session")
def synthetic_ttl(tmp_path_factory) -> Path:
    """A 150-paper seeded synthetic graph (ties, hierarchy, every relation kind)."""
    return write_rdf(synthetic_kg(150, seed=7), tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """The output folder of a real ``kg build`` of the bundled sample papers."""
    from kg.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("build") / "output"
    build(BuildOptions(out=out, jobs=1))
    return out


def comparable_rows(sparql_json: dict) -> list[tuple]:
    """SPARQL 1.1 JSON results as rows of normalised terms, in the order given, so that results
    from different engines compare equal when they mean the same thing: numbers by value,
    ``xsd:string`` the same as no datatype, blank nodes by position only."""
    if "boolean" in sparql_json:
        return [(sparql_json["boolean"],)]
    names = sparql_json["head"]["vars"]
    rows = []
    for binding in sparql_json["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append(None)
                continue
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            value, datatype = term["value"], term.get("datatype")
            if kind == "bnode":
                value = "_"
            elif datatype in _INTEGERS or datatype in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
                try:
                    value = Decimal(value).normalize()
                except InvalidOperation:
                    pass
                datatype = "number"
            elif datatype == _XSD + "string":
                datatype = None
            row.append((kind, value, datatype, term.get("xml:lang")))
        rows.append(tuple(row))
    return rows


def engine_rows(store, text: str) -> list[tuple]:
    """Run ``text`` on one of kg's stores and return :func:`comparable_rows` of its JSON result."""
    from kg.rdf.query import render, run_query

    return comparable_rows(json.loads(render(run_query(store, text), "json").body))
