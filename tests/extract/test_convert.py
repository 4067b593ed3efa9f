"""doc_to_extraction: the Doc -> Extraction contract (labels, sentences, index re-mapping)."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

import kg.nlp.extensions  # noqa: F401  (registers Doc._.relations, Doc._.roles, Span._.source)
from kg.extract.convert import concat_extractions, cover_spans, doc_to_extraction, shift_extraction
from kg.models import Abbreviation, Extraction, Mention, MentionRelation, MentionRole


def _doc(text: str, ents: list[tuple[int, int, str]], sentencizer: bool = True):
    nlp = spacy.blank("en")
    if sentencizer:
        nlp.add_pipe("sentencizer")
    doc = nlp(text)
    doc.ents = [doc.char_span(s, e, label=label) for s, e, label in ents]
    return doc


def test_mentions_keep_only_kg_labels_and_remap_relations_and_roles():
    text = "Google trains BERT on GLUE. BERT reaches high accuracy."
    doc = _doc(text, [(0, 6, "ORG"), (14, 18, "METHOD"), (22, 26, "DATASET"), (28, 32, "METHOD"), (46, 54, "METRIC")])
    doc.ents[1]._.source = "ruler"
    # indices into doc.ents: 0 is ORG (dropped), so ent i is mention i - 1
    doc._.relations = [(1, 2, "USED-FOR", "pattern:on", 0.7), (0, 1, "COMPARE", "x", 0.5), (3, 4, "EVALUATE-FOR", "r", 0.9)]
    doc._.roles = [(1, "uses", "we-train", 0.8), (0, "proposes", "x", 0.5)]
    doc._.abbreviations = [Abbreviation("B", "Bb", 0, 1, 2, 3)]
    ext = doc_to_extraction(doc, "p")
    assert [(m.text, m.label, m.sentence, m.source) for m in ext.mentions] == [
        ("BERT", "METHOD", 0, "ruler"),
        ("GLUE", "DATASET", 0, "ner"),
        ("BERT", "METHOD", 1, "ner"),
        ("accuracy", "METRIC", 1, "ner"),
    ]
    assert ext.relations == [MentionRelation(0, 1, "USED-FOR", "pattern:on", 0.7), MentionRelation(2, 3, "EVALUATE-FOR", "r", 0.9)]
    assert ext.roles == [MentionRole(0, "uses", "we-train", 0.8)]
    assert ext.abbreviations == [Abbreviation("B", "Bb", 0, 1, 2, 3)]
    assert ext.sentences == [(0, 27), (28, 55)]
    for m in ext.mentions:
        assert text[m.start : m.end] == m.text


def test_entity_across_sentence_boundary_merges_the_sentences():
    text = "We use foo ! bar net. Then more."
    doc = _doc(text, [(7, 16, "METHOD")])
    assert len(list(doc.sents)) == 3
    ext = doc_to_extraction(doc, "p")
    (m,) = ext.mentions
    s, e = ext.sentences[m.sentence]
    assert s <= m.start and m.end <= e
    assert ext.sentences == [(0, 21), (22, 32)]


def test_no_sentence_boundaries_gives_one_sentence():
    doc = _doc("BERT on GLUE", [(0, 4, "METHOD")], sentencizer=False)
    ext = doc_to_extraction(doc, "p")
    assert ext.sentences == [(0, 12)]
    assert ext.mentions[0].sentence == 0


def test_empty_doc():
    ext = doc_to_extraction(_doc("", []), "p")
    assert ext == Extraction("p")


def test_cover_spans_widens_over_leading_whitespace():
    assert cover_spans([(2, 5)], [(0, 3)]) == ([(0, 5)], [0])
    assert cover_spans([], [(3, 4)]) == ([(3, 4)], [0])


def test_shift_and_concat():
    a = Extraction("", sentences=[(0, 5)], mentions=[Mention(0, 2, "METHOD", "ab", 0)], relations=[], roles=[MentionRole(0, "uses", "r", 1.0)])
    b = Extraction("", sentences=[(0, 4)], mentions=[Mention(1, 3, "TASK", "cd", 0), Mention(0, 1, "TASK", "c", 0)], relations=[MentionRelation(0, 1, "COMPARE", "r", 0.5)])
    joined = concat_extractions("p", [shift_extraction(a, 0), shift_extraction(b, 10)])
    assert joined.sentences == [(0, 5), (10, 14)]
    assert [(m.start, m.end, m.sentence) for m in joined.mentions] == [(0, 2, 0), (11, 13, 1), (10, 11, 1)]
    assert joined.relations == [MentionRelation(1, 2, "COMPARE", "r", 0.5)]
    assert joined.roles == [MentionRole(0, "uses", "r", 1.0)]


def test_span_score_extension_is_used_when_registered():
    if not Span.has_extension("score"):
        Span.set_extension("score", default=None)
        try:
            doc = _doc("BERT", [(0, 4, "METHOD")])
            doc.ents[0]._.score = 0.25
            assert doc_to_extraction(doc, "p").mentions[0].score == 0.25
        finally:
            Span.remove_extension("score")
