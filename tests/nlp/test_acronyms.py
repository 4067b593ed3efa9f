"""kg_acronym_labels (scripts/acronym_labels.py, an experiment): labels agree across Long Form (SF) pairs."""

import importlib.util
from pathlib import Path

import spacy

from kg.models import Abbreviation

_spec = importlib.util.spec_from_file_location("kg_scripts_acronym_labels", Path(__file__).resolve().parents[2] / "scripts" / "acronym_labels.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
propagate_acronym_labels = _module.propagate_acronym_labels


def make_doc(text, ents, pairs):
    """``ents``: (phrase, label, occurrence index); ``pairs``: (long, short) first occurrences."""
    nlp = spacy.blank("en")
    doc = nlp(text)
    spans = []
    for phrase, label, nth in ents:
        start = -1
        for _ in range(nth + 1):
            start = text.index(phrase, start + 1)
        spans.append(doc.char_span(start, start + len(phrase), label=label))
    doc.ents = spans
    abbrevs = []
    for long, short in pairs:
        ls = text.index(long)
        ss = text.index(short, ls + len(long))
        abbrevs.append(Abbreviation(short, long, ss, ss + len(short), ls, ls + len(long)))
    doc._.abbreviations = abbrevs
    return doc


def labelled(doc):
    return [(e.text, e.label_, e._.source) for e in doc.ents]


def test_short_form_and_later_uses_get_the_long_form_label():
    text = "We use graph neural networks (GNNs). GNNs scale; our GNNs win."
    doc = make_doc(text, [("graph neural networks", "METHOD", 0), ("GNNs", "TASK", 1)], [("graph neural networks", "GNNs")])
    propagate_acronym_labels(doc)
    assert labelled(doc) == [
        ("graph neural networks", "METHOD", None),
        ("GNNs", "METHOD", "abbreviation"),
        ("GNNs", "METHOD", "abbreviation"),
        ("GNNs", "METHOD", "abbreviation"),
    ]


def test_long_form_gets_the_acronym_label_and_replaces_partial_entities():
    text = "We address named entity recognition (NER) with CRFs."
    doc = make_doc(text, [("entity recognition", "TASK", 0), ("NER", "TASK", 0)], [("named entity recognition", "NER")])
    propagate_acronym_labels(doc)
    assert labelled(doc) == [("named entity recognition", "TASK", "abbreviation"), ("NER", "TASK", None)]


def test_auxiliary_labels_propagate_too():
    text = "The signal-to-noise ratio (SNR) is high. SNR matters."
    doc = make_doc(text, [("signal-to-noise ratio", "X_OTHER", 0), ("SNR", "METRIC", 1)], [("signal-to-noise ratio", "SNR")])
    propagate_acronym_labels(doc)
    assert [e.label_ for e in doc.ents] == ["X_OTHER", "X_OTHER", "X_OTHER"]


def test_acronym_inside_a_longer_entity_is_left_alone():
    text = "Bidirectional encoders (BERT) work; BERT-large is bigger."
    doc = make_doc(text, [("Bidirectional encoders", "METHOD", 0), ("BERT-large", "METHOD", 0)], [("Bidirectional encoders", "BERT")])
    propagate_acronym_labels(doc)
    assert [e.text for e in doc.ents] == ["Bidirectional encoders", "BERT", "BERT-large"]


def test_no_pairs_or_no_entities_changes_nothing():
    text = "Support vector machines (SVM) are old."
    doc = make_doc(text, [], [("Support vector machines", "SVM")])
    propagate_acronym_labels(doc)
    assert list(doc.ents) == []
    doc2 = make_doc(text, [("SVM", "METHOD", 0)], [])
    doc2._.abbreviations = None
    assert labelled(propagate_acronym_labels(doc2)) == [("SVM", "METHOD", None)]
