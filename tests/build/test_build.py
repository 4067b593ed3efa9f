"""build_graph: links with roles, lifted relations, co-occurrence counts, bounded evidence."""

from __future__ import annotations

import random

import pytest

from kg.build import BUILD_RULES_VERSION, MAX_EVIDENCE, build_graph, evidence_id
from kg.graph.build import to_networkx
from kg.models import Abbreviation, Extraction, Mention, MentionRelation, MentionRole, Paper
from kg.resolve import resolve


def paper_with(pid: str, title: str, sentences: list[str], spans: list[tuple[str, str, int]], date=None):
    """A paper whose abstract is ``sentences`` joined by spaces; ``spans`` = (surface, label, sentence)
    with the first occurrence of the surface in that sentence (0 = title)."""
    abstract = " ".join(sentences)
    paper = Paper(pid, title, abstract, date=date)
    text = paper.text
    bounds = [(0, len(title))]
    pos = len(title) + 1
    for s in sentences:
        bounds.append((pos, pos + len(s)))
        pos += len(s) + 1
    mentions = []
    for surface, label, si in spans:
        start = text.index(surface, bounds[si][0], bounds[si][1])
        mentions.append(Mention(start, start + len(surface), label, surface, si))
    return paper, Extraction(pid, bounds, mentions)


@pytest.fixture
def small():
    p1, e1 = paper_with(
        "p1",
        "GraphNet: fast graph neural networks",
        ["We propose GraphNet for node classification.", "We evaluate GraphNet on Cora and Citeseer, reporting accuracy of 81%.", "GraphNet outperforms GCN on Cora."],
        [("GraphNet", "METHOD", 0), ("graph neural networks", "METHOD", 0), ("GraphNet", "METHOD", 1), ("node classification", "TASK", 1),
         ("GraphNet", "METHOD", 2), ("Cora", "DATASET", 2), ("Citeseer", "DATASET", 2), ("accuracy", "METRIC", 2),
         ("GraphNet", "METHOD", 3), ("GCN", "METHOD", 3), ("Cora", "DATASET", 3)],
    )
    e1.roles.append(MentionRole(2, "proposes", "rule:propose-verb/1", 0.8))
    e1.relations += [
        MentionRelation(2, 3, "USED-FOR", "rule:for/1", 0.65),
        MentionRelation(5, 4, "EVALUATE-FOR", "rule:evaluated-on/1", 0.6),
        MentionRelation(8, 9, "COMPARE", "rule:compare/1", 0.65),
        MentionRelation(8, 4, "USED-FOR", "rule:bogus/1", 0.5),  # two mentions of one concept: dropped
    ]
    p2, e2 = paper_with(
        "p2",
        "On GCN",
        ["We compare GCN with GraphNet on Cora.", "GCN is used for node classification."],
        [("GCN", "METHOD", 1), ("GraphNet", "METHOD", 1), ("Cora", "DATASET", 1), ("GCN", "METHOD", 2), ("node classification", "TASK", 2)],
    )
    e2.relations.append(MentionRelation(0, 1, "COMPARE", "rule:compare/1", 0.7))
    e2.relations.append(MentionRelation(3, 4, "USED-FOR", "rule:using/1", 0.55))
    papers = {"p1": p1, "p2": p2}
    return papers, [e1, e2]


def rel(kg, source, type_, target):
    found = [r for r in kg.relations if (r.source, r.type, r.target) == (source, type_, target)]
    assert len(found) == 1, (source, type_, target, found)
    return found[0]


def test_links_roles_and_defaults(small):
    papers, exts = small
    kg = build_graph(papers, exts, resolve(exts, papers))
    links = {(l.paper_id, l.concept_id, l.role): l for l in kg.links}
    assert links[("p1", "method/graphnet", "mentions")].count == 4
    assert links[("p1", "method/graphnet", "proposes")].confidence == 0.8  # explicit role and title default
    assert links[("p1", "method/graphnet", "proposes")].count == 2
    assert ("p1", "dataset/cora", "evaluates_on") in links  # dataset in an evaluation sentence
    assert links[("p1", "metric/accuracy", "reports")].confidence == 0.7  # metric with a number
    assert ("p1", "task/node-classification", "addresses") not in links  # no cue, not in the title
    assert ("p2", "method/graphnet", "proposes") not in links
    assert {l.role for l in kg.links if l.paper_id == "p2"} == {"mentions"} | {"evaluates_on"}


def test_relations_counts_and_symmetry(small):
    papers, exts = small
    kg = build_graph(papers, exts, resolve(exts, papers))
    compare = rel(kg, "method/gcn", "COMPARE", "method/graphnet")  # stored once, smaller id first
    assert (compare.count, compare.papers) == (2, 2)
    assert rel(kg, "method/graphnet", "USED-FOR", "task/node-classification").count == 1
    assert rel(kg, "dataset/cora", "EVALUATE-FOR", "method/graphnet").papers == 1
    assert not [r for r in kg.relations if r.source == r.target]
    co = rel(kg, "dataset/cora", "CO-OCCURS", "method/graphnet")
    assert (co.count, co.papers) == (3, 2)  # sentences 2 and 3 of p1, sentence 1 of p2
    co = rel(kg, "method/gcn", "CO-OCCURS", "task/node-classification")
    assert (co.count, co.papers) == (1, 1)


def test_every_edge_points_to_quotable_evidence(small):
    papers, exts = small
    kg = build_graph(papers, exts, resolve(exts, papers), extractor_version="kg-ner test")
    for edge in [*kg.links, *kg.relations]:
        assert 1 <= len(edge.evidence) <= MAX_EVIDENCE
        for eid in edge.evidence:
            ev = kg.evidence[eid]
            assert ev.method.endswith("[kg-ner test]")
            sentence = kg.sentence(ev)
            for i in range(len(ev.spans)):
                assert kg.quote(ev, i) in sentence
    compare = rel(kg, "method/gcn", "COMPARE", "method/graphnet")
    quotes = {tuple(kg.quote(kg.evidence[e], i) for i in range(2)) for e in compare.evidence}
    assert quotes == {("GCN", "GraphNet"), ("GraphNet", "GCN")}  # each in its sentence's order
    for rel_ in kg.relations:  # symmetric types: spans in text order, whichever id sorts first
        if rel_.type in ("COMPARE", "CONJUNCTION", "CO-OCCURS"):
            assert all(list(kg.evidence[e].spans) == sorted(kg.evidence[e].spans) for e in rel_.evidence)
    G = to_networkx(kg)
    assert all(attrs["evidence"] for _, _, attrs in G.edges(data=True))


def test_deterministic_and_order_independent(small):
    papers, exts = small
    first = build_graph(papers, exts, resolve(exts, papers))
    rev = list(reversed(exts))
    second = build_graph(dict(reversed(list(papers.items()))), rev, resolve(rev, papers))
    assert first.links == second.links and first.relations == second.relations and first.evidence == second.evidence


def test_evidence_is_bounded_and_chosen_by_id():
    papers, exts = {}, []
    for i in range(12):
        p, e = paper_with(f"p{i:02d}", "T", ["We train BERT on SQuAD."], [("BERT", "METHOD", 1), ("SQuAD", "DATASET", 1)])
        papers[p.id] = p
        exts.append(e)
    kg = build_graph(papers, exts, resolve(exts, papers))
    co = rel(kg, "dataset/squad", "CO-OCCURS", "method/bert")
    assert (co.count, co.papers) == (12, 12)
    assert len(co.evidence) == MAX_EVIDENCE
    text = papers["p00"].text
    spans = [(text.index("BERT"), text.index("BERT") + 4), (text.index("SQuAD"), text.index("SQuAD") + 5)]  # text order (symmetric)
    every = sorted(evidence_id(pid, spans, f"cooccurrence:sentence/{BUILD_RULES_VERSION}") for pid in papers)
    assert co.evidence == every[:MAX_EVIDENCE]  # the smallest ids: deterministic, spread over papers
    shuffled = list(exts)
    random.Random(1).shuffle(shuffled)
    assert rel(build_graph(papers, shuffled, resolve(shuffled, papers)), "dataset/squad", "CO-OCCURS", "method/bert").evidence == co.evidence


def test_resolution_links_are_included():
    p, e = paper_with(
        "p1", "KANs", ["The Kolmogorov-Arnold Network (KAN) is new.", "S-KAN extends KAN."],
        [("Kolmogorov-Arnold Network", "METHOD", 1), ("KAN", "METHOD", 1), ("S-KAN", "METHOD", 2), ("KAN", "METHOD", 2)],
    )
    long_start = p.text.index("Kolmogorov")
    short_start = p.text.index("(KAN)") + 1
    e.abbreviations.append(Abbreviation("KAN", "Kolmogorov-Arnold Network", short_start, short_start + 3, long_start, long_start + 25))
    papers = {"p1": p}
    kg = build_graph(papers, [e], resolve([e], papers))
    variant = rel(kg, "method/s-kan", "VARIANT-OF", "method/kolmogorov-arnold-network")
    assert variant.evidence and all(eid in kg.evidence for eid in variant.evidence)
    assert kg.quote(kg.evidence[variant.evidence[0]]) == "S-KAN"
