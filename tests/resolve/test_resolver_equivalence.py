"""The tuned resolver (collector paused, word normalisation memoised, clusters of papers without
definitions remembered) resolves exactly as the resolver before it (resolver_reference.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from kg.resolve import resolve


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


reference = _load("kg_tests_resolver_reference", Path(__file__).with_name("resolver_reference.py"))
bench = _load("kg_tests_bench_resolve", Path(__file__).resolve().parents[2] / "scripts" / "bench_resolve.py")


@pytest.mark.parametrize("seed", [0, 1])
def test_same_resolution_as_the_reference(seed) -> None:
    """A corpus with acronyms defined in some papers, case, hyphen, plural and typo variants."""
    papers, exts = bench.corpus(600, 12, seed=seed)
    ours, theirs = resolve(exts, papers), reference.resolve(exts, papers)
    assert ours.concepts == theirs.concepts
    assert ours.relations == theirs.relations
    assert ours.evidence == theirs.evidence
    assert ours._ids == theirs._ids
    assert {p: list(a) for p, a in ours._mentions.items()} == {p: list(a) for p, a in theirs._mentions.items()}
    assert len(ours.concepts) > 100 and ours.relations
