"""kg.nlp.doc_arrays gives exactly what spaCy's Token and Span objects give."""

import pytest
import spacy

from kg.nlp.doc_arrays import sentence_offsets, set_sent_starts, token_table
from kg.nlp.sentences import set_sentence_starts

TEXTS = [
    "",
    " ",
    "x",
    "  \n ",
    "A title\nWe use  BERT (Devlin et al., 2019).  It works.\n\n",
    " leading space and trailing  ",
    "Tabs\tand\t\tnewlines\r\nmixed \u00a0 with non-breaking spaces.",
    "Fig. 3 shows $\\ell_1$ results. See e.g. Sec. 2.\nv2.0 is out!",
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


@pytest.mark.parametrize("text", TEXTS)
def test_token_table_matches_token_attributes(nlp, text):
    doc = nlp(text)
    set_sentence_starts(doc)
    texts, whitespace, is_space, sent_start = token_table(doc)
    assert texts == [t.text for t in doc]
    assert whitespace == [t.whitespace_ for t in doc]
    assert is_space == [t.is_space for t in doc]
    assert [s == 1 for s in sent_start] == [bool(t.is_sent_start) for t in doc]


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_offsets_match_doc_sents(nlp, text):
    doc = nlp(text)
    set_sentence_starts(doc)
    expected = [(s.start_char, s.end_char) for s in doc.sents] if len(doc) else []
    assert sentence_offsets(doc) == expected


def test_set_sent_starts_is_the_token_setter(nlp):
    a, b = nlp("One. Two three. Four"), nlp("One. Two three. Four")
    flags = [True, False, True, False, False, True]
    set_sent_starts(a, flags)
    for token, flag in zip(b, flags):
        token.is_sent_start = flag
    assert [t.is_sent_start for t in a] == [t.is_sent_start for t in b] == flags
    assert [s.text for s in a.sents] == ["One.", "Two three.", "Four"]
