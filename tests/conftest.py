"""Shared test fixtures: a small hand-made knowledge graph with hostile strings in it."""

from __future__ import annotations

import re

import pytest

from kg.models import BuildStats, Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation


def make_small_kg() -> KnowledgeGraph:
    """Three papers, six concepts of all four types, links with roles, relations with evidence.

    Strings carry what writers must survive: commas, quotes, newlines, non-ASCII text, markup.
    """
    p1 = Paper(
        id="arxiv:2101.00001",
        title="Graph Neural Networks for Node Classification",
        abstract='We propose GraphSAGE-X, a "fast" graph neural network (GNN). We evaluate GraphSAGE-X on Cora, reporting accuracy.',
        source_id="2101.00001",
        date="2021-01-04",
        authors=("Ada Lovelace", "Élodie Dupont"),
        arxiv_id="2101.00001",
        categories=("cs.LG",),
    )
    p2 = Paper(
        id="doi:10.1000/xyz,1",
        title="<script>alert(1)</script> Transformers, again",
        abstract="Transformers are used for machine translation.\nWe report BLEU on WMT'14 — naïvely, «quoted».",
        date="2022-05",
        doi="10.1000/xyz,1",
        authors=('O\'Brien, "Pat"',),
    )
    p3 = Paper(
        id="title:0123456789abcdef",
        title="Graph neural networks, revisited",
        abstract="GNNs are used for node classification on Cora.",
        date="--08-05",
        date_text="Aug 5",
    )
    papers = {p.id: p for p in (p1, p2, p3)}
    concepts = {
        "method/graph-neural-networks": Concept(
            "method/graph-neural-networks", "METHOD", "graph neural networks",
            aliases={"graph neural network": 1, "GNN": 1, "GNNs": 1, "Graph neural networks": 1}, acronym="GNN",
            paper_count=2, mention_count=4, first_seen="--08-05", last_seen="2021-01-04",
            type_votes={"METHOD": 1, "TASK": 1}, ambiguous_type=True, confidence=0.75,
        ),
        "method/graphsage-x": Concept("method/graphsage-x", "METHOD", "GraphSAGE-X", aliases={"GraphSAGE-X": 1}, paper_count=1, mention_count=1, first_seen="2021-01-04", last_seen="2021-01-04", confidence=0.35),
        "method/transformers": Concept("method/transformers", "METHOD", "Transformers", aliases={"Transformers": 2}, paper_count=1, mention_count=2, first_seen="2022-05", last_seen="2022-05"),
        "dataset/cora": Concept("dataset/cora", "DATASET", "Cora", aliases={"Cora": 2}, paper_count=2, mention_count=2, first_seen="--08-05", last_seen="2021-01-04"),
        "dataset/wmt-14": Concept("dataset/wmt-14", "DATASET", "WMT'14", aliases={"WMT'14": 1}, paper_count=1, mention_count=1, first_seen="2022-05", last_seen="2022-05"),
        "metric/accuracy": Concept("metric/accuracy", "METRIC", "accuracy", aliases={"accuracy": 1}, paper_count=1, mention_count=1, first_seen="2021-01-04", last_seen="2021-01-04"),
        "metric/bleu": Concept("metric/bleu", "METRIC", "BLEU", aliases={"BLEU": 1}, paper_count=1, mention_count=1, first_seen="2022-05", last_seen="2022-05"),
        "task/node-classification": Concept("task/node-classification", "TASK", "node classification", aliases={"Node Classification": 1, "node classification": 1}, paper_count=2, mention_count=2, first_seen="--08-05", last_seen="2021-01-04"),
        "task/machine-translation": Concept("task/machine-translation", "TASK", "machine translation", aliases={"machine translation": 1}, paper_count=1, mention_count=1, first_seen="2022-05", last_seen="2022-05"),
    }

    def sentences(paper: Paper) -> list[tuple[int, int]]:
        """Sentence spans: the title line, then the abstract split after '.' + space or newline."""
        spans, start = [], 0
        for m in re.finditer(r"\n|(?<=\.) ", paper.text):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, len(paper.text)))
        return [(s, e) for s, e in spans if e > s]

    evidence = {}

    def ev(eid: str, paper: Paper, *quotes: str, method: str = "rule:test", confidence: float = 0.9) -> str:
        """Evidence for the first sentence of ``paper`` that contains every quote."""
        for s, e in sentences(paper):
            sent = paper.text[s:e]
            if all(q in sent for q in quotes):
                spans = tuple((s + sent.index(q), s + sent.index(q) + len(q)) for q in quotes)
                evidence[eid] = Evidence(eid, paper.id, s, e, spans, method, confidence)
                return eid
        raise AssertionError(f"no sentence of {paper.id} has {quotes}")

    links = [
        PaperLink(p1.id, "method/graphsage-x", "proposes", 1, [ev("e1", p1, "GraphSAGE-X")], 0.9),
        PaperLink(p1.id, "method/graph-neural-networks", "mentions", 2, [ev("e2", p1, "graph neural network")]),
        PaperLink(p1.id, "dataset/cora", "evaluates_on", 1, [ev("e3", p1, "Cora")]),
        PaperLink(p1.id, "metric/accuracy", "reports", 1, [ev("e4", p1, "accuracy")]),
        PaperLink(p1.id, "task/node-classification", "addresses", 1, [ev("e5", p1, "Node Classification")]),
        PaperLink(p2.id, "method/transformers", "uses", 2, [ev("e6", p2, "Transformers")]),
        PaperLink(p2.id, "task/machine-translation", "addresses", 1, [ev("e7", p2, "machine translation")]),
        PaperLink(p2.id, "metric/bleu", "reports", 1, [ev("e8", p2, "BLEU")]),
        PaperLink(p2.id, "dataset/wmt-14", "evaluates_on", 1, [ev("e9", p2, "WMT'14")]),
        PaperLink(p3.id, "method/graph-neural-networks", "mentions", 2, [ev("e10", p3, "GNNs")]),
        PaperLink(p3.id, "task/node-classification", "mentions", 1, [ev("e11", p3, "node classification")]),
        PaperLink(p3.id, "dataset/cora", "evaluates_on", 1, [ev("e12", p3, "Cora")]),
    ]
    relations = [
        Relation("method/graphsage-x", "dataset/cora", "EVALUATE-FOR", 1, 1, [ev("e13", p1, "GraphSAGE-X", "Cora")], 0.8),
        Relation("method/graph-neural-networks", "task/node-classification", "USED-FOR", 1, 1, [ev("e14", p3, "GNNs", "node classification")], 0.8),
        Relation("method/transformers", "task/machine-translation", "USED-FOR", 1, 1, [ev("e15", p2, "Transformers", "machine translation")], 0.8),
        Relation("method/graph-neural-networks", "dataset/cora", "CO-OCCURS", 1, 1, [ev("e16", p3, "GNNs", "Cora")], 1.0),
        Relation("method/graphsage-x", "method/graph-neural-networks", "HYPONYM-OF", 1, 1, [ev("e17", p1, "GraphSAGE-X", "graph neural network")], 0.7),
    ]
    stats = BuildStats(records_read=4, papers=3, duplicates=1)
    return KnowledgeGraph(papers, concepts, links, relations, evidence, stats, extractor_version="kg-test 0")


@pytest.fixture
def small_kg() -> KnowledgeGraph:
    return make_small_kg()


@pytest.fixture
def small_graph(small_kg):
    from kg.graph.build import to_networkx

    return to_networkx(small_kg)
