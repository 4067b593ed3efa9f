"""``--min-confidence``: a hidden concept is absent from every output of ``kg build`` alike, and
``kg extract`` leaves out its mentions. With the CNN every mention scores 1.0, so every concept of
one paper has confidence 0.5 (kg.resolve.confidence) and 0.6 hides exactly those."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import rdflib

from kg.cli import main
from kg.graph.build import load_graph
from kg.rdf.namespace import KG

from .test_build_small import PAPERS


def _concepts(out: Path) -> dict[str, set[str]]:
    """Concept ids as each output holds them (read back through its own parser)."""
    G = load_graph(out / "graph.json")
    rdf = rdflib.Graph().parse(out / "graph.ttl")
    with open(out / "neo4j" / "nodes_concept.csv", encoding="utf-8", newline="") as fh:
        neo4j = {row[0] for row in list(csv.reader(fh))[1:]}
    mentions = [json.loads(line) for line in (out / "mentions.jsonl").read_text(encoding="utf-8").splitlines()]
    return {
        "graph.json": {n for n, a in G.nodes(data=True) if a.get("kind") == "concept"},
        "graph.ttl": {str(o) for s, o in rdf.subject_objects(rdflib.DCTERMS.identifier) if (s, rdflib.RDF.type, rdflib.SKOS.Concept) in rdf},
        "neo4j": neo4j,
        "mentions.jsonl": {m["concept"] for m in mentions if m["concept"]},
        "links": {v for _, v, a in G.edges(data=True) if a.get("kind") == "link"},
    }


def test_hidden_singletons_are_absent_from_every_output(tmp_path: Path) -> None:
    papers = tmp_path / "papers.jsonl"
    papers.write_text(PAPERS)
    assert main(["-q", "build", str(papers), "--out", str(tmp_path / "all"), "--jobs", "1", "--no-cache"]) == 0
    assert main(["-q", "build", str(papers), "--out", str(tmp_path / "kept"), "--jobs", "1", "--no-cache", "--min-confidence", "0.6"]) == 0
    G = load_graph(tmp_path / "all" / "graph.json")
    every = {n: a for n, a in G.nodes(data=True) if a.get("kind") == "concept"}
    singletons = {n for n, a in every.items() if a["paper_count"] == 1}
    assert singletons and set(every) - singletons  # the input has both kinds
    assert all(a["confidence"] == (0.5 if a["paper_count"] == 1 else 1 - 0.5 ** a["paper_count"]) for a in every.values())
    before, after = _concepts(tmp_path / "all"), _concepts(tmp_path / "kept")
    assert before["graph.json"] == before["graph.ttl"] == before["neo4j"] == set(every)
    for name, ids in after.items():
        assert ids <= set(every) - singletons, name
    assert after["graph.json"] == after["graph.ttl"] == after["neo4j"] == set(every) - singletons
    rdf = rdflib.Graph().parse(tmp_path / "kept" / "graph.ttl")
    assert len(set(rdf.subjects(KG.confidence, None)) & set(rdf.subjects(rdflib.RDF.type, rdflib.SKOS.Concept))) == len(after["graph.json"])
    summary = (tmp_path / "kept" / "summary.md").read_text(encoding="utf-8")
    hidden_mentions = sum(a["mention_count"] for n, a in every.items() if n in singletons)
    assert f"Hidden by `--min-confidence 0.6`: {len(singletons)} concept(s)" in summary and f"({hidden_mentions} mentions)" in summary
    assert "No concept is hidden" in (tmp_path / "all" / "summary.md").read_text(encoding="utf-8")


def test_extract_min_confidence_leaves_out_the_mentions_of_hidden_concepts(tmp_path: Path, capsys) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps({"id": json.loads(l)["id"], "text": json.loads(l)["title"] + "\n" + json.loads(l)["abstract"]}) + "\n" for l in PAPERS.splitlines()))
    assert main(["-q", "extract", str(records), "--jobs", "1", "--out", str(tmp_path / "all.jsonl")]) == 0
    assert main(["-q", "extract", str(records), "--jobs", "1", "--out", str(tmp_path / "kept.jsonl"), "--min-confidence", "0.6"]) == 0
    rows = lambda name: [json.loads(l) for l in (tmp_path / name).read_text().splitlines()]  # noqa: E731
    every = [(r["id"], e["concept"]) for r in rows("all.jsonl") for e in r["entities"]]
    papers_of: dict[str, set[str]] = {}
    for rid, concept in every:
        papers_of.setdefault(concept, set()).add(rid)
    expected = [(rid, c) for rid, c in every if len(papers_of[c]) > 1]
    assert expected and len(expected) < len(every)
    assert [(r["id"], e["concept"]) for r in rows("kept.jsonl") for e in r["entities"]] == expected


def test_min_confidence_must_be_a_fraction(capsys) -> None:
    for bad in ("1.5", "-0.1", "x"):
        try:
            main(["build", "--min-confidence", bad])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"--min-confidence {bad} was accepted")


def test_summary_lists_ambiguous_types_with_their_split_and_the_map_rule() -> None:
    from kg.models import Concept, KnowledgeGraph
    from kg.summary import type_and_confidence_lines

    kg = KnowledgeGraph(concepts={
        "method/smote": Concept("method/smote", "METHOD", "SMOTE", paper_count=4, type_votes={"METHOD": 2, "DATASET": 2}, ambiguous_type=True, confidence=0.94),
        "method/foo": Concept("method/foo", "METHOD", "Foo", paper_count=1, type_votes={"METHOD": 1}, confidence=0.3),
        "task/bar": Concept("task/bar", "TASK", "Bar", paper_count=1, type_votes={"TASK": 1}, confidence=0.5),
    })
    text = "\n".join(type_and_confidence_lines(kg))
    assert "1 concept(s) have an ambiguous type" in text
    assert "| SMOTE | METHOD | 4 | METHOD 2 / DATASET 2 |" in text and "| Foo |" not in text
    assert "map.html leaves out 1 concept(s) named by one paper with confidence below 0.4 (the map's default)." in text
