"""kg_span_repair: boundary repair, generic- and vague-word filters and generic-head dropping."""

import pytest
import spacy
from spacy.tokens import Span

from kg.nlp.spans import drop_generic_head, has_url, is_generic, is_unnamed_dataset, is_vague, repair_entities, trim_span


def words(text):
    return text.split()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the ResNet", "ResNet"),
        ("our novel GraphSAGE", "GraphSAGE"),
        ("a standard U-Net", "U-Net"),
        ("the proposed attention mechanism", "attention mechanism"),
        ("BERT ,", "BERT"),
        ("ImageNet .", "ImageNet"),
        ("support vector machines ( SVM", "support vector machines"),
        ("( SVM )", "SVM"),
        ("SVM )", "SVM"),
        ("long short-term memory ( LSTM ) networks", "long short-term memory ( LSTM ) networks"),
        ("- dropout", "dropout"),
        ("the", ""),
    ],
)
def test_trim_span(text, expected):
    w = words(text)
    start, end = trim_span(w, 0, len(w))
    assert " ".join(w[start:end]) == expected


@pytest.mark.parametrize(
    "text, generic",
    [
        ("method", True),
        ("the proposed approach", True),
        ("our framework", True),
        ("Networks", True),
        ("algorithms", True),
        ("attention mechanism", False),
        ("graph neural networks", False),
        ("Adam", False),
    ],
)
def test_is_generic(text, generic):
    assert is_generic(words(text)) is generic


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ResNet architecture", "ResNet"),
        ("ImageNet dataset", "ImageNet"),
        ("CIFAR-10 benchmark", "CIFAR-10"),
        ("BERT model", "BERT"),
        ("attention model", "attention model"),
        ("encoder-decoder networks", "encoder-decoder networks"),
        ("dataset", "dataset"),
    ],
)
def test_drop_generic_head(text, expected):
    w = words(text)
    start, end = drop_generic_head(w, 0, len(w))
    assert " ".join(w[start:end]) == expected


def _doc_with(text, spans):
    nlp = spacy.blank("en")
    doc = nlp(text)
    ents = []
    for phrase, label, source in spans:
        start = text.index(phrase)
        span = doc.char_span(start, start + len(phrase), label=label)
        assert span is not None, phrase
        if source:
            span._.source = source
        ents.append(span)
    doc.ents = ents
    return doc


def test_repair_entities_on_a_doc():
    doc = _doc_with(
        "We train the novel GraphSAGE model, our approach, on the ImageNet dataset.",
        [("the novel GraphSAGE model,", "METHOD", "ruler"), ("our approach", "METHOD", None), ("ImageNet dataset", "DATASET", None)],
    )
    repair_entities(doc)
    assert [(e.text, e.label_, e._.source) for e in doc.ents] == [
        ("GraphSAGE model", "METHOD", "ruler"),
        ("ImageNet dataset", "DATASET", None),
    ]


@pytest.mark.parametrize(
    "text, url",
    [
        ("https://github.com/IBM/EvolveGCN", True),
        ("http://example.org", True),
        ("www.kaggle.com/datasets", True),
        ("code at github.com/zwt233/DGMLP", True),
        ("huggingface.co/bert-base", True),
        ("pytorch.org", True),
        ("fast.ai", False),  # software that is named like a host
        ("Node.js", False),
        ("arxiv.example/paper", False),  # an unlisted top-level domain without a scheme is let through
        ("ResNet-50", False),
        ("e.g. BERT", False),
        ("ogbn-arxiv", False),
        ("Node2vec", False),
        ("GPT-3.5", False),
    ],
)
def test_has_url(text, url):
    assert has_url(words(text)) is url


@pytest.mark.parametrize(
    "text, label, vague",
    [
        ("robustness", "METRIC", True),
        ("Performance", "METRIC", True),
        ("learning rate", "METRIC", True),
        ("inference", "TASK", True),
        ("training", "TASK", True),
        ("adversarial robustness", "METRIC", False),
        ("inference latency", "METRIC", False),
        ("accuracy", "METRIC", False),
        ("inference", "METHOD", False),  # only the labels the guideline names
        ("continual learning", "TASK", False),
    ],
)
def test_is_vague(text, label, vague):
    assert is_vague(words(text), label) is vague


def test_repair_entities_drops_vague_words_for_their_label_only():
    doc = _doc_with(
        "Robustness and top-1 accuracy improve, and inference is fast, with variational inference.",
        [("Robustness", "METRIC", None), ("top-1 accuracy", "METRIC", None), ("inference", "TASK", None), ("variational inference", "METHOD", None)],
    )
    repair_entities(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("top-1 accuracy", "METRIC"), ("variational inference", "METHOD")]
    doc = _doc_with("Robustness matters.", [("Robustness", "METRIC", None)])
    assert [e.text for e in repair_entities(doc, drop_generic=False).ents] == ["Robustness"]


@pytest.mark.parametrize(
    "text, unnamed",
    [
        ("real-world datasets", True),
        ("benchmark datasets", True),
        ("movie review corpus", True),
        ("synthetic data", True),
        ("rgb images", True),
        ("ImageNet dataset", False),
        ("CIFAR-10", False),
        ("Penn Treebank", False),
        ("charades", False),  # lower-cased names stay: only descriptions ending in a data word go
        ("WMT'14 test set", False),
    ],
)
def test_is_unnamed_dataset(text, unnamed):
    assert is_unnamed_dataset(words(text), "DATASET") is unnamed
    assert not is_unnamed_dataset(words(text), "METHOD")


def test_repair_entities_drops_spans_holding_a_url():
    doc = _doc_with(
        "EvolveGCN code is at https://github.com/IBM/EvolveGCN and data at www.example.org/data today.",
        [("EvolveGCN", "METHOD", None), ("https://github.com/IBM/EvolveGCN", "METHOD", None), ("www.example.org/data", "DATASET", None)],
    )
    repair_entities(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("EvolveGCN", "METHOD")]


def test_repair_entities_can_drop_heads_and_leaves_good_spans_alone():
    doc = _doc_with("We train ResNet architecture with dropout.", [("ResNet architecture", "METHOD", None), ("dropout", "METHOD", None)])
    repair_entities(doc, drop_heads=True)
    assert [(e.text, e.label_) for e in doc.ents] == [("ResNet", "METHOD"), ("dropout", "METHOD")]


def test_component_settings_switch_rules_off():
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("kg_span_repair", config={"trim": False, "drop_generic": False})
    doc = _doc_with("the approach works", [("the approach", "METHOD", None)])
    assert [e.text for e in pipe(doc).ents] == ["the approach"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("graph neural networks ( GNNs )", ["graph neural networks", "GNNs"]),
        ("anisotropic Gaussian MRF ( ACGMRF ) model", ["anisotropic Gaussian MRF", "ACGMRF"]),
        ("VRF ( linear )", ["VRF ( linear )"]),
        ("( CNN )", ["( CNN )"]),
        ("the error rate ( Table ) drop", ["the error rate ( Table ) drop"]),
    ],
)
def test_split_acronym(text, expected):
    from kg.nlp.spans import split_acronym

    w = words(text)
    assert [" ".join(w[s:e]) for s, e in split_acronym(w, 0, len(w))] == expected


def test_repair_entities_splits_long_form_and_acronym_when_asked():
    doc = _doc_with("We use graph neural networks (GNNs) here.", [("graph neural networks (GNNs)", "METHOD", None)])
    assert [e.text for e in repair_entities(doc).ents] == ["graph neural networks (GNNs)"]  # off by default
    repair_entities(doc, split_acronyms=True)
    assert [(e.text, e.label_) for e in doc.ents] == [("graph neural networks", "METHOD"), ("GNNs", "METHOD")]
