"""kg_gazetteer: phrases learned from annotated text, added where the NER found nothing."""

import spacy

from kg.nlp import register_components
from kg.nlp.gazetteer import learn_phrases


def test_learn_phrases_keeps_consistently_annotated_phrases():
    texts = [
        (["we", "use", "word", "error", "rate", "here"], [(2, 5, "METRIC")], ("METRIC", "TASK")),
        (["word", "error", "rate", "drops"], [(0, 3, "METRIC")], ("METRIC", "TASK")),
        (["the", "word", "error", "rate"], [(1, 4, "METRIC")], ("METRIC", "TASK")),
        (["a", "model", "is", "a", "model"], [(1, 2, "TASK")], ("METRIC", "TASK")),
        (["model", "model"], [(0, 1, "TASK"), (1, 2, "TASK")], ("METRIC", "TASK")),
        # a corpus that does not annotate METRIC does not count against it
        (["word", "error", "rate"], [], ("TASK",)),
    ]
    phrases = learn_phrases(texts, min_count=3, min_precision=0.8)
    assert phrases == [{"label": "METRIC", "phrase": ["word", "error", "rate"], "count": 3, "precision": 1.0}]
    # "model": annotated 3 times out of 4 occurrences
    assert [p["phrase"] for p in learn_phrases(texts, min_count=3, min_precision=0.75)] == [["model"], ["word", "error", "rate"]]


def test_component_adds_only_where_no_entity_is(tmp_path):
    register_components()
    nlp = spacy.blank("en")
    gaz = nlp.add_pipe("kg_gazetteer")
    gaz.set_phrases(
        [
            {"label": "METHOD", "phrase": ["parser"], "count": 5, "precision": 0.9},
            {"label": "METRIC", "phrase": ["word", "error", "rate"], "count": 5, "precision": 1.0},
            {"label": "METRIC", "phrase": ["error", "rate"], "count": 5, "precision": 1.0},
        ]
    )
    doc = nlp.make_doc("A Parser lowers the word error rate of the statistical parser.")
    doc.ents = [doc.char_span(43, 61, "METHOD")]  # "statistical parser" from the NER
    doc = gaz(doc)
    assert [(e.text, e.label_, e._.source) for e in doc.ents] == [
        ("Parser", "METHOD", "gazetteer"),
        ("word error rate", "METRIC", "gazetteer"),
        ("statistical parser", "METHOD", None),
    ]
    # saved with the pipeline and loaded back
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert [e.text for e in again("the parser").ents] == ["parser"]


def test_phrases_from_pre_tokenised_text_match_running_text(tmp_path):
    """SciREX-style phrases ("cifar - 1 0") match "CIFAR-10", which spaCy keeps as one token."""
    register_components()
    nlp = spacy.blank("en")
    gaz = nlp.add_pipe("kg_gazetteer")
    gaz.set_phrases(
        [
            {"label": "DATASET", "phrase": ["cifar", "-", "1", "0"], "count": 46, "precision": 0.7},
            {"label": "METHOD", "phrase": ["3", "d", "-", "resnets"], "count": 3, "precision": 1.0},
        ]
    )
    text = "We train 3D-ResNets on CIFAR-10, and on CIFAR - 1 0 as written by SciREX; CIFAR-100 is not CIFAR-10."
    doc = gaz(nlp.make_doc(text))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("3D-ResNets", "METHOD"),
        ("CIFAR-10", "DATASET"),
        ("CIFAR - 1 0", "DATASET"),
        ("CIFAR-10", "DATASET"),
    ]
    nlp.to_disk(tmp_path / "p")
    assert [e.text for e in spacy.load(tmp_path / "p")("on CIFAR-10.").ents] == ["CIFAR-10"]
