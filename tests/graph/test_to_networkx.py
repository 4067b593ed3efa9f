"""to_networkx fills NetworkX's adjacency dicts directly: the graph must be exactly the one
``add_node`` / ``add_edge`` build (the code before, kept below as the reference), in the same
node, edge and attribute order, including links or relations to nodes the graph lacks."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest

from kg.graph.build import to_networkx
from kg.models import KnowledgeGraph, PaperLink, Relation
from kg.rdf.synthetic import synthetic_kg


def reference_to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """kg.graph.build.to_networkx at commit 2ae9ff1 (verbatim but for the docstring)."""
    G = nx.MultiDiGraph()
    G.graph["extractor"] = kg.extractor_version
    G.graph["stats"] = {
        "records_read": kg.stats.records_read,
        "papers": kg.stats.papers,
        "duplicates": kg.stats.duplicates,
        "skipped": kg.stats.skipped,
    }
    for paper in sorted(kg.papers.values(), key=lambda p: p.id):
        G.add_node(
            paper.id, kind="paper", title=paper.title, abstract=paper.abstract, date=paper.date, date_text=paper.date_text,
            authors=list(paper.authors), venue=paper.venue, doi=paper.doi, arxiv_id=paper.arxiv_id, url=paper.url,
            categories=list(paper.categories),
        )
    for concept in sorted(kg.concepts.values(), key=lambda c: c.id):
        G.add_node(
            concept.id, kind="concept", type=concept.type, label=concept.label,
            aliases=[[form, n] for form, n in sorted(concept.aliases.items(), key=lambda kv: (-kv[1], kv[0]))],
            acronym=concept.acronym, paper_count=concept.paper_count, mention_count=concept.mention_count,
            first_seen=concept.first_seen, last_seen=concept.last_seen,
        )
    for link in sorted(kg.links, key=lambda l: (l.paper_id, l.concept_id, l.role)):
        G.add_edge(link.paper_id, link.concept_id, key=link.role, kind="link", role=link.role, count=link.count,
                   confidence=link.confidence, evidence=list(link.evidence))
    for rel in sorted(kg.relations, key=lambda r: (r.source, r.target, r.type)):
        G.add_edge(rel.source, rel.target, key=rel.type, kind="relation", type=rel.type, count=rel.count, papers=rel.papers,
                   weight=rel.count, confidence=rel.confidence, evidence=list(rel.evidence))
    G.graph["evidence"] = {
        ev.id: {"paper": ev.paper_id, "sentence": [ev.sentence_start, ev.sentence_end], "spans": [list(span) for span in ev.spans],
                "method": ev.method, "confidence": ev.confidence}
        for ev in sorted(kg.evidence.values(), key=lambda e: e.id)
    }
    return G


def assert_identical(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert [list(a) for _, a in G.nodes(data=True)] == [list(a) for _, a in H.nodes(data=True)]
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))
    assert list(G.in_edges(keys=True, data=True)) == list(H.in_edges(keys=True, data=True))
    assert [list(d) for *_, d in G.edges(keys=True, data=True)] == [list(d) for *_, d in H.edges(keys=True, data=True)]
    assert G.graph == H.graph and list(G.graph) == list(H.graph)
    for u, v, k in G.edges(keys=True):  # one attribute dict per edge, seen from both ends
        assert G._succ[u][v][k] is G._pred[v][u][k]


def dangling_kg() -> KnowledgeGraph:
    """Links and relations to papers and concepts that are not in the graph, one edge twice."""
    kg = synthetic_kg(20, seed=9)
    links = [*kg.links, PaperLink("arxiv:missing", "method/missing", "uses", 1, ["x"]), dataclasses.replace(kg.links[0], count=7)]
    relations = [*kg.relations, Relation("method/none", next(iter(kg.concepts)), "USED-FOR", 1, 1, [], 0.5)]
    return dataclasses.replace(kg, links=links, relations=relations)


@pytest.mark.parametrize("make", [lambda: synthetic_kg(150, seed=2), dangling_kg, KnowledgeGraph])
def test_same_graph_as_add_node_and_add_edge(make) -> None:
    kg = make()
    assert_identical(to_networkx(kg), reference_to_networkx(kg))


def test_small_graph(small_kg) -> None:
    assert_identical(to_networkx(small_kg), reference_to_networkx(small_kg))
