"""The one Python mirror of kg's ontology (``ontology/kg.ttl``) and of the vocabularies it reuses.

Every IRI kg writes or queries comes from here: :class:`KG` lists kg's own terms (a test checks
that it names exactly the terms ``ontology/kg.ttl`` declares), and the mappings below tie the
records of :mod:`kg.models` to ontology terms:

* :data:`CONCEPT_CLASSES`: concept type (``METHOD`` ...) -> ``kg:Method`` ...
* :data:`ROLE_PROPERTIES`: paper -> concept role (``evaluates_on`` ...) -> ``kg:evaluatesOn`` ...
* :data:`RELATION_PROPERTIES`: relation type (``USED-FOR`` ...) -> ``kg:usedFor`` ...
* :data:`PREFIXES`: the prefixes written into Turtle output and available in every query
  without a ``PREFIX`` declaration (``kg:``, ``skos:``, ``dcterms:``, ...).

Example
-------
>>> str(KG.Method)
'https://w3id.org/kg/ontology#Method'
>>> ROLE_PROPERTIES["evaluates_on"] == KG.evaluatesOn
True
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DC, DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace

#: kg's ontology IRI and its term namespace.
ONTOLOGY_IRI = "https://w3id.org/kg/ontology"
KG_NS = ONTOLOGY_IRI + "#"
#: Where instances (papers, concepts, evidence, ...) live unless ``--base-iri`` says otherwise.
DEFAULT_BASE_IRI = "https://w3id.org/kg/resource/"

OA = Namespace("http://www.w3.org/ns/oa#")
FABIO = Namespace("http://purl.org/spar/fabio/")
PRISM = Namespace("http://prismstandard.org/namespaces/basic/2.0/")
MLS = Namespace("http://www.w3.org/ns/mls#")
CSO = Namespace("http://cso.kmi.open.ac.uk/schema/cso#")
LPWC_CLASS = Namespace("https://linkedpaperswithcode.com/class/")
LPWC_PROPERTY = Namespace("https://linkedpaperswithcode.com/property/")
SCHEMA = SDO  # https://schema.org/


class KG(DefinedNamespace):
    """kg's own terms (``https://w3id.org/kg/ontology#``); see ``ontology/README.md``."""

    _NS = Namespace(KG_NS)
    _fail = True

    # concept classes
    Method: URIRef
    Dataset: URIRef
    Metric: URIRef
    Task: URIRef
    # qualified edges
    PaperLink: URIRef
    RelationAssertion: URIRef
    # aggregates materialised at build time (kg/rdf/aggregates.py)
    ConceptPair: URIRef
    MethodDatasetPair: URIRef
    MethodTaskPair: URIRef
    TaskMetricPair: URIRef
    ConceptsByDate: URIRef
    RankedCoOccurrence: URIRef
    pairMethod: URIRef
    pairDataset: URIRef
    pairTask: URIRef
    pairMetric: URIRef
    supportingPaper: URIRef
    conceptType: URIRef
    conceptCount: URIRef
    linkingPaperCount: URIRef
    proposingPaperCount: URIRef
    usingPaperCount: URIRef
    evaluatingPaperCount: URIRef
    reportingPaperCount: URIRef
    addressingPaperCount: URIRef
    linkingPaperRank: URIRef
    aliasRank: URIRef
    paperRank: URIRef
    rank: URIRef
    exampleQuote: URIRef
    topCoOccurrence: URIRef
    coOccurrenceRank: URIRef
    coOccurringConcept: URIRef
    coOccurrenceAssertion: URIRef
    # paper -> concept
    mentions: URIRef
    proposes: URIRef
    uses: URIRef
    evaluatesOn: URIRef
    reports: URIRef
    addresses: URIRef
    # concept -> concept
    usedFor: URIRef
    evaluateFor: URIRef
    comparedWith: URIRef
    hyponymOf: URIRef
    partOf: URIRef
    featureOf: URIRef
    conjunction: URIRef
    measuredBy: URIRef
    coOccursWith: URIRef
    variantOf: URIRef
    relatedTo: URIRef
    # counts and scores
    count: URIRef
    paperCount: URIRef
    mentionCount: URIRef
    confidence: URIRef
    # concepts
    acronym: URIRef
    ambiguousType: URIRef
    firstSeen: URIRef
    lastSeen: URIRef
    # papers
    arxivId: URIRef
    sourceId: URIRef
    dateText: URIRef
    truncated: URIRef


def kg_terms() -> list[URIRef]:
    """Every term of :class:`KG`, in declaration order."""
    return [KG[name] for name in KG.__annotations__]


#: Concept type (kg.models.LABELS) -> its class.
CONCEPT_CLASSES: dict[str, URIRef] = {
    "METHOD": KG.Method,
    "DATASET": KG.Dataset,
    "METRIC": KG.Metric,
    "TASK": KG.Task,
}

#: Paper -> concept role (kg.models.ROLES) -> its property.
ROLE_PROPERTIES: dict[str, URIRef] = {
    "mentions": KG.mentions,
    "proposes": KG.proposes,
    "uses": KG.uses,
    "evaluates_on": KG.evaluatesOn,
    "reports": KG.reports,
    "addresses": KG.addresses,
}

#: Concept -> concept relation type (kg.models.RELATION_TYPES) -> its property.
RELATION_PROPERTIES: dict[str, URIRef] = {
    "USED-FOR": KG.usedFor,
    "EVALUATE-FOR": KG.evaluateFor,
    "COMPARE": KG.comparedWith,
    "HYPONYM-OF": KG.hyponymOf,
    "PART-OF": KG.partOf,
    "FEATURE-OF": KG.featureOf,
    "CONJUNCTION": KG.conjunction,
    "MEASURED-BY": KG.measuredBy,
    "CO-OCCURS": KG.coOccursWith,
    "VARIANT-OF": KG.variantOf,
    "RELATED-TO": KG.relatedTo,
}

#: Relation types that are also written as the SKOS relation they specialise, so that plain
#: SKOS clients see the hierarchy without reasoning.
SKOS_SUPER_PROPERTIES: dict[str, URIRef] = {
    "HYPONYM-OF": SKOS.broader,
    "VARIANT-OF": SKOS.broader,
    "RELATED-TO": SKOS.related,
}

#: The class of papers (FaBiO); kg declares no paper class of its own.
PAPER_CLASS = FABIO.ScholarlyWork

#: Prefix -> namespace IRI: written at the top of Turtle/TriG output, put in JSON-LD's
#: @context, and pre-declared in every query (a query's own PREFIX lines take precedence).
PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dc": str(DC),
    "fabio": str(FABIO),
    "prism": str(PRISM),
    "schema": str(SCHEMA),
    "oa": str(OA),
    "prov": str(PROV),
    "mls": str(MLS),
}


def sparql_prologue(query: str | None = None) -> str:
    """``PREFIX`` declarations for :data:`PREFIXES`, one line, leaving out those ``query`` declares.

    For engines that take no default prefixes (Apache Jena over HTTP, other endpoints):
    prepending this single line shifts a parser's line numbers by exactly one.

    Example
    -------
    >>> "PREFIX kg: <https://w3id.org/kg/ontology#>" in sparql_prologue("SELECT * {}")
    True
    >>> "PREFIX kg:" in sparql_prologue("PREFIX kg: <urn:x#> SELECT * {}")
    False
    """
    import re

    declared = set()
    if query:
        declared = {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z][\w.-]*|)\s*:", query)}
    return " ".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items() if name not in declared)
