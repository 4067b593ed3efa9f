"""The five Cypher queries of docs/neo4j.md, run from that file on a pushed graph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.export.neo4j_bolt import push
from kg.export.neo4j_cypher import iter_statements

pytestmark = pytest.mark.neo4j

DOC = Path(__file__).resolve().parents[2] / "docs" / "neo4j.md"


def documented_queries() -> dict[str, list[tuple[str, dict]]]:
    """``{title: [(statement, parameters), ...]}`` of the ``## Queries`` section, in order."""
    section = DOC.read_text(encoding="utf-8").split("\n## Queries\n", 1)[1].split("\n## ", 1)[0]
    queries = {}
    for title, block in re.findall(r"^### \d+\. (.+?)\n.*?```cypher\n(.*?)```", section, re.S | re.M):
        queries[title] = list(iter_statements(block))
    return queries


@pytest.fixture
def answers(small_graph, neo4j_server, empty_neo4j):
    push(small_graph, neo4j_server.uri, user=neo4j_server.user, password=neo4j_server.password)

    def run(title):
        (statement, params), = documented_queries()[title]
        records, _, keys = empty_neo4j.execute_query(statement, params)
        return [dict(zip(keys, r.values())) for r in records]

    return run


def test_five_queries_are_documented():
    assert list(documented_queries()) == [
        "Datasets each method is evaluated on",
        "Methods most used for each task",
        "Papers proposing methods",
        "Concepts that occur together most often",
        "The evidence sentences behind a concept's relations",
    ]


def test_datasets_each_method_is_evaluated_on(answers):
    assert answers("Datasets each method is evaluated on") == [
        {"method": "graph neural networks", "datasets": ["Cora"], "papers": 2},
        {"method": "GraphSAGE-X", "datasets": ["Cora"], "papers": 1},
        {"method": "Transformers", "datasets": ["WMT'14"], "papers": 1},
    ]


def test_methods_most_used_for_each_task(answers):
    assert answers("Methods most used for each task") == [
        {"task": "machine translation", "top_methods": ["Transformers"], "papers": 1},
        {"task": "node classification", "top_methods": ["graph neural networks"], "papers": 1},
    ]


def test_papers_proposing_methods(answers):
    assert answers("Papers proposing methods") == [
        {"paper": "arxiv:2101.00001", "title": "Graph Neural Networks for Node Classification", "date": "2021-01-04", "proposes": ["GraphSAGE-X"]},
    ]


def test_concepts_that_occur_together(answers):
    assert answers("Concepts that occur together most often") == [
        {"concept": "Cora", "other": "graph neural networks", "papers": 1, "sentences": 1},
    ]


def test_evidence_sentences_of_a_concept(answers):
    assert answers("The evidence sentences behind a concept's relations") == [
        {
            "source": "Transformers",
            "relation": "USED_FOR",
            "target": "machine translation",
            "paper": "<script>alert(1)</script> Transformers, again",
            "sentence": "Transformers are used for machine translation.",
            "quotes": ["Transformers", "machine translation"],
        }
    ]
