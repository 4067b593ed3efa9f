"""Schwartz & Hearst (2003) abbreviation detection: the paper's cases and kg's additions."""

from __future__ import annotations

import pytest
import spacy

import kg.nlp.abbreviations  # noqa: F401  (registers the factory)
from kg.models import Abbreviation
from kg.nlp.abbreviations import find_abbreviations, is_acronym_like, match_long_form


def pairs(text: str) -> list[tuple[str, str]]:
    found = find_abbreviations(text)
    for a in found:  # offsets always quote the pair exactly
        assert text[a.short_start : a.short_end] == a.short
        assert text[a.long_start : a.long_end] == a.long
    return [(a.short, a.long) for a in found]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the recently proposed Kolmogorov-Arnold Network (KAN), based on", ("KAN", "Kolmogorov-Arnold Network")),
        ("we propose an activation space Selectable KAN (S-KAN).", ("S-KAN", "Selectable KAN")),
        ("We study graph neural networks (GNNs) here.", ("GNNs", "graph neural networks")),
        ("trained with backpropagation (BP) and", ("BP", "backpropagation")),
        ("levels of 5-hydroxytryptamine (5-HT) in", ("5-HT", "5-hydroxytryptamine")),
        ("the 1-dimensional Weisfeiler-Leman (1-WL) test", ("1-WL", "1-dimensional Weisfeiler-Leman")),
        ("Activation Function-Based Kolmogorov-Arnold Networks (AF-KAN) are", ("AF-KAN", "Activation Function-Based Kolmogorov-Arnold Networks")),
        ("the maximal update parameterization (muP) regime", ("muP", "maximal update parameterization")),
        ("sparse Mixture of Experts (MoE) layers", ("MoE", "Mixture of Experts")),
    ],
)
def test_long_form_then_short_form(text, expected):
    assert pairs(text) == [expected]


def test_missing_letters_in_long_form():
    # "Long Form (LF)": letters of the long form without a short-form letter are skipped
    assert pairs("an Improved Variational Online Newton (IVON) optimiser") == [("IVON", "Improved Variational Online Newton")]
    assert pairs("heat shock transcription factor (HSF) binds") == [("HSF", "heat shock transcription factor")]


def test_short_form_then_long_form():
    assert pairs("We use SMT (Satisfiability Modulo Theory) solvers.") == [("SMT", "Satisfiability Modulo Theory")]


def test_nested_parentheses():
    assert pairs("a model (such as a convolutional neural network (CNN)) is used") == [("CNN", "convolutional neural network")]
    assert pairs("tumor necrosis factor (TNF (ref 3)) is") == [("TNF", "tumor necrosis factor")]


def test_plural_short_form_of_singular_long_form():
    assert pairs("a convolutional neural network (CNNs) is") == [("CNNs", "convolutional neural network")]


def test_clause_boundary_limits_long_form():
    assert pairs("We compare ResNet, deep learning (DL) and more.") == [("DL", "deep learning")]


def test_word_limit():
    # |A| = 2 allows at most min(2 + 5, 2 * 2) = 4 words of long form
    assert pairs("the bag of green apple pie (BP) today") == []


def test_non_acronyms_are_ignored():
    assert pairs("results (see Table 3) and (Smith et al., 2019) and (i.e., this) (2019) (ours) (Table)") == []


def test_first_character_must_start_a_word():
    # the "K" of KAN may not match inside "making"
    assert match_long_form("KAN", "making a network") is None


@pytest.mark.parametrize("form, ok", [("GNNs", True), ("5-HT", True), ("S-KAN", True), ("e.g.", False), ("Fig", False), ("x", False), ("ABCDEFGHIJK", False)])
def test_is_acronym_like(form, ok):
    assert is_acronym_like(form) is ok


def test_long_form_must_not_contain_short_form():
    assert pairs("a large KAN (KAN) model") == []


def test_component_without_parser():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kg_abbreviations")
    doc = nlp("Graph neural networks (GNNs) work. Deep learning (DL) too.")
    assert doc._.abbreviations == [
        Abbreviation("GNNs", "Graph neural networks", 23, 27, 0, 21),
        Abbreviation("DL", "Deep learning", 50, 52, 35, 48),
    ]


def test_component_without_sentences():
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_abbreviations")
    doc = nlp("We propose the Kolmogorov-Arnold Network (KAN).")
    assert [(a.short, a.long) for a in doc._.abbreviations] == [("KAN", "Kolmogorov-Arnold Network")]
