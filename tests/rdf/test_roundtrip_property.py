"""Issue 9: any Unicode string in a label, title, abstract, alias or author survives the RDF
writer and rdflib's parsers unchanged (lone surrogates, which RDF cannot hold, become U+FFFD)."""

from __future__ import annotations

import tempfile

import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import DC, DCTERMS, SKOS

from kg.models import Concept, KnowledgeGraph, Paper, PaperLink
from kg.rdf.formats import FORMATS
from kg.rdf.write import write_rdf

_text = st.text(max_size=60)  # every code point but surrogates: controls, NUL, RTL, astral planes...


def _graph(title: str, abstract: str, label: str, alias: str, author: str, paper_id: str) -> KnowledgeGraph:
    paper = Paper(paper_id, title, abstract, authors=(author,))
    concept = Concept("method/x", "METHOD", label, aliases={alias: 1, label: 1})
    return KnowledgeGraph({paper.id: paper}, {concept.id: concept}, [PaperLink(paper.id, concept.id, "uses", 1)])


def _parse(path, fmt) -> rdflib.Graph:
    if fmt.quads:
        ds = rdflib.Dataset(default_union=True)
        ds.parse(path, format=fmt.rdflib_format)
        g = rdflib.Graph()
        for s, p, o, _ in ds.quads():
            g.add((s, p, o))
        return g
    return rdflib.Graph().parse(path, format=fmt.rdflib_format)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_text, abstract=_text, label=_text, alias=_text, author=_text, paper_id=st.text(min_size=1, max_size=30))
def test_any_unicode_string_round_trips(title, abstract, label, alias, author, paper_id):
    kg = _graph(title, abstract, label, alias, author, paper_id)
    with tempfile.TemporaryDirectory() as folder:
        for fmt in FORMATS.values():
            g = _parse(write_rdf(kg, folder, format=fmt.name), fmt)
            assert {str(o) for o in g.objects(None, DCTERMS.title)} == {title}, fmt.name
            assert {str(o) for o in g.objects(None, DCTERMS.abstract)} == {abstract}, fmt.name
            assert {str(o) for o in g.objects(None, DC.creator)} == {author}, fmt.name
            assert {str(o) for o in g.objects(None, SKOS.prefLabel)} == {label}, fmt.name
            alt = {str(o) for o in g.objects(None, SKOS.altLabel)}
            assert alt == ({alias} - {label}), fmt.name
            assert {str(o) for o in g.objects(None, DCTERMS.identifier)} >= {paper_id}, fmt.name


@settings(max_examples=25, deadline=None)
@given(before=_text, after=_text, surrogate=st.integers(0xD800, 0xDFFF))
def test_lone_surrogates_become_replacement_characters(before, after, surrogate):
    title = before + chr(surrogate) + after
    kg = _graph(title, "", "l", "l", "a", "title:x")
    with tempfile.TemporaryDirectory() as folder:
        g = rdflib.Graph().parse(write_rdf(kg, folder, format="nt"), format="nt")
    assert {str(o) for o in g.objects(None, DCTERMS.title)} == {before + "\ufffd" + after}
