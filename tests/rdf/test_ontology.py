"""The ontology file and its Python mirror agree, and every term is documented."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.models import LABELS, RELATION_TYPES, ROLES
from kg.rdf.namespace import CONCEPT_CLASSES, KG_NS, MLS, ONTOLOGY_IRI, RELATION_PROPERTIES, ROLE_PROPERTIES, kg_terms

from .conftest import ONTOLOGY


def _ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


def test_namespace_module_mirrors_the_ontology_exactly():
    g = _ontology()
    declared = {s for s in g.subjects(RDF.type, None) if str(s).startswith(KG_NS)}
    assert declared == set(kg_terms())
    assert (rdflib.URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in g


def test_every_term_has_a_label_and_a_comment():
    g = _ontology()
    for term in kg_terms():
        assert g.value(term, RDFS.label), f"{term} has no rdfs:label"
        assert len(str(g.value(term, RDFS.comment) or "")) > 20, f"{term} has no real rdfs:comment"


def test_mappings_cover_the_data_model():
    assert set(CONCEPT_CLASSES) == set(LABELS)
    assert set(ROLE_PROPERTIES) == set(ROLES)
    assert set(RELATION_PROPERTIES) == set(RELATION_TYPES)


def test_concept_classes_are_skos_concepts_aligned_with_ml_schema():
    g = _ontology()
    expected = {"METHOD": MLS.Algorithm, "DATASET": MLS.Dataset, "METRIC": MLS.EvaluationMeasure, "TASK": MLS.Task}
    for label, cls in CONCEPT_CLASSES.items():
        supers = set(g.objects(cls, RDFS.subClassOf))
        assert rdflib.URIRef("http://www.w3.org/2004/02/skos/core#Concept") in supers
        assert expected[label] in supers


def test_resolution_relations_specialise_skos():
    g = _ontology()
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert g.value(RELATION_PROPERTIES["HYPONYM-OF"], RDFS.subPropertyOf) == rdflib.URIRef(skos + "broader")
    assert g.value(RELATION_PROPERTIES["VARIANT-OF"], RDFS.subPropertyOf) == rdflib.URIRef(skos + "broader")
    assert g.value(RELATION_PROPERTIES["RELATED-TO"], RDFS.subPropertyOf) == rdflib.URIRef(skos + "related")
    for role, prop in ROLE_PROPERTIES.items():
        if role != "mentions":
            assert g.value(prop, RDFS.subPropertyOf) == ROLE_PROPERTIES["mentions"]


def test_written_graph_uses_only_declared_kg_terms(small_ttl):
    declared = {str(t) for t in kg_terms()}
    g = rdflib.Graph().parse(small_ttl)
    used = {str(t) for triple in g for t in triple if str(t).startswith(KG_NS)}
    assert used and used <= declared
