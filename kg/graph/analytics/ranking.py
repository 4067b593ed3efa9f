"""Ranking concepts: PageRank on the weighted concept graph (NetworkX's SciPy power
iteration), the top concepts overall, of one type, and per type.
"""

from __future__ import annotations

import networkx as nx

from kg.graph.analytics.projection import concept_graph, concept_ids
from kg.models import LABELS


def concept_pagerank(G: nx.MultiDiGraph, *, alpha: float = 0.85, C: nx.Graph | None = None) -> dict[str, float]:
    """PageRank of every concept on the weighted concept graph.

    A concept ranks high when it is strongly related to concepts that themselves rank high:
    a "hub" measure that, unlike the paper count, rewards being connected across the field.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    alpha : float
        Damping factor.
    C : networkx.Graph, optional
        The concept graph of ``G`` (:func:`concept_graph`) if already computed.

    Returns
    -------
    dict
        ``{concept id: score}``, scores summing to 1 (empty for a graph without concepts).

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in ("a", "b", "c"):
    ...     G.add_node(c, kind="concept")
    >>> for x in ("a", "c"):
    ...     _ = G.add_edge(x, "b", kind="relation", type="USED-FOR", count=1)
    >>> pr = concept_pagerank(G)
    >>> max(pr, key=pr.get)
    'b'
    """
    C = concept_graph(G) if C is None else C
    if C.number_of_nodes() == 0:
        return {}
    return nx.pagerank(C, alpha=alpha, weight="weight")


def top_concepts(
    G: nx.MultiDiGraph,
    n: int = 10,
    *,
    by: str = "papers",
    type: str | None = None,
    scores: dict[str, float] | None = None,
) -> list[tuple[str, float]]:
    """The ``n`` highest-ranked concepts, optionally of one type.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    n : int
        How many to return.
    by : {"papers", "mentions", "pagerank"}
        Rank by number of papers, number of mentions, or PageRank on the concept graph.
    type : str, optional
        Only concepts of this type (METHOD, DATASET, METRIC, TASK).
    scores : dict, optional
        Precomputed PageRank scores (:func:`concept_pagerank`) for ``by="pagerank"``.

    Returns
    -------
    list of (concept id, score)
        Highest first; ties broken by concept id.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/a", kind="concept", type="METHOD", paper_count=2)
    >>> G.add_node("method/b", kind="concept", type="METHOD", paper_count=5)
    >>> G.add_node("task/c", kind="concept", type="TASK", paper_count=9)
    >>> top_concepts(G, 1, type="METHOD")
    [('method/b', 5)]
    """
    if by == "papers":
        scores = {c: G.nodes[c].get("paper_count", 0) for c in concept_ids(G)}
    elif by == "mentions":
        scores = {c: G.nodes[c].get("mention_count", 0) for c in concept_ids(G)}
    elif by == "pagerank":
        scores = concept_pagerank(G) if scores is None else scores
    else:
        raise ValueError(f"by must be 'papers', 'mentions' or 'pagerank', not {by!r}")
    items = [(c, s) for c, s in scores.items() if type is None or G.nodes[c].get("type") == type]
    items.sort(key=lambda cs: (-cs[1], cs[0]))
    return items[:n]


def top_concepts_by_type(
    G: nx.MultiDiGraph, n: int = 10, *, by: str = "papers", scores: dict[str, float] | None = None
) -> dict[str, list[tuple[str, float]]]:
    """:func:`top_concepts` for each concept type, in the order of :data:`kg.models.LABELS`.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    n : int
        How many per type.
    by : {"papers", "mentions", "pagerank"}
        The ranking (see :func:`top_concepts`).
    scores : dict, optional
        Precomputed PageRank scores for ``by="pagerank"``.

    Returns
    -------
    dict
        ``{type: [(concept id, score), ...]}`` with every type present (possibly empty).

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("dataset/cora", kind="concept", type="DATASET", paper_count=3)
    >>> top_concepts_by_type(G, 3)["DATASET"]
    [('dataset/cora', 3)]
    """
    if by == "pagerank" and scores is None:
        scores = concept_pagerank(G)
    return {label: top_concepts(G, n, by=by, type=label, scores=scores) for label in LABELS}
