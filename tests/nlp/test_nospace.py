"""kg_ner_without_spaces: the compact Doc the NER sees, and the mapping back."""

import spacy

import kg.nlp.sentences  # noqa: F401
from kg.nlp.nospace import compact_doc


def test_compact_doc_drops_whitespace_tokens_and_keeps_sentences():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_sentences")
    doc = nlp(" \n A title\nWe use  BERT.  It  works.")
    small, index = compact_doc(doc)
    assert [t.text for t in small] == ["A", "title", "We", "use", "BERT", ".", "It", "works", "."]
    assert [doc[i].text for i in index] == [t.text for t in small]
    assert [s.text for s in small.sents] == ["A title", "We use BERT.", "It works."]
    assert small.text == "A title We use BERT. It works."


def test_compact_doc_returns_the_doc_itself_without_whitespace_tokens():
    doc = spacy.blank("en")("No extra spaces here.")
    small, index = compact_doc(doc)
    assert small is doc and index == list(range(len(doc)))
    empty, index = compact_doc(spacy.blank("en")("  \n "))
    assert len(empty) == 0 and index == []
