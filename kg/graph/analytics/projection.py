"""The nodes of kg's graph and the *concept graph*: the undirected, weighted projection
(one edge per related concept pair) that most analytics ask their questions of.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from kg.models import LABELS


def concept_ids(G: nx.MultiDiGraph) -> list[str]:
    """Return the ids of the concept nodes of ``G``, sorted.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.

    Returns
    -------
    list of str

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p1", kind="paper"); G.add_node("task/qa", kind="concept")
    >>> concept_ids(G)
    ['task/qa']
    """
    return sorted(n for n, kind in G.nodes(data="kind") if kind == "concept")


def concept_papers(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Return the papers linked to each concept (any role), as sorted lists.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.

    Returns
    -------
    dict
        ``{concept id: [paper id, ...]}`` for every concept node, papers without repeats.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/bert", kind="concept")
    >>> G.add_edge("p2", "method/bert", key="uses", kind="link")
    'uses'
    >>> G.add_edge("p1", "method/bert", key="mentions", kind="link")
    'mentions'
    >>> G.add_edge("p1", "method/bert", key="proposes", kind="link")
    'proposes'
    >>> concept_papers(G)
    {'method/bert': ['p1', 'p2']}
    """
    papers: dict[str, set[str]] = {c: set() for c in concept_ids(G)}
    for paper, concept, kind in G.edges(data="kind"):
        if kind == "link" and concept in papers:
            papers[concept].add(paper)
    return {c: sorted(ps) for c, ps in papers.items()}


def concept_graph(G: nx.MultiDiGraph, *, relation_types: Iterable[str] | None = None, evidence: bool = True) -> nx.Graph:
    """Project ``G`` onto its concepts: one undirected, weighted edge per related concept pair.

    The projection is what "how strongly are two concepts connected" means in kg: the edge
    weight is the sum of the ``count`` (supporting sentences) of every relation between the two
    concepts in either direction, co-occurrence included; ``types`` lists the relation types and
    ``evidence`` the evidence ids. Every concept node is kept (isolated ones too) with its
    ``type``, ``label`` and ``paper_count``.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    relation_types : iterable of str, optional
        Only these relation types (e.g. ``{"USED-FOR"}``); default all, CO-OCCURS included.
    evidence : bool
        Gather each pair's evidence ids. The map does not read them (it quotes each concept's
        evidence from ``G``): without them ``write_map`` of the 9,935-paper graph took 2.5
        against 3.5 CPU s for the same page (two runs each; its peak memory moved by less
        than 10 MB).

    Returns
    -------
    networkx.Graph

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in ("method/gnn", "task/nc"):
    ...     G.add_node(c, kind="concept", type=c.split("/")[0].upper(), label=c, paper_count=1)
    >>> _ = G.add_edge("method/gnn", "task/nc", key="USED-FOR", kind="relation", type="USED-FOR", count=2, evidence=["e1"])
    >>> _ = G.add_edge("task/nc", "method/gnn", key="CO-OCCURS", kind="relation", type="CO-OCCURS", count=3, evidence=["e2"])
    >>> C = concept_graph(G)
    >>> C.edges["method/gnn", "task/nc"]["weight"], C.edges["method/gnn", "task/nc"]["types"]
    (5, ['CO-OCCURS', 'USED-FOR'])
    """
    wanted = set(relation_types) if relation_types is not None else None
    C = nx.Graph()
    for c in concept_ids(G):
        attrs = G.nodes[c]
        C.add_node(c, type=attrs.get("type"), label=attrs.get("label", c), paper_count=attrs.get("paper_count", 0))
    pairs: dict[tuple[str, str], dict] = {}
    for u, v, attrs in G.edges(data=True):
        if attrs.get("kind") != "relation" or u == v or u not in C or v not in C:
            continue
        if wanted is not None and attrs.get("type") not in wanted:
            continue
        key = (u, v) if u < v else (v, u)
        edge = pairs.get(key)
        if edge is None:
            edge = pairs[key] = {"weight": 0, "types": set(), "evidence": set()} if evidence else {"weight": 0, "types": set()}
        edge["weight"] += attrs.get("count", 1) or 1
        edge["types"].add(attrs.get("type"))
        if evidence:
            edge["evidence"].update(attrs.get("evidence", ()))
    for (u, v) in sorted(pairs):
        edge = pairs[(u, v)]
        edge["types"] = sorted(edge["types"])
        if evidence:
            edge["evidence"] = sorted(edge["evidence"])
        C.add_edge(u, v, **edge)
    return C


def induced_subgraph(C: nx.Graph, nodes: Iterable[str]) -> nx.Graph:
    """A copy of ``C`` restricted to ``nodes``, with nodes and edges in sorted order.

    ``C.subgraph(nodes)`` iterates a small subset in the order of a Python ``set`` of the node
    ids, which changes from one process to the next (string hashing is salted); layouts,
    community detection and written files built from it would too. This copy does not.

    Parameters
    ----------
    C : networkx.Graph
    nodes : iterable of str

    Returns
    -------
    networkx.Graph
        Node and edge attributes copied.

    Example
    -------
    >>> C = nx.Graph([("b", "c"), ("a", "b"), ("c", "d")])
    >>> S = induced_subgraph(C, ["c", "b", "a"])
    >>> list(S.nodes), list(S.edges)
    (['a', 'b', 'c'], [('a', 'b'), ('b', 'c')])
    """
    keep = sorted(set(nodes) & set(C))
    S = nx.Graph()
    for n in keep:
        S.add_node(n, **C.nodes[n])
    inside = set(keep)
    edges = sorted((min(u, v), max(u, v)) for n in keep for u, v in ((n, m) for m in C[n]) if v in inside and n <= v)
    for u, v in edges:
        S.add_edge(u, v, **C.edges[u, v])
    return S


def type_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    """Number of concepts of each type, in the order of :data:`kg.models.LABELS`.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task/qa", kind="concept", type="TASK")
    >>> type_counts(G)
    {'METHOD': 0, 'DATASET': 0, 'METRIC': 0, 'TASK': 1}
    """
    counts = defaultdict(int)
    for _, attrs in G.nodes(data=True):
        if attrs.get("kind") == "concept":
            counts[attrs.get("type")] += 1
    return {label: counts.get(label, 0) for label in LABELS} | {
        t: c for t, c in sorted(counts.items(), key=lambda kv: str(kv[0])) if t not in LABELS
    }
