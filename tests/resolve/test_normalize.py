"""Safe normalisation: what may meet and what must never meet."""

from __future__ import annotations

import pytest

from kg.resolve.normalize import clean_form, form_key, is_acronym_form


@pytest.mark.parametrize(
    "a, b",
    [
        ("graph neural networks", "Graph Neural Networks"),
        ("graph neural networks", "graph neural network"),
        ("GNN", "GNNs"),
        ("fine-tuning", "finetuning"),
        ("fine-tuning", "fine tuning"),
        ("Mixture-of-Experts", "mixture of experts"),
        ("CIFAR-10", "CIFAR10"),
        ("ImageNet-1K", "ImageNet-1k"),
        ("OoD", "OOD"),
        ("normalisation", "normalization"),
        ("regularised models", "regularized models"),
        ("modelling", "modeling"),
        ("neighbourhood sampling", "neighborhood sampling"),
        ("policies", "policy"),
        ("greedy approaches", "greedy approach"),
        ("Generative Adversarial Nets", "generative adversarial networks"),
        ("ResNets", "ResNet"),
        ("\uff27\uff2e\uff2e", "GNN"),  # full-width letters (NFKC)
        ("graph\u00a0neural\u2013networks", "graph neural-networks"),
    ],
)
def test_same_key(a, b):
    assert form_key(a) == form_key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("CAN", "can"),  # an acronym never folds into a word
        ("GRAND", "grand"),
        ("CIFAR-10", "CIFAR-100"),
        ("GPT", "GPT-2"),
        ("top-1 accuracy", "top-5 accuracy"),
        ("KAN", "S-KAN"),
        ("PointNet", "PointNet++"),
        ("BNNs", "pBNNs"),
        ("ReLU", "PReLU"),
        ("U-Net", "U-Network"),
        ("GANs", "CANs"),
    ],
)
def test_different_key(a, b):
    assert form_key(a) != form_key(b)


def test_no_letters_no_key():
    assert form_key(" -- ") == ""
    assert clean_form("  \u201cBERT\u201d, ") == "BERT"


def test_acronym_forms():
    assert is_acronym_form("5-HT") and is_acronym_form("MoEs") and not is_acronym_form("Adam")
