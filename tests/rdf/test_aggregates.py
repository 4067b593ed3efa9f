"""The counts the build materialises (kg/rdf/aggregates.py) equal what SPARQL counts over the
links and evidence themselves, and every example query answers what it did before it read them.

Oracle: the example queries as they were, counting at query time (``from_evidence/*.rq``), run
by rdflib on the same graph; co-occurrence against the relations of the knowledge graph itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.rdf.query import load_store, read_query
from kg.rdf.write import write_rdf

from ..synthetic_kg import synthetic_kg
from .conftest import engine_rows
from .graphs import cooccurrence_kg

FROM_EVIDENCE = Path(__file__).with_name("from_evidence")
COUNTED = sorted(p.stem for p in FROM_EVIDENCE.glob("*.rq"))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    kg = synthetic_kg(150, seed=7)
    return kg, load_store(write_rdf(kg, tmp_path_factory.mktemp("agg")), "memory")


#: The pair queries list the first rows (by rank) of what the counting query lists in full.
HEAD = {"datasets-per-method": 100, "methods-for-task": 100, "metrics-for-task": 100}


_RANKS = re.compile(r"VALUES \?rank \{[\d\s]+\}")


def _same_rows(name: str, store) -> list:
    """The example's rows are the counting query's (its first rows for the pair queries); and
    for an example that looks ranks up, so are its first n rows when it looks up ranks 1 to n
    only, n half the rows: the ranks pick the rows, not a sort after them."""
    expected = engine_rows(store, (FROM_EVIDENCE / f"{name}.rq").read_text(encoding="utf-8"))
    text = read_query(None, example=name)
    assert engine_rows(store, text) == expected[: HEAD.get(name, len(expected))]
    n = min(len(expected), HEAD.get(name, len(expected))) // 2
    if _RANKS.search(text) and n:
        head = _RANKS.sub("VALUES ?rank { " + " ".join(map(str, range(1, n + 1))) + " }", text)
        assert engine_rows(store, head) == expected[:n]
    return expected


@pytest.mark.parametrize("name", COUNTED)
def test_example_reads_the_same_rows_as_counting_the_evidence(name, synthetic):
    _, store = synthetic
    expected = _same_rows(name, store)
    assert len(expected) > 1, f"{name}: nothing to compare in the synthetic graph"


@pytest.mark.parametrize("name", COUNTED)
def test_same_rows_on_the_small_hand_made_graph(name, small_kg, tmp_path):
    _same_rows(name, load_store(write_rdf(small_kg, tmp_path), "memory"))


@pytest.mark.parametrize("name", ["new-methods", "top-relations"])
def test_quotes_on_the_hostile_graph(name, tmp_path):
    """kg:exampleQuote is the quote the evidence join picks, with lone surrogates, negative,
    reversed and empty spans, evidence without spans, and evidence of unknown papers."""
    from .graphs import hostile_kg

    assert _same_rows(name, load_store(write_rdf(hostile_kg(), tmp_path), "memory"))


@pytest.mark.parametrize("top", [50, 3])
def test_every_concept_lists_its_first_cooccurrences(top, tmp_path, monkeypatch):
    """For every concept as focus, the example's rows (on both stores) are the first ``top`` rows
    (all of them at 50) of the query that reads both ends of every assertion and sorts, run by
    Oxigraph (rdflib's UNION gives the self co-occurrence once, not once per branch); the build
    keeps ``top``."""
    import kg.rdf.aggregates

    monkeypatch.setattr(kg.rdf.aggregates, "TOP_CO_OCCURRENCES", top)
    graph = cooccurrence_kg()
    path = write_rdf(graph, tmp_path)
    memory, oxigraph = load_store(path, "memory"), load_store(path, "oxigraph")
    counting = (FROM_EVIDENCE / "cooccurring-concepts.rq").read_text(encoding="utf-8")
    counting = re.sub(r"\{\s*SELECT \?focus .*?LIMIT 1\s*\}", "FOCUS", counting, flags=re.S)
    example = read_query(None, example="cooccurring-concepts").replace("?focus kg:paperRank 1 .", "FOCUS")
    assert counting.count("FOCUS") == example.count("FOCUS") == 1
    lengths = []
    for cid in graph.concepts:
        focus = f"VALUES ?focus {{ <https://w3id.org/kg/resource/concept/{cid}> }}"
        expected = engine_rows(oxigraph, counting.replace("FOCUS", focus))
        assert engine_rows(memory, example.replace("FOCUS", focus)) == expected[:top], cid
        assert engine_rows(oxigraph, example.replace("FOCUS", focus)) == expected[:top], cid
        lengths.append(len(expected))
    assert max(lengths) == 12 and (top == 50 or min(lengths) <= top < 12)


def test_cooccurring_concepts_are_the_cooccurrence_relations_of_the_top_concept(synthetic):
    kg, store = synthetic
    focus = min(kg.concepts.values(), key=lambda c: (-c.paper_count, c.label, c.id))
    expected = []
    for rel in kg.relations:
        if rel.type == "CO-OCCURS" and focus.id in (rel.source, rel.target):
            other = kg.concepts[rel.target if rel.source == focus.id else rel.source]
            expected.append((-rel.papers, -rel.count, other.label, other.id))
    expected = sorted(expected)[:50]
    rows = engine_rows(store, read_query(None, example="cooccurring-concepts"))
    assert expected and len(rows) == len(expected)
    got = [(-int(r[5][1]), -int(r[6][1]), r[3][1], r[2][1].rsplit("/concept/", 1)[1]) for r in rows]
    assert got == [(p, s, label, cid) for p, s, label, cid in expected]
    assert {r[0][1] for r in rows} == {f"https://w3id.org/kg/resource/concept/{focus.id}"}


def test_shapes_check_the_counts(small_kg, tmp_path):
    import pyshacl
    import rdflib

    from kg.rdf.namespace import KG

    from .conftest import SHAPES

    graph = rdflib.Graph().parse(write_rdf(small_kg, tmp_path))
    shapes = rdflib.Graph().parse(SHAPES)
    assert pyshacl.validate(graph, shacl_graph=shapes, advanced=True)[0]
    pair = next(graph.subjects(rdflib.RDF.type, KG.MethodDatasetPair))
    graph.set((pair, KG.paperCount, rdflib.Literal(99)))
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, advanced=True)
    assert not conforms and "supportingPaper" in report
