"""The examples in kg.ingest's docstrings run (pytest only collects doctests under tests/)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg.ingest

MODULES = sorted(m.name for m in pkgutil.iter_modules(kg.ingest.__path__, "kg.ingest."))


@pytest.mark.parametrize("name", ["kg.ingest", *MODULES])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
