"""kg_sentences: rule-based sentence boundaries on abstract-like text."""

import pytest
import spacy

import kg.nlp.sentences  # noqa: F401  (registers the factory)


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_sentences")
    return nlp


def sents(nlp, text):
    return [s.text.strip() for s in nlp(text).sents]


def test_title_newline_is_a_boundary(nlp):
    assert sents(nlp, "Deep Residual Learning for Image Recognition\nWe present a framework.") == [
        "Deep Residual Learning for Image Recognition",
        "We present a framework.",
    ]


def test_title_without_final_stop_and_lowercase_abstract_start(nlp):
    assert sents(nlp, "A title\nthis abstract starts in lower case.") == ["A title", "this abstract starts in lower case."]


@pytest.mark.parametrize(
    "text",
    [
        "We use CNNs, e.g. ResNet and VGG, for this.",
        "Deep models, i.e. networks with many layers, are used.",
        "As in Smith et al. (2019) we train a model.",
        "Results are shown in Fig. 3 and Figs. 4-5.",
        "We minimise the loss in Eq. 2 with Adam.",
        "We compare BERT vs. GPT on GLUE.",
        "We use version v2.0 of the toolkit and reach 3.5 points.",
        "The $\\ell_1$ norm of $x. Y$ is bounded.",
        "See Sec. 4 and Tab. 2 (cf. Ref. 7) for details.",
    ],
)
def test_no_split_inside_a_sentence(nlp, text):
    assert sents(nlp, text) == [text]


def test_splits_at_sentence_ends(nlp):
    text = "We propose X. It works! Does it generalise? Yes. 3 datasets are used."
    assert sents(nlp, text) == ["We propose X.", "It works!", "Does it generalise?", "Yes.", "3 datasets are used."]


def test_pre_tokenised_text(nlp):
    text = "As shown by Smith et al . , 2019 ) . The model is trained ."
    assert sents(nlp, text) == ["As shown by Smith et al . , 2019 ) .", "The model is trained ."]


def test_bracket_after_stop_and_extra_spaces(nlp):
    text = "We use it (see above.) Then we stop.  Next we go."
    assert sents(nlp, text) == ["We use it (see above.)", "Then we stop.", "Next we go."]


def test_etc_followed_by_capital_ends_the_sentence(nlp):
    assert sents(nlp, "We use CNNs, RNNs, etc. We then test.") == ["We use CNNs, RNNs, etc.", "We then test."]


def test_every_token_has_a_decision_and_empty_text_works(nlp):
    doc = nlp("One. Two.")
    assert all(t.is_sent_start is not None for t in doc)
    assert list(nlp("").sents) == []
