"""Relation and role rules of kg_relations on small hand-written sentences."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

import kg.nlp.relations  # noqa: F401  (registers the factory)
from kg.models import RELATION_TYPES, ROLES
from kg.nlp.relation_classifier import MODEL_PATH, load_model
from kg.nlp.relation_rules import pair_relations, sentence_roles
from kg.nlp.relations import doc_relations


def ents_of(text: str, *spans: tuple[str, str]) -> list[tuple[int, int, str]]:
    out = []
    for surface, label in spans:
        start = text.index(surface)
        out.append((start, start + len(surface), label))
    return sorted(out)


def labels(text, *spans):
    ents = ents_of(text, *spans)
    return {(text[ents[h][0]:ents[h][1]], text[ents[t][0]:ents[t][1]], label) for h, t, label, _, _ in pair_relations(text, ents)}


def test_used_for_both_directions():
    assert labels("We apply graph neural networks to node classification.", ("graph neural networks", "METHOD"), ("node classification", "TASK")) == {
        ("graph neural networks", "node classification", "USED-FOR")
    }
    assert labels("Node classification using graph neural networks.", ("Node classification", "TASK"), ("graph neural networks", "METHOD")) == {
        ("graph neural networks", "Node classification", "USED-FOR")
    }


def test_such_as_list_gives_hyponyms():
    t = "Graph neural networks such as GCN, GAT and GraphSAGE are popular."
    got = labels(t, ("Graph neural networks", "METHOD"), ("GCN", "METHOD"), ("GAT", "METHOD"), ("GraphSAGE", "METHOD"))
    assert {("GCN", "Graph neural networks", "HYPONYM-OF"), ("GAT", "Graph neural networks", "HYPONYM-OF"), ("GraphSAGE", "Graph neural networks", "HYPONYM-OF")} <= got
    assert ("GCN", "GAT", "CONJUNCTION") in got


def test_apposition_is_a_kind_of():
    t = "We propose S-ConvKAN, a convolutional KAN."
    assert labels(t, ("S-ConvKAN", "METHOD"), ("convolutional KAN", "METHOD")) == {("S-ConvKAN", "convolutional KAN", "HYPONYM-OF")}


def test_compare_and_metric_and_dataset():
    t = "GraphSAGE-X outperforms GCN on Cora in terms of accuracy."
    got = labels(t, ("GraphSAGE-X", "METHOD"), ("GCN", "METHOD"), ("Cora", "DATASET"), ("accuracy", "METRIC"))
    assert ("GraphSAGE-X", "GCN", "COMPARE") in got
    assert ("Cora", "GCN", "EVALUATE-FOR") in got


def test_no_relation_across_unrelated_words():
    t = "BERT was released in 2018, long before anyone trained ResNet again."
    assert labels(t, ("BERT", "METHOD"), ("ResNet", "METHOD")) == set()


def test_roles():
    t = "We introduce FastNet and evaluate it on ImageNet, where it reaches 80% top-1 accuracy."
    ents = ents_of(t, ("FastNet", "METHOD"), ("ImageNet", "DATASET"), ("top-1 accuracy", "METRIC"))
    roles = {(t[ents[i][0]:ents[i][1]], role) for i, role, _, _ in sentence_roles(t, 0, len(t), ents)}
    assert roles == {("FastNet", "proposes"), ("ImageNet", "evaluates_on"), ("top-1 accuracy", "reports")}


def test_novel_apposition_proposes():
    t = "FastNet, a novel sparse network, is fast."
    ents = ents_of(t, ("FastNet", "METHOD"))
    assert [r[1] for r in sentence_roles(t, 0, len(t), ents)] == ["proposes"]


@pytest.mark.parametrize("use_model", [False, True])
def test_only_known_labels_and_roles(use_model):
    t = "We use BERT for question answering. BERT outperforms ELMo and GloVe on SQuAD with F1."
    ents = ents_of(t, ("BERT", "METHOD"), ("question answering", "TASK"), ("ELMo", "METHOD"), ("GloVe", "METHOD"), ("SQuAD", "DATASET"), ("F1", "METRIC"))
    rels, roles = doc_relations(t, [(0, 35), (36, len(t))], ents, load_model() if use_model else None)
    assert rels and roles
    assert {r[2] for r in rels} <= set(RELATION_TYPES) - {"CO-OCCURS", "VARIANT-OF", "RELATED-TO"}
    assert {r[1] for r in roles} <= set(ROLES)
    assert all(0 < r[4] <= 1 for r in rels)
    assert all(r[3].startswith("model:relations-ap/" if use_model else "rule:") for r in rels)


@pytest.mark.parametrize("use_model, rule", [(False, "rule:for/1"), (True, "model:relations-ap/")])
def test_component_sets_doc_attributes(use_model, rule):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    component = nlp.add_pipe("kg_relations")
    if use_model:
        component.set_model(MODEL_PATH.read_bytes())
    doc = nlp.make_doc("We propose FastNet for image classification.")
    doc.ents = [Span(doc, 2, 3, label="METHOD"), Span(doc, 4, 6, label="TASK")]
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    assert [r[:3] for r in doc._.relations] == [(0, 1, "USED-FOR")]
    assert doc._.relations[0][3].startswith(rule)
    assert (0, "proposes", "rule:propose-verb/1", 0.8) in doc._.roles


def test_the_classifier_is_saved_and_loaded_with_the_pipeline(tmp_path):
    """``nlp.to_disk`` writes the component's model file unchanged, ``spacy.load`` reads it back:
    the pipeline directory is the whole artifact, and its version covers the model."""
    from kg.nlp import pipeline_version

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kg_relations").set_model(MODEL_PATH.read_bytes())
    nlp.to_disk(tmp_path / "p")
    assert (tmp_path / "p" / "kg_relations" / "model.json.gz").read_bytes() == MODEL_PATH.read_bytes()
    loaded = spacy.load(tmp_path / "p")
    doc = loaded.make_doc("We propose FastNet for image classification.")
    doc.ents = [Span(doc, 2, 3, label="METHOD"), Span(doc, 4, 6, label="TASK")]
    for _, proc in loaded.pipeline:
        doc = proc(doc)
    assert doc._.relations and doc._.relations[0][3].startswith("model:relations-ap/")
    before = pipeline_version(tmp_path / "p")
    (tmp_path / "p" / "kg_relations" / "model.json.gz").write_bytes(MODEL_PATH.read_bytes() + b"\0")
    assert pipeline_version(tmp_path / "p") != before
    nlp.remove_pipe("kg_relations")
    nlp.add_pipe("kg_relations")  # no model: rules only, and no file written
    nlp.to_disk(tmp_path / "rules")
    assert not (tmp_path / "rules" / "kg_relations" / "model.json.gz").exists()


def test_the_shipped_pipeline_carries_the_classifier():
    from kg.nlp import load_pipeline

    component = load_pipeline().get_pipe("kg_relations")
    assert component.model is not None and component._raw == MODEL_PATH.read_bytes()


def test_components_register_or_fail_loudly(monkeypatch):
    import kg.nlp

    monkeypatch.setattr(kg.nlp, "COMPONENT_MODULES", (*kg.nlp.COMPONENT_MODULES, "kg.nlp.no_such_component"))
    with pytest.raises(ImportError):
        kg.nlp.register_components()
