"""No import cycle among kg's modules, deferred (function-level) imports included.

The import graph is grimp's (the engine of import-linter), read from the source of every module
of kg; its cycles are the strongly connected components of that graph (NetworkX). A deferred
import hides a cycle from Python's import machinery but not from the reader: each such cycle
means one piece of code lives in the wrong module.
"""

from __future__ import annotations

import grimp
import networkx as nx
import pytest

#: Cycles left on purpose, each with its reason (none today).
KNOWN_CYCLES: set[frozenset[str]] = set()


@pytest.fixture(scope="module")
def imports() -> nx.DiGraph:
    graph = grimp.build_graph("kg", cache_dir=None)
    D = nx.DiGraph()
    for module in graph.modules:
        D.add_node(module)
        D.add_edges_from((module, imported) for imported in graph.find_modules_directly_imported_by(module))
    return D


def cycles(D: nx.DiGraph) -> set[frozenset[str]]:
    """The groups of modules that import each other, directly or through others."""
    return {frozenset(c) for c in nx.strongly_connected_components(D) if len(c) > 1}


def test_the_graph_sees_deferred_imports(imports):
    # kg.cli imports the map writer inside a function only: a graph without it would miss
    # exactly the imports that hide cycles
    assert imports.has_edge("kg.cli", "kg.render.map")
    assert imports.has_edge("kg.pipeline", "kg.resolve.hiding")


def test_cycles_are_found():
    D = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert cycles(D) == {frozenset({"a", "b", "c"})}


def test_no_import_cycle(imports):
    found = cycles(imports)
    new = sorted(sorted(c) for c in found - KNOWN_CYCLES)
    assert not new, "import cycles (a module imports, directly or not, a module that imports it): " + "; ".join(" <-> ".join(c) for c in new)
    gone = sorted(sorted(c) for c in KNOWN_CYCLES - found)
    assert not gone, f"these cycles are gone: remove them from KNOWN_CYCLES: {gone}"
