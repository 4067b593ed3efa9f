"""The Turtle and TriG writers (spelled from templates, the fast path) against oracles that do not
share their code: every format parsed back by rdflib holds the same triples as the N-Triples
file (one triple a line), and the triples recounted by brute force from the KnowledgeGraph
(what is kept, what is left out, every quote cut from its paper's text); plus golden files of
two small graphs (scripts/regen_golden.py writes them, a reviewed diff changes them)."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import to_isomorphic

from kg.models import RELATION_TYPES, ROLES, Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation
from kg.rdf.formats import FORMATS, get_format
from kg.rdf.write import write_rdf

from ..helpers import load_script
from ..synthetic_kg import synthetic_kg
from .graphs import hostile_kg

OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
KG = rdflib.Namespace("https://w3id.org/kg/ontology#")
FABIO_WORK = rdflib.URIRef("http://purl.org/spar/fabio/ScholarlyWork")

GRAPHS = {"small": None, "hostile": hostile_kg, "synthetic": lambda: synthetic_kg(200, seed=4), "empty": KnowledgeGraph}


def _parse(path, fmt_name: str) -> rdflib.Graph:
    fmt = get_format(fmt_name)
    if fmt.quads:  # the triples of every named graph, as one graph
        ds = rdflib.Dataset()
        ds.parse(path, format=fmt.rdflib_format)
        g = rdflib.Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    return rdflib.Graph().parse(path, format=fmt.rdflib_format)


def _clean(value: str) -> str:
    """RDF cannot hold a lone surrogate: the writer puts U+FFFD in its place."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)


def _written(kg: KnowledgeGraph, tmp_path, base=None) -> dict[str, rdflib.Graph]:
    out = {}
    for name in FORMATS:
        folder = tmp_path / name
        folder.mkdir()
        out[name] = _parse(write_rdf(kg, folder, format=name, base_iri=base), name)
    return out


@pytest.mark.parametrize("base", [None, "https://example.org/kg#", "urn:x-kg:", "https://w3id.org/kg/resource/x/"])
@pytest.mark.parametrize("name", ["small", "hostile", "empty"])
def test_every_format_parses_to_the_triples_of_the_ntriples_file(name, base, small_kg, tmp_path) -> None:
    kg = small_kg if GRAPHS[name] is None else GRAPHS[name]()
    graphs = _written(kg, tmp_path, base)
    reference = to_isomorphic(graphs["nt"])
    assert len(reference) > 0
    for fmt, g in graphs.items():
        assert to_isomorphic(g) == reference, fmt


@pytest.mark.slow
def test_a_synthetic_graph_parses_to_the_same_triples_in_every_format(tmp_path) -> None:
    graphs = _written(GRAPHS["synthetic"](), tmp_path)
    reference = set(graphs["nt"])
    assert len(reference) > 5000
    for fmt, g in graphs.items():
        assert set(g) == reference, fmt


def _kept(kg: KnowledgeGraph):
    """Brute force: the links and relations the writer keeps, and the evidence each points to."""
    links = [li for li in kg.links if li.paper_id in kg.papers and li.concept_id in kg.concepts and li.role in ROLES]
    relations = [r for r in kg.relations if r.source in kg.concepts and r.target in kg.concepts and r.type in RELATION_TYPES]
    bodies = Counter()
    for edge in (*links, *relations):
        for eid in set(edge.evidence):
            ev = kg.evidence.get(eid)
            if ev is not None and ev.paper_id in kg.papers:
                bodies[eid] += 1
    return links, relations, bodies


@pytest.mark.parametrize("name", list(GRAPHS))
@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_the_template_writers_hold_what_brute_force_counts(name, fmt, small_kg, tmp_path, caplog) -> None:
    kg = small_kg if GRAPHS[name] is None else GRAPHS[name]()
    with caplog.at_level(logging.WARNING, logger="kg.rdf.triples"):
        g = _parse(write_rdf(kg, tmp_path, format=fmt), fmt)
    links, relations, bodies = _kept(kg)
    typed = Counter(o for o in g.objects(None, rdflib.RDF.type))
    assert typed[FABIO_WORK] == len(kg.papers)
    assert typed[rdflib.SKOS.Concept] == len(kg.concepts)
    assert typed[KG.PaperLink] == len(links)
    assert typed[KG.RelationAssertion] == len(relations)
    assert typed[OA.Annotation] == len(bodies)
    assert len(list(g.triples((None, OA.hasBody, None)))) == sum(bodies.values())
    assert sorted(str(t) for t in g.objects(None, rdflib.DCTERMS.title)) == sorted(_clean(p.title) for p in kg.papers.values())
    assert sorted(str(t) for t in g.objects(None, rdflib.SKOS.prefLabel)) == sorted(_clean(c.label) for c in kg.concepts.values())
    left_out = len(kg.links) - len(links) + len(kg.relations) - len(relations)
    assert ("left out" in caplog.text) == (left_out > 0 or sum(len(set(e.evidence)) for e in (*links, *relations)) > sum(bodies.values()))
    # every quote is its paper's text between the target's positions
    text_of = {s: f"{g.value(s, rdflib.DCTERMS.title) or ''}\n{g.value(s, rdflib.DCTERMS.abstract) or ''}" for s in g.subjects(rdflib.RDF.type, FABIO_WORK)}
    targets = set(g.subjects(OA.hasSource, None))
    assert len(targets) == len({(ev.paper_id, s) for eid in bodies for ev in [kg.evidence[eid]]
                                for s in (ev.spans or ((ev.sentence_start, ev.sentence_end),))})
    for target in targets:
        text = text_of[g.value(target, OA.hasSource)]
        selectors = list(g.objects(target, OA.hasSelector))
        start = next(int(g.value(s, OA.start)) for s in selectors if g.value(s, OA.start) is not None)
        end = next(int(g.value(s, OA.end)) for s in selectors if g.value(s, OA.end) is not None)
        exact = next(str(g.value(s, OA.exact)) for s in selectors if g.value(s, OA.exact) is not None)
        assert exact == text[max(start, 0):max(end, 0)]  # the cleaned text: a surrogate and U+FFFD are one character each


def test_rdf_files_match_the_golden_files() -> None:
    """Byte for byte; if a change is intended, run scripts/regen_golden.py and review the diff."""
    golden = Path(__file__).parent / "golden"
    for graph, named in load_script("regen_golden").rdf_files().items():
        assert sorted(named) == sorted(p.name for p in (golden / graph).iterdir()), graph
        for name, data in named.items():
            assert data == (golden / graph / name).read_bytes(), f"{graph}/{name} changed: if intended, run scripts/regen_golden.py and review the diff"


def test_a_nan_confidence_still_fails_the_write(small_kg, tmp_path) -> None:
    broken = dataclasses.replace(small_kg, evidence=dict(small_kg.evidence))
    broken.evidence["e9"] = dataclasses.replace(broken.evidence["e9"], confidence=float("nan"))
    with pytest.raises(ValueError, match="finite"):
        write_rdf(broken, tmp_path)
    assert not list(tmp_path.iterdir())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=40), abstract=st.text(max_size=80), form=st.text(min_size=1, max_size=20),
       start=st.integers(-3, 90), end=st.integers(-3, 90))
def test_any_text_and_span_parse_to_the_ntriples_triples(tmp_path_factory, title, abstract, form, start, end) -> None:
    paper = Paper("arxiv:1", title, abstract)
    concept = Concept("method/x", "METHOD", form, aliases={form: 1})
    ev = Evidence("e", paper.id, min(start, end), max(start, end), ((start, end),), form, 0.5)
    kg = KnowledgeGraph({paper.id: paper}, {concept.id: concept}, [PaperLink(paper.id, concept.id, "uses", 1, ["e"])],
                        [Relation(concept.id, concept.id, "USED-FOR", 1, 1, ["e"], 0.5)], {"e": ev})
    folder = tmp_path_factory.mktemp("any")
    graphs = {}
    for fmt in ("nt", "turtle", "trig"):
        (folder / fmt).mkdir()
        graphs[fmt] = set(_parse(write_rdf(kg, folder / fmt, format=fmt), fmt))
    assert graphs["turtle"] == graphs["nt"] == graphs["trig"]
    quote = _clean(paper.text[max(start, 0):max(end, 0)])
    assert rdflib.Literal(quote) in {o for _, p, o in graphs["nt"] if p == OA.exact}
