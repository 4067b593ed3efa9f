"""How strongly two concepts go together: the papers they share and their normalised PMI,
counted with one sparse matrix product (SciPy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx

from kg.graph.analytics.projection import concept_papers


def npmi(n_xy: int, n_x: int, n_y: int, n: int) -> float:
    """Normalised pointwise mutual information of two events counted over ``n`` trials.

    ``log(p(x,y) / (p(x) p(y))) / -log p(x,y)``: 1 when the two always occur together,
    0 when independent, -1 when they never do (Bouma 2009).

    Parameters
    ----------
    n_xy, n_x, n_y : int
        Trials with both, with x, with y.
    n : int
        All trials.

    Returns
    -------
    float in [-1, 1]

    Example
    -------
    >>> npmi(10, 10, 10, 100)
    1.0
    >>> round(npmi(1, 10, 10, 100), 6) == 0  # independent
    True
    """
    if n_xy <= 0:
        return -1.0
    p_xy, p_x, p_y = n_xy / n, n_x / n, n_y / n
    if p_xy >= 1.0:
        return 1.0
    return math.log(p_xy / (p_x * p_y)) / -math.log(p_xy)


def cooccurrence(
    G: nx.MultiDiGraph,
    *,
    min_papers: int = 2,
    concepts: Iterable[str] | None = None,
) -> list[dict]:
    """How often concept pairs appear in the same paper, with their NPMI.

    Counted over papers (a pair counts once per paper however often it is mentioned) with one
    sparse matrix product of the paper x concept incidence matrix, so it stays fast on 100k
    papers. Concepts in fewer than ``min_papers`` papers cannot reach the threshold and are left
    out before the product.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    min_papers : int
        Keep pairs that share at least this many papers.
    concepts : iterable of str, optional
        Only pairs among these concepts.

    Returns
    -------
    list of dict
        ``{"a", "b", "papers", "npmi"}`` with ``a < b``, strongest first: by NPMI, then by
        shared papers, then by ids.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in ("m/gnn", "d/cora", "t/mt"):
    ...     G.add_node(c, kind="concept")
    >>> for p, cs in {"p1": ["m/gnn", "d/cora"], "p2": ["m/gnn", "d/cora"], "p3": ["t/mt"], "p4": ["m/gnn"]}.items():
    ...     for c in cs:
    ...         _ = G.add_edge(p, c, kind="link")
    >>> [(r["a"], r["b"], r["papers"], round(r["npmi"], 3)) for r in cooccurrence(G)]
    [('d/cora', 'm/gnn', 2, 0.415)]
    """
    import numpy as np
    from scipy import sparse

    wanted = set(concepts) if concepts is not None else None
    papers_of = concept_papers(G)
    n_papers = sum(1 for _, kind in G.nodes(data="kind") if kind == "paper") or len(
        {p for ps in papers_of.values() for p in ps}
    )
    columns = [c for c, ps in papers_of.items() if len(ps) >= min_papers and (wanted is None or c in wanted)]
    if len(columns) < 2 or n_papers == 0:
        return []
    paper_index: dict[str, int] = {}
    rows, cols = [], []
    for j, c in enumerate(columns):
        for p in papers_of[c]:
            rows.append(paper_index.setdefault(p, len(paper_index)))
            cols.append(j)
    B = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(paper_index), len(columns)))
    counts = sparse.triu(B.T @ B, k=1).tocoo()
    result = []
    for i, j, n_xy in zip(counts.row.tolist(), counts.col.tolist(), counts.data.tolist()):
        if n_xy < min_papers:
            continue
        a, b = sorted((columns[i], columns[j]))
        score = npmi(n_xy, len(papers_of[a]), len(papers_of[b]), n_papers)
        result.append({"a": a, "b": b, "papers": int(n_xy), "npmi": score})
    result.sort(key=lambda r: (-r["npmi"], -r["papers"], r["a"], r["b"]))
    return result
