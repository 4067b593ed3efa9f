"""Finding a concept node of a built graph by what a person types: an id, a label or an alias."""

from __future__ import annotations

import unicodedata

import networkx as nx


class ConceptNotFound(LookupError):
    """No concept, or more than one equally good concept, matches the name."""


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("-", " ").split())


def find_concept(G: nx.MultiDiGraph, name: str) -> str:
    """Return the node id of the concept ``name`` refers to.

    Tried in order: the node id itself, the canonical label, an alias (case-, hyphen- and
    space-insensitive), then labels containing ``name``. Within a tier the concept with most
    papers wins; a tie raises :class:`ConceptNotFound` listing the candidates.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/gnn", kind="concept", label="graph neural networks", aliases=[["GNNs", 3]], paper_count=3)
    >>> find_concept(G, "gnns")
    'method/gnn'
    """
    concepts = [(n, a) for n, a in G.nodes(data=True) if a.get("kind") == "concept"]
    if name in G and G.nodes[name].get("kind") == "concept":
        return name
    key = _fold(name)
    tiers = [
        [n for n, a in concepts if _fold(a.get("label", "")) == key],
        [n for n, a in concepts if any(_fold(form) == key for form, _ in a.get("aliases", []))],
        [n for n, a in concepts if key and key in _fold(a.get("label", ""))],
    ]
    for tier in tiers:
        if not tier:
            continue
        tier.sort(key=lambda n: (-G.nodes[n].get("paper_count", 0), n))
        if len(tier) > 1 and G.nodes[tier[0]].get("paper_count", 0) == G.nodes[tier[1]].get("paper_count", 0):
            names = ", ".join(f"{n} ({G.nodes[n].get('label')})" for n in tier[:8])
            raise ConceptNotFound(f"'{name}' is ambiguous: {names}; give a concept id")
        return tier[0]
    raise ConceptNotFound(f"no concept matches '{name}'")
