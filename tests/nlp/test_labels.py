"""kg_output_labels: only kg's four labels leave the pipeline; the checkpoint scorer."""

import spacy
from spacy.training import Example

from kg.nlp.labels import CORPUS_KEY, CORPUS_LABELS_KEY, keep_output_labels, score_by_corpus


def test_auxiliary_labels_are_removed():
    nlp = spacy.blank("en")
    doc = nlp("The approach uses BERT on SQuAD.")
    doc.ents = [doc.char_span(0, 12, "X_GENERIC"), doc.char_span(18, 22, "METHOD"), doc.char_span(26, 31, "DATASET")]
    assert [(e.text, e.label_) for e in keep_output_labels(doc).ents] == [("BERT", "METHOD"), ("SQuAD", "DATASET")]


def _example(nlp, text, gold, pred, corpus, labels):
    ref = nlp.make_doc(text)
    ref.ents = [ref.char_span(s, e, lab) for s, e, lab in gold]
    ref.user_data[CORPUS_KEY] = corpus
    ref.user_data[CORPUS_LABELS_KEY] = labels
    predicted = nlp.make_doc(text)
    predicted.ents = [predicted.char_span(s, e, lab) for s, e, lab in pred]
    return Example(predicted, ref)


def test_score_by_corpus_ignores_labels_a_corpus_does_not_annotate():
    nlp = spacy.blank("en")
    text = "BERT gets F1 on SQuAD."
    a = _example(nlp, text, [(0, 4, "METHOD")], [(0, 4, "METHOD"), (10, 12, "METRIC")], "scier", ["METHOD", "DATASET", "TASK"])
    b = _example(nlp, text, [(16, 21, "DATASET"), (10, 12, "METRIC")], [(16, 21, "DATASET")], "tdmsci", ["DATASET", "METRIC", "TASK"])
    scores = score_by_corpus([a, b])
    assert scores["kg_f_scier"] == 1.0  # the METRIC prediction is not scored on SciER
    assert round(scores["kg_f_tdmsci"], 4) == round(2 * 1.0 * 0.5 / 1.5, 4)
    assert scores["kg_f"] == (scores["kg_f_scier"] + scores["kg_f_tdmsci"]) / 2


def test_broad_families_get_the_guideline_label_and_keep_their_source():
    nlp = spacy.blank("en")
    doc = nlp("Machine learning helps machine learning tasks and deep learning.")
    doc.ents = [doc.char_span(0, 16, "TASK"), doc.char_span(23, 45, "TASK"), doc.char_span(50, 63, "METHOD")]
    doc.ents[0]._.source = "gazetteer"
    out = keep_output_labels(doc).ents
    assert [(e.text, e.label_) for e in out] == [
        ("Machine learning", "METHOD"),
        ("machine learning tasks", "TASK"),  # only the name alone is fixed
        ("deep learning", "METHOD"),
    ]
    assert out[0]._.source == "gazetteer"
