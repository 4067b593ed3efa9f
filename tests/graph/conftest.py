"""Fixtures for the analytics tests: the synthetic graph generator (tests/graph/synthetic.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


def load_synthetic():
    """Import tests/graph/synthetic.py by path (the test folders are not packages)."""
    path = Path(__file__).with_name("synthetic.py")
    spec = importlib.util.spec_from_file_location("kg_tests_synthetic", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def synthetic():
    """The synthetic module: ``synthetic.synthetic_graph(n_papers, n_concepts, ...)``."""
    return load_synthetic()
