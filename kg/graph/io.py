"""Writing the NetworkX graph as ``graph.json`` (node-link JSON) and ``graph.graphml``."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from kg.graph.build import graphml_ready, to_node_link
from kg.output import atomic_open


def write_node_link(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as node-link JSON (loadable with :func:`kg.graph.build.load_graph`), atomically."""
    path = Path(path)
    with atomic_open(path) as fh:
        json.dump(to_node_link(G), fh, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    return path


def write_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as GraphML (list attributes as JSON text), atomically."""
    path = Path(path)
    with atomic_open(path, "wb", encoding=None) as fh:
        nx.write_graphml(graphml_ready(G), fh, encoding="utf-8", named_key_ids=True)
    return path
