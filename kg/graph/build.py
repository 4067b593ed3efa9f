"""The NetworkX view of a :class:`~kg.models.KnowledgeGraph`.

One directed multigraph holds every node and edge kg builds; analytics (:mod:`kg.graph.analytics`),
the concept maps (:mod:`kg.render`) and the Neo4j export (:mod:`kg.export`) all read it, so
they agree on what the graph is.

Schema
------
Nodes (key ``kind``):

* ``kind="concept"``, keyed by ``Concept.id``: ``type`` (METHOD/DATASET/METRIC/TASK), ``label``,
  ``aliases`` (list of ``[form, count]``, most frequent first), ``acronym``, ``paper_count``,
  ``mention_count``, ``first_seen``, ``last_seen``, ``confidence`` (:mod:`kg.resolve.confidence`),
  ``ambiguous_type`` (no label had the vote's margin, :mod:`kg.resolve.types`),
  ``type_votes`` (papers per label, ``[[label, papers], ...]``, only when papers gave it more
  than one label; else null) and ``replaces`` (the retired ids of earlier builds that now lead
  to it, sorted; only when there are any: :mod:`kg.resolve.stable_ids`).
* ``kind="paper"``, keyed by ``Paper.id``: ``title``, ``abstract``, ``date``, ``date_text``,
  ``authors`` (list), ``venue``, ``doi``, ``arxiv_id``, ``url``, ``categories`` (list).

Edges (key ``kind``; the multigraph edge key is the role or relation type):

* ``kind="link"``: paper -> concept, ``role`` (mentions, proposes, uses, evaluates_on, reports,
  addresses), ``count``, ``confidence``, ``evidence`` (list of evidence ids).
* ``kind="relation"``: concept -> concept, ``type`` (USED-FOR, EVALUATE-FOR, ..., CO-OCCURS,
  VARIANT-OF, RELATED-TO), ``count`` (supporting sentences), ``papers``, ``weight`` (= count),
  ``confidence``, ``evidence`` (list of evidence ids).

Graph attributes: ``evidence`` maps an evidence id to ``{"paper", "sentence": [start, end],
"spans": [[start, end], ...], "method", "confidence"}`` (in a graph built here, a read-only
view of the knowledge graph's evidence, :class:`EvidenceTable`; replace it to change it); offsets are into the paper's
``title + "\\n" + abstract``, so :func:`evidence_sentence` can quote it. ``extractor`` names the
pipeline version, ``stats`` holds the build counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from operator import attrgetter
from pathlib import Path
from typing import Any

import networkx as nx

from kg.collector import pausing
from kg.models import Evidence, KnowledgeGraph, paper_text


@pausing
def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Build the NetworkX multigraph of ``kg`` (nodes and edges in a deterministic order).

    Built through NetworkX's public ``add_nodes_from`` / ``add_edges_from`` (one attribute dict
    per node and edge, shared by both ends of an edge); links or relations to a node the graph
    lacks add it bare, and an edge given twice has its attributes updated, as ``add_edge`` does.

    Example
    -------
    >>> from kg.models import KnowledgeGraph, Paper, Concept, PaperLink
    >>> kg = KnowledgeGraph(papers={"p": Paper(id="p", title="T", abstract="A")},
    ...                     concepts={"method/bert": Concept(id="method/bert", type="METHOD", label="BERT")},
    ...                     links=[PaperLink("p", "method/bert", "mentions", 1)])
    >>> G = to_networkx(kg)
    >>> sorted(G.nodes), G.number_of_edges()
    (['method/bert', 'p'], 1)
    """
    G = nx.MultiDiGraph()
    G.graph["extractor"] = kg.extractor_version
    G.graph["stats"] = {
        "records_read": kg.stats.records_read,
        "papers": kg.stats.papers,
        "duplicates": kg.stats.duplicates,
        "skipped": kg.stats.skipped,
    }
    G.add_nodes_from(paper_nodes(kg))
    G.add_nodes_from(concept_nodes(kg))
    G.add_edges_from(link_edges(kg))
    G.add_edges_from(relation_edges(kg))
    G.graph["evidence"] = evidence_table(kg)
    return G


def paper_nodes(kg: KnowledgeGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(paper id, attributes)`` for every paper of ``kg``, sorted by id.

    >>> from kg.models import Paper
    >>> next(paper_nodes(KnowledgeGraph(papers={"p": Paper(id="p", title="T", abstract="A")})))[1]["kind"]
    'paper'
    """
    for paper in sorted(kg.papers.values(), key=attrgetter("id")):
        yield paper.id, {
            "kind": "paper",
            "title": paper.title,
            "abstract": paper.abstract,
            "date": paper.date,
            "date_text": paper.date_text,
            "authors": list(paper.authors),
            "venue": paper.venue,
            "doi": paper.doi,
            "arxiv_id": paper.arxiv_id,
            "url": paper.url,
            "categories": list(paper.categories),
        }


def concept_nodes(kg: KnowledgeGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(concept id, attributes)`` for every concept of ``kg``, sorted by id; aliases as
    ``[form, count]``, most frequent first.

    >>> from kg.models import Concept
    >>> c = Concept(id="method/bert", type="METHOD", label="BERT", aliases={"bert": 1, "BERT": 3})
    >>> next(concept_nodes(KnowledgeGraph(concepts={c.id: c})))[1]["aliases"]
    [['BERT', 3], ['bert', 1]]
    """
    replaces: dict[str, list[str]] = {}
    for old, new in sorted(kg.redirects.items()):
        replaces.setdefault(new, []).append(old)
    for concept in sorted(kg.concepts.values(), key=attrgetter("id")):
        attrs = {
            "kind": "concept",
            "type": concept.type,
            "label": concept.label,
            "aliases": [[form, n] for form, n in sorted(concept.aliases.items(), key=lambda kv: (-kv[1], kv[0]))],
            "acronym": concept.acronym,
            "paper_count": concept.paper_count,
            "mention_count": concept.mention_count,
            "first_seen": concept.first_seen,
            "last_seen": concept.last_seen,
            "confidence": concept.confidence,
            "ambiguous_type": concept.ambiguous_type,
            "type_votes": [[label, n] for label, n in concept.type_votes.items()] if len(concept.type_votes) > 1 else None,
        }
        if concept.id in replaces:
            attrs["replaces"] = replaces[concept.id]
        yield concept.id, attrs


def link_edges(kg: KnowledgeGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(paper, concept, role, attributes)`` for every paper link, sorted; the role is the key.

    >>> from kg.models import PaperLink
    >>> next(link_edges(KnowledgeGraph(links=[PaperLink("p", "method/bert", "uses", 2, ["e1"])])))[:3]
    ('p', 'method/bert', 'uses')
    """
    for link in sorted(kg.links, key=attrgetter("paper_id", "concept_id", "role")):
        yield link.paper_id, link.concept_id, link.role, {
            "kind": "link",
            "role": link.role,
            "count": link.count,
            "confidence": link.confidence,
            "evidence": list(link.evidence),
        }


def relation_edges(kg: KnowledgeGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(source, target, type, attributes)`` for every concept relation, sorted; the type is
    the key and ``weight`` repeats ``count`` (for NetworkX's weighted algorithms).

    >>> from kg.models import Relation
    >>> rel = Relation("method/a", "task/b", "USED-FOR", 2, 1, ["e1"], 0.9)
    >>> next(relation_edges(KnowledgeGraph(relations=[rel])))[3]["weight"]
    2
    """
    for rel in sorted(kg.relations, key=attrgetter("source", "target", "type")):
        yield rel.source, rel.target, rel.type, {
            "kind": "relation",
            "type": rel.type,
            "count": rel.count,
            "papers": rel.papers,
            "weight": rel.count,
            "confidence": rel.confidence,
            "evidence": list(rel.evidence),
        }


def evidence_table(kg: KnowledgeGraph) -> EvidenceTable:
    """The graph-level ``evidence`` attribute: evidence id -> ``{"paper", "sentence", "spans",
    "method", "confidence"}``, in id order (:class:`EvidenceTable`, a view of ``kg.evidence``).

    >>> from kg.models import Evidence
    >>> ev = Evidence("e1", "p", 0, 9, ((2, 5),), "rule", 0.8)
    >>> evidence_table(KnowledgeGraph(evidence={"e1": ev}))["e1"]["spans"]
    [[2, 5]]
    """
    return EvidenceTable(kg.evidence)


class EvidenceTable(Mapping[str, dict[str, Any]]):
    """A read-only mapping of evidence id to its record as a dict, over the
    :class:`~kg.models.Evidence` objects of a knowledge graph, in id order; each dict is made
    when it is read.

    Why not a dict of dicts: those took about 500 bytes per entry (dict, lists, spans copied
    out of the frozen records), 65% of the NetworkX graph at 40,000 arXiv abstracts (0.84 GB
    of 1.29 GB; docs/scale.md, "Memory"). Its readers (the writers, explanations, analytics)
    read each entry a few times at most. A graph loaded from ``graph.json`` holds a plain dict
    with the same keys and values, and the two compare equal.

    >>> from kg.models import Evidence
    >>> table = EvidenceTable({"e2": Evidence("e2", "p", 0, 9, ((2, 5), (6, 8)), "rule", 0.8)})
    >>> list(table), table["e2"] == {"paper": "p", "sentence": [0, 9], "spans": [[2, 5], [6, 8]], "method": "rule", "confidence": 0.8}
    (['e2'], True)
    """

    __slots__ = ("_evidence", "_ids")

    def __init__(self, evidence: Mapping[str, Evidence]):
        self._evidence = evidence
        self._ids = sorted(evidence)

    def __getitem__(self, evidence_id: str) -> dict[str, Any]:
        ev = self._evidence[evidence_id]
        return {
            "paper": ev.paper_id,
            "sentence": [ev.sentence_start, ev.sentence_end],
            "spans": [list(span) for span in ev.spans],
            "method": ev.method,
            "confidence": ev.confidence,
        }

    def __contains__(self, evidence_id: object) -> bool:
        return evidence_id in self._evidence

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def evidence_sentence(G: nx.MultiDiGraph, evidence_id: str) -> tuple[str, str]:
    """Return ``(paper_id, sentence)`` for one evidence id of ``G``."""
    ev = G.graph["evidence"][evidence_id]
    paper = G.nodes[ev["paper"]]
    text = paper_text(paper["title"], paper["abstract"])
    start, end = ev["sentence"]
    return ev["paper"], text[start:end]


def to_node_link(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Node-link data (the ``graph.json`` layout), with edges under ``"edges"``; the evidence
    table as a dict, so that ``json.dump`` takes it."""
    data = nx.node_link_data(G, edges="edges")
    data["graph"] = {k: dict(v) if isinstance(v, EvidenceTable) else v for k, v in data["graph"].items()}
    return data


def from_node_link(data: dict[str, Any]) -> nx.MultiDiGraph:
    """Inverse of :func:`to_node_link`."""
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")


def load_graph(path: str | Path) -> nx.MultiDiGraph:
    """Load a ``graph.json`` written by ``kg build``: NetworkX's ``node_link_graph`` of its JSON.

    Every ``kg`` command that reads a built graph (map, analyze, explain, export neo4j) starts
    here, so its memory is theirs. The file's bytes are parsed by orjson (``json.load`` first
    decodes the whole file into one ``str``, up to 4 bytes a character), and the parsed node and
    edge records are dropped one by one as the graph takes them. On the 9,935-paper graph
    (135 MB): peak RSS 1.06 GB against 1.22 GB with ``json.load``, 0.65 against 0.73 GB after,
    5.2 against 8.8 CPU s (one run each). JSON that orjson refuses but the json module reads
    (``NaN``, integers over 64 bits, lone surrogates) is read by the json module.
    """
    import orjson

    data = Path(path).read_bytes()
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        document = json.loads(data)
    del data
    if isinstance(document, dict) and isinstance(document.get("nodes"), list) and isinstance(document.get("edges"), list):
        document["nodes"], document["edges"] = _taken(document["nodes"]), _taken(document["edges"])
    return from_node_link(document)


def _taken(items: list) -> Iterator[Any]:
    """The items of ``items`` in order, each dropped from the list as it is yielded."""
    items.reverse()
    while items:
        yield items.pop()


def graphml_ready(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` that GraphML can hold: lists and dicts become JSON strings, ``None`` is dropped.

    GraphML attributes are scalars only, so list-valued attributes (aliases, authors, evidence
    ids) are stored as JSON text; the graph-level evidence table is stored the same way.
    """
    H = nx.MultiDiGraph()

    def scalar_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in attrs.items():
            if value is None:
                continue
            if isinstance(value, (list, dict, tuple, EvidenceTable)):
                value = json.dumps(dict(value) if isinstance(value, EvidenceTable) else value, ensure_ascii=False, sort_keys=True)
            out[key] = value
        return out

    H.graph.update(scalar_attrs(G.graph))
    for node, attrs in G.nodes(data=True):
        H.add_node(node, **scalar_attrs(attrs))
    for u, v, key, attrs in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=key, **scalar_attrs(attrs))
    return H
