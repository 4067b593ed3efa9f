"""kg explain on the hand-made fixture graph: relations with sentences, paths, shared papers."""

from __future__ import annotations

import pytest

from kg.graph.explain import explain, format_explanation


def test_direct_relation_with_sentence_and_title(small_graph):
    result = explain(small_graph, "method/graphsage-x", "dataset/cora")
    assert [(r["source"], r["type"], r["target"]) for r in result["relations"]] == [("method/graphsage-x", "EVALUATE-FOR", "dataset/cora")]
    ev = result["relations"][0]["evidence"][0]
    assert ev["sentence"] == "We evaluate GraphSAGE-X on Cora, reporting accuracy."
    assert ev["title"] == "Graph Neural Networks for Node Classification"
    assert ev["quotes"] == ["GraphSAGE-X", "Cora"]
    assert result["path"] is None
    text = format_explanation(small_graph, result)
    assert "-[EVALUATE-FOR]->" in text and "We evaluate GraphSAGE-X on Cora" in text


def test_both_directions_are_listed(small_graph):
    forward = explain(small_graph, "method/graph-neural-networks", "dataset/cora")
    backward = explain(small_graph, "dataset/cora", "method/graph-neural-networks")
    assert forward["relations"] == backward["relations"]
    assert forward["relations"][0]["type"] == "CO-OCCURS"


def test_typed_relations_come_before_co_occurrence(small_graph):
    result = explain(small_graph, "method/graphsage-x", "method/graph-neural-networks")
    assert [r["type"] for r in result["relations"]] == ["HYPONYM-OF"]
    assert result["shared_paper_count"] == 1


def test_path_when_no_direct_relation(small_graph):
    result = explain(small_graph, "method/graphsage-x", "task/node-classification")
    assert result["relations"] == []
    assert result["path"][0] == "method/graphsage-x" and result["path"][-1] == "task/node-classification"
    assert len(result["path"]) == 3
    assert all(step["edges"] for step in result["steps"])
    text = format_explanation(small_graph, result)
    assert "No direct relation. Shortest connection (2 step(s))" in text


def test_unconnected_concepts(small_graph):
    result = explain(small_graph, "metric/bleu", "dataset/cora")
    assert result["relations"] == [] and result["path"] is None and result["shared_paper_count"] == 0
    assert "No relation and no connection" in format_explanation(small_graph, result)


def test_hostile_strings_survive(small_graph):
    text = format_explanation(small_graph, explain(small_graph, "method/transformers", "task/machine-translation"))
    assert "<script>alert(1)</script> Transformers, again" in text
    assert "Transformers are used for machine translation." in text


def test_limit_bounds_evidence_and_papers(small_graph):
    result = explain(small_graph, "method/graph-neural-networks", "task/node-classification", limit=1)
    assert all(len(r["evidence"]) <= 1 for r in result["relations"])
    assert len(result["shared_papers"]) == 1 and result["shared_paper_count"] == 2


def test_unknown_concept_raises(small_graph):
    with pytest.raises(KeyError):
        explain(small_graph, "method/nope", "dataset/cora")
    with pytest.raises(KeyError):
        explain(small_graph, "arxiv:2101.00001", "dataset/cora")
