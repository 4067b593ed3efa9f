"""to_networkx against the schema in its docstring, record by record: every paper, concept, link,
relation and evidence record of the KnowledgeGraph is found in the graph with exactly the
attributes the schema names (read back through ``G.nodes`` / ``G.edges``), in sorted order,
with nothing else in the graph; links or relations to nodes the graph lacks add bare nodes,
and an edge given twice keeps the last record's attributes."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest

from kg.graph.build import to_networkx
from kg.models import KnowledgeGraph, PaperLink, Relation

from ..synthetic_kg import synthetic_kg


def expected_nodes(kg: KnowledgeGraph) -> list[tuple[str, dict]]:
    """The schema's node list: papers by id, then concepts by id, then bare edge ends in edge order."""
    nodes = [
        (p.id, {"kind": "paper", "title": p.title, "abstract": p.abstract, "date": p.date, "date_text": p.date_text,
                "authors": list(p.authors), "venue": p.venue, "doi": p.doi, "arxiv_id": p.arxiv_id, "url": p.url,
                "categories": list(p.categories)})
        for p in sorted(kg.papers.values(), key=lambda p: p.id)
    ]
    nodes += [
        (c.id, {"kind": "concept", "type": c.type, "label": c.label,
                "aliases": sorted(([form, n] for form, n in c.aliases.items()), key=lambda fn: (-fn[1], fn[0])),
                "acronym": c.acronym, "paper_count": c.paper_count, "mention_count": c.mention_count,
                "first_seen": c.first_seen, "last_seen": c.last_seen, "confidence": c.confidence,
                "ambiguous_type": c.ambiguous_type,
                "type_votes": [[label, n] for label, n in c.type_votes.items()] if len(c.type_votes) > 1 else None})
        for c in sorted(kg.concepts.values(), key=lambda c: c.id)
    ]
    seen = {n for n, _ in nodes}
    for u, v, _, _ in expected_edges(kg):
        for end in (u, v):
            if end not in seen:
                seen.add(end)
                nodes.append((end, {}))
    return nodes


def expected_edges(kg: KnowledgeGraph) -> list[tuple[str, str, str, dict]]:
    """The schema's edges: links then relations, each sorted; a repeated (u, v, key) keeps its
    first position and its last attributes."""
    edges: dict[tuple[str, str, str], dict] = {}
    for li in sorted(kg.links, key=lambda li: (li.paper_id, li.concept_id, li.role)):
        edges[li.paper_id, li.concept_id, li.role] = {
            "kind": "link", "role": li.role, "count": li.count, "confidence": li.confidence, "evidence": list(li.evidence)}
    for r in sorted(kg.relations, key=lambda r: (r.source, r.target, r.type)):
        edges[r.source, r.target, r.type] = {
            "kind": "relation", "type": r.type, "count": r.count, "papers": r.papers, "weight": r.count,
            "confidence": r.confidence, "evidence": list(r.evidence)}
    return [(*key, attrs) for key, attrs in edges.items()]


def assert_matches_schema(G: nx.MultiDiGraph, kg: KnowledgeGraph) -> None:
    nodes = expected_nodes(kg)
    assert list(G.nodes(data=True)) == nodes
    assert [list(a) for _, a in G.nodes(data=True)] == [list(a) for _, a in nodes]  # attribute order too
    assert sorted(G.edges(keys=True, data=True)) == sorted(expected_edges(kg))
    first: dict[str, list] = {}
    for i, (u, v, k, _) in enumerate(expected_edges(kg)):
        first.setdefault(u, []).append((v, k, i))
    for u in G:  # each node's out-edges in the order they were added
        assert [(v, k) for v, k, _ in first.get(u, [])] == [(v, k) for _, v, k in G.out_edges(u, keys=True)]
    assert list(G.graph) == ["extractor", "stats", "evidence"]
    assert G.graph["extractor"] == kg.extractor_version
    assert G.graph["stats"] == {f: getattr(kg.stats, f) for f in ("records_read", "papers", "duplicates", "skipped")}
    assert list(G.graph["evidence"]) == sorted(kg.evidence)
    for ev_id, ev in G.graph["evidence"].items():
        rec = kg.evidence[ev_id]
        assert ev == {"paper": rec.paper_id, "sentence": [rec.sentence_start, rec.sentence_end],
                      "spans": [list(s) for s in rec.spans], "method": rec.method, "confidence": rec.confidence}
    for u, v, k, d in G.edges(keys=True, data=True):  # one attribute dict per edge, seen from both ends
        assert G.pred[v][u][k] is d


def dangling_kg() -> KnowledgeGraph:
    """Links and relations to papers and concepts that are not in the graph, one edge twice."""
    kg = synthetic_kg(20, seed=9)
    links = [*kg.links, PaperLink("arxiv:missing", "method/missing", "uses", 1, ["x"]), dataclasses.replace(kg.links[0], count=7)]
    relations = [*kg.relations, Relation("method/none", next(iter(kg.concepts)), "USED-FOR", 1, 1, [], 0.5)]
    return dataclasses.replace(kg, links=links, relations=relations)


@pytest.mark.parametrize("make", [lambda: synthetic_kg(150, seed=2), dangling_kg, KnowledgeGraph])
def test_graph_matches_schema(make) -> None:
    kg = make()
    assert_matches_schema(to_networkx(kg), kg)


def test_small_graph(small_kg) -> None:
    assert_matches_schema(to_networkx(small_kg), small_kg)


def test_repeated_edge_keeps_last_attributes() -> None:
    kg = dangling_kg()
    G = to_networkx(kg)
    first = kg.links[0]
    assert G.edges[first.paper_id, first.concept_id, first.role]["count"] == 7
    assert G.nodes["arxiv:missing"] == {} and G.nodes["method/missing"] == {}


def test_the_evidence_table_is_a_view_that_equals_the_records():
    """The graph-level evidence table reads the knowledge graph's Evidence records: every entry
    equals the dict spelled out from its record (brute force), in id order, and each read makes a
    new dict rather than keeping one per entry (the dicts were 65% of the graph's memory)."""
    kg = synthetic_kg(60, seed=7)
    table = to_networkx(kg).graph["evidence"]
    expected = {
        ev.id: {"paper": ev.paper_id, "sentence": [ev.sentence_start, ev.sentence_end],
                "spans": [[s, e] for s, e in ev.spans], "method": ev.method, "confidence": ev.confidence}
        for ev in sorted(kg.evidence.values(), key=lambda ev: ev.id)
    }
    assert expected and not isinstance(table, dict)
    assert list(table) == list(expected) and len(table) == len(expected)
    assert table == expected and dict(table.items()) == expected
    first = next(iter(expected))
    assert table[first] == table[first] and table[first] is not table[first]
    assert "no-such-evidence" not in table and table.get("no-such-evidence") is None
