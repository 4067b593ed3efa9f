"""Fixtures for the extraction runtime tests: a small stand-in pipeline and real papers.

The stand-in (blank English tokenizer, sentencizer, an entity ruler with a few dozen concept
names) is built into a temporary folder and passed as ``model=``: it loads in milliseconds in
every worker process, so the runtime (ordering, cache, workers, Dask, chunking) is tested
without depending on the trained model. It is never a product default.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.models import Paper

CONCEPTS = {
    "METHOD": ["neural networks", "neural network", "deep learning", "BERT", "ResNet", "transformers", "Adam", "dropout", "graph neural networks", "GNN", "GNNs", "SGD", "reinforcement learning", "LSTM", "CNN"],
    "DATASET": ["ImageNet", "CIFAR-10", "MNIST", "COCO", "GLUE", "Penn Treebank"],
    "METRIC": ["accuracy", "F1", "BLEU", "perplexity", "error rate", "latency"],
    "TASK": ["image classification", "machine translation", "question answering", "object detection", "node classification", "computer vision", "NAS"],
}


def build_standin(folder: Path) -> Path:
    """Write the stand-in pipeline to ``folder`` and return it."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = [{"label": label, "pattern": name} for label, names in CONCEPTS.items() for name in names]
    patterns.append({"label": "ORG", "pattern": "Google"})  # not one of kg's labels: must be dropped
    ruler.add_patterns(patterns)
    nlp.to_disk(folder)
    return folder


@pytest.fixture(scope="session")
def standin_model(tmp_path_factory) -> str:
    """Path of the stand-in pipeline (built once per test session)."""
    return str(build_standin(tmp_path_factory.mktemp("standin") / "model"))


SAMPLE_TEXTS = [
    ("Deep Residual Learning", "We train ResNet with SGD on ImageNet for image classification and report top-1 accuracy. Google helped."),
    ("Attention for translation", "Transformers improve BLEU on machine translation. We also fine-tune BERT on GLUE."),
    ("Graph neural networks", "GNNs are used for node classification.\nWe report F1 and latency."),
    ("Nothing here", "This abstract names no concept at all."),
    ("Empty abstract", ""),
]


@pytest.fixture
def sample_papers() -> list[Paper]:
    return [Paper(id=f"test:{i}", title=t, abstract=a) for i, (t, a) in enumerate(SAMPLE_TEXTS)]
