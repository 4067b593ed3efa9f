"""Choosing what a concept map draws: which concepts (most papers first, every type keeping a
share), which of the relations among them (each concept's strongest few), and which concepts
``--min-confidence`` leaves out. Plain functions over a concept graph
(:func:`kg.graph.analytics.concept_graph`); :mod:`kg.render.map` draws what they choose.
"""

from __future__ import annotations

import networkx as nx

from kg.resolve.confidence import is_hidden

#: Each drawn concept keeps this many of its strongest drawn relations.
EDGES_PER_CONCEPT = 4
#: Share of the cap every concept type keeps (so datasets and metrics are not crowded out).
TYPE_SHARE = 0.1


def select_concepts(C: nx.Graph, max_concepts: int) -> list[str]:
    """The concepts a capped map draws: most papers first, every type keeping a share.

    Each type present keeps up to ``TYPE_SHARE * max_concepts`` places (its own top concepts),
    so a corpus dominated by methods still shows its datasets, metrics and tasks; the rest go
    to the overall top. Ties are broken by relation strength, then mentions, then id.

    Parameters
    ----------
    C : networkx.Graph
        A concept graph (:func:`kg.graph.analytics.concept_graph`).
    max_concepts : int
        How many to keep.

    Returns
    -------
    list of str
        Sorted concept ids.

    Example
    -------
    >>> C = nx.Graph()
    >>> for i in range(20):
    ...     C.add_node(f"method/m{i}", type="METHOD", paper_count=100 - i)
    >>> C.add_node("dataset/d", type="DATASET", paper_count=1)
    >>> "dataset/d" in select_concepts(C, 10)
    True
    """
    strength = dict(C.degree(weight="weight"))

    def rank(n: str) -> tuple:
        a = C.nodes[n]
        return (-(a.get("paper_count") or 0), -strength.get(n, 0), -(a.get("mention_count") or 0), n)

    ordered = sorted(C, key=rank)
    if len(ordered) <= max_concepts:
        return sorted(ordered)
    share = int(max_concepts * TYPE_SHARE)
    chosen: list[str] = []
    taken: set[str] = set()
    per_type: dict[str, int] = {}
    for n in ordered:
        t = C.nodes[n].get("type")
        if per_type.get(t, 0) < share:
            per_type[t] = per_type.get(t, 0) + 1
            chosen.append(n)
            taken.add(n)
    for n in ordered:
        if len(chosen) >= max_concepts:
            break
        if n not in taken:
            chosen.append(n)
            taken.add(n)
    return sorted(chosen[:max_concepts])


def backbone(C: nx.Graph, nodes: list[str], per_concept: int = EDGES_PER_CONCEPT) -> nx.Graph:
    """The drawn part of ``C`` among ``nodes``: each concept's ``per_concept`` strongest edges.

    An edge is kept when it is among the strongest of either end, so every concept with any
    relation keeps at least one and hubs keep more; weak edges between well-connected concepts
    (the hairball) go.

    Parameters
    ----------
    C : networkx.Graph
        A concept graph.
    nodes : list of str
        The drawn concepts.
    per_concept : int
        Strongest edges kept per concept.

    Returns
    -------
    networkx.Graph
        All of ``nodes`` with the kept edges (attributes copied).

    Example
    -------
    >>> C = nx.Graph()
    >>> C.add_weighted_edges_from([("hub", str(i), i) for i in range(1, 6)])
    >>> backbone(C, list(C), per_concept=1).number_of_edges()  # every leaf keeps its one edge
    5
    >>> backbone(C, ["hub", "4", "5"], per_concept=1).number_of_edges()
    2
    """
    S = C.subgraph(nodes)
    keep: set[tuple[str, str]] = set()
    for n in sorted(S):
        strongest = sorted(S[n].items(), key=lambda kv: (-(kv[1].get("weight") or 0), kv[0]))[:per_concept]
        for m, _ in strongest:
            keep.add((n, m) if n < m else (m, n))
    B = nx.Graph()
    for n in sorted(S):
        B.add_node(n, **S.nodes[n])
    for u, v in sorted(keep):
        B.add_edge(u, v, **S.edges[u, v])
    return B


def hidden_singletons(G: nx.MultiDiGraph, min_confidence: float, keep: str | None = None) -> list[str]:
    """Concepts of ``G`` the map leaves out: one paper and a ``confidence`` below
    ``min_confidence`` (:func:`kg.resolve.confidence.is_hidden`); a concept without a
    confidence (a graph built before it existed) counts as 1.0. ``keep`` is never left out.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/a", kind="concept", paper_count=1, confidence=0.3)
    >>> G.add_node("method/b", kind="concept", paper_count=2, confidence=0.3)
    >>> hidden_singletons(G, 0.4), hidden_singletons(G, 0.4, keep="method/a")
    (['method/a'], [])
    """
    if not min_confidence:
        return []
    return sorted(
        n for n, a in G.nodes(data=True)
        if a.get("kind") == "concept" and n != keep
        and is_hidden(a.get("paper_count") or 0, a.get("confidence", 1.0), min_confidence)
    )
