"""The RDF writer: every format says the same thing, IRIs are stable and safe, output conforms
to ontology/shapes.ttl (pySHACL), and writing is atomic."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS, XSD

from kg.models import Evidence, KnowledgeGraph, Paper, PaperLink
from kg.rdf.formats import FORMATS, get_format
from kg.rdf.iris import check_base_iri, concept_iri, paper_iri
from kg.rdf.namespace import KG, OA
from kg.rdf.write import write_rdf

from ..synthetic_kg import synthetic_kg
from .conftest import SHAPES


def _triples(path, fmt) -> set:
    if fmt.quads:
        ds = rdflib.Dataset(default_union=True)
        ds.parse(path, format=fmt.rdflib_format)
        return {(s, p, o) for s, p, o, _ in ds.quads()}
    return set(rdflib.Graph().parse(path, format=fmt.rdflib_format))


def _validate(graph: rdflib.Graph) -> tuple[bool, str]:
    conforms, _, text = pyshacl.validate(graph, shacl_graph=rdflib.Graph().parse(SHAPES), advanced=True)
    return conforms, text


def test_every_format_holds_the_same_triples_for_rdflib_and_oxigraph(small_kg, tmp_path):
    triples = {}
    for name, fmt in FORMATS.items():
        path = write_rdf(small_kg, tmp_path, format=name)
        assert path.name == fmt.filename
        triples[name] = _triples(path, fmt)
        store = ox.Store()
        store.bulk_load(path=str(path), format=getattr(ox.RdfFormat, fmt.oxigraph_format))
        assert len(store) == len(triples[name]), name
    reference = triples["nt"]
    assert len(reference) > 400
    assert all(t == reference for t in triples.values())


def test_unknown_format_and_bad_base_are_refused_before_writing(small_kg, tmp_path):
    with pytest.raises(ValueError, match="turtle, nt, json-ld, trig"):
        write_rdf(small_kg, tmp_path, format="rdfxml")
    with pytest.raises(ValueError, match="base IRI"):
        write_rdf(small_kg, tmp_path, base_iri="not an iri")
    assert list(tmp_path.iterdir()) == []
    assert get_format("TTL").name == "turtle" and get_format("jsonld").name == "json-ld"


def test_small_graph_conforms_to_the_shapes(small_ttl):
    conforms, report = _validate(rdflib.Graph().parse(small_ttl))
    assert conforms, report


def test_synthetic_graph_conforms_to_the_shapes(tmp_path):
    path = write_rdf(synthetic_kg(30, seed=2), tmp_path, format="nt")
    conforms, report = _validate(rdflib.Graph().parse(path))
    assert conforms, report


def test_shapes_catch_broken_graphs(small_ttl):
    g = rdflib.Graph().parse(small_ttl)
    cora = next(g.subjects(SKOS.prefLabel, Literal("Cora")))
    g.add((cora, SKOS.prefLabel, Literal("Cora again")))  # two preferred labels
    g.add((cora, rdflib.RDF.type, KG.Method))  # two concept classes
    selector = sorted(g.subjects(OA.exact, None))[0]
    g.set((selector, OA.exact, Literal("not the quoted text")))
    link = next(g.subjects(rdflib.RDF.type, KG.PaperLink))
    g.set((link, KG.count, Literal(-1)))
    g.remove((None, KG.proposes, None))  # qualified link without its direct triple
    conforms, report = _validate(g)
    assert not conforms
    for constraint in ("MaxCount", "Xone", "QuoteMatchesPosition", "MinInclusive", "DirectTripleWritten"):
        assert constraint in report, constraint


def test_iris_are_stable_percent_encoded_and_independent_of_order(small_kg, tmp_path):
    first = write_rdf(small_kg, tmp_path / "a", format="nt").read_bytes()
    shuffled = dataclasses.replace(
        small_kg,
        papers=dict(reversed(small_kg.papers.items())),
        concepts=dict(reversed(small_kg.concepts.items())),
        links=list(reversed(small_kg.links)),
        relations=list(reversed(small_kg.relations)),
        evidence=dict(reversed(small_kg.evidence.items())),
    )
    assert write_rdf(shuffled, tmp_path / "b", format="nt").read_bytes() == first
    base = check_base_iri(None)
    assert paper_iri(base, "doi:10.1000/a<b>#c d") == base + "paper/doi:10.1000%2Fa%3Cb%3E%23c%20d"
    assert concept_iri(base, "method/graph-neural-networks") == base + "concept/method/graph-neural-networks"
    g = rdflib.Graph().parse(data=first.decode(), format="nt")
    assert (URIRef(base + "paper/doi:10.1000%2Fxyz%2C1"), KG.uses, URIRef(base + "concept/method/transformers")) in g


@pytest.mark.parametrize("base", ["https://example.org/kg/", "https://example.org/kg#", "urn:x-kg:"])
def test_custom_base_iri(small_kg, tmp_path, base):
    for fmt in ("turtle", "trig"):
        path = write_rdf(small_kg, tmp_path, format=fmt, base_iri=base)
        subjects = {str(s) for s, _, _ in _triples(path, get_format(fmt)) if not str(s).startswith("http://www.w3")}
        assert subjects and all(s.startswith(check_base_iri(base)) for s in subjects), fmt


def test_dates_are_typed_as_precisely_as_the_source(small_ttl):
    g = rdflib.Graph().parse(small_ttl)
    dates = {lit.datatype for lit in g.objects(None, rdflib.DCTERMS.date)}
    assert dates == {XSD.date, XSD.gYearMonth, XSD.gMonthDay}


def test_evidence_quotes_and_positions(small_kg, small_ttl):
    g = rdflib.Graph().parse(small_ttl)
    rows = g.query(
        """SELECT ?paper ?exact ?prefix ?suffix ?start ?end WHERE {
             ?ann a oa:Annotation ; oa:hasTarget ?t .
             ?t oa:hasSource ?paper ; oa:hasSelector ?q, ?p .
             ?q oa:exact ?exact . OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
             ?p oa:start ?start ; oa:end ?end }""",
        initNs={"oa": OA},
    )
    by_iri = {paper_iri(check_base_iri(None), p.id): p for p in small_kg.papers.values()}
    assert len(rows) >= len(small_kg.evidence)
    for paper, exact, prefix, suffix, start, end in rows:
        text = by_iri[str(paper)].text
        assert text[int(start):int(end)] == str(exact)
        assert text[: int(start)].endswith(str(prefix or "")) and text[int(end):].startswith(str(suffix or ""))


def test_dangling_references_are_left_out_not_written(tmp_path, caplog):
    paper = Paper("arxiv:1", "T", "A text.")
    kg = KnowledgeGraph(
        papers={paper.id: paper},
        links=[PaperLink(paper.id, "method/missing", "uses", 1, ["e1", "nope"])],
        evidence={"e1": Evidence("e1", "arxiv:404", 0, 1, ((0, 1),), "rule", 1.0)},
    )
    path = write_rdf(kg, tmp_path)
    g = rdflib.Graph().parse(path)
    assert not list(g.subjects(rdflib.RDF.type, KG.PaperLink))
    assert not list(g.subjects(rdflib.RDF.type, OA.Annotation))
    assert "left out" in caplog.text
    conforms, report = _validate(g)
    assert conforms, report


def test_failed_write_leaves_the_previous_file(small_kg, tmp_path):
    path = write_rdf(small_kg, tmp_path)
    before = path.read_bytes()
    broken = dataclasses.replace(small_kg, links=[*small_kg.links])
    broken.links[0] = dataclasses.replace(broken.links[0], confidence=float("nan"))
    with pytest.raises(ValueError, match="finite"):
        write_rdf(broken, tmp_path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_no_triple_is_written_twice(tmp_path):
    lines = write_rdf(synthetic_kg(120, seed=11), tmp_path, format="nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))  # e.g. a paper listing one author twice
