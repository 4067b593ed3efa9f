"""Neighbourhoods and paths in the concept graph: the concepts within a few hops of one, the
shortest connection between two, and the edges behind each step.
"""

from __future__ import annotations

import networkx as nx

from kg.graph.analytics.projection import concept_graph, induced_subgraph


def ego_graph(
    G: nx.MultiDiGraph,
    concept: str,
    hops: int = 2,
    *,
    max_nodes: int | None = None,
    C: nx.Graph | None = None,
) -> nx.Graph:
    """The concepts within ``hops`` relations of ``concept``, as a subgraph of the concept graph.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    concept : str
        The centre (a concept node id; see :func:`kg.graph.lookup.find_concept` for names).
    hops : int
        Radius in relations.
    max_nodes : int, optional
        Keep at most this many concepts: the nearest first, then those in most papers.
    C : networkx.Graph, optional
        The concept graph of ``G``, if already computed.

    Returns
    -------
    networkx.Graph
        A copy; node attribute ``hops`` is the distance from the centre.

    Raises
    ------
    KeyError
        ``concept`` is not a concept of ``G``.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in "abcd":
    ...     G.add_node(c, kind="concept", paper_count=1)
    >>> for u, v in ["ab", "bc", "cd"]:
    ...     _ = G.add_edge(u, v, kind="relation", type="USED-FOR", count=1)
    >>> sorted(ego_graph(G, "a", hops=2))
    ['a', 'b', 'c']
    """
    C = concept_graph(G) if C is None else C
    if concept not in C:
        raise KeyError(f"{concept!r} is not a concept of the graph")
    if hops < 0:
        raise ValueError("hops must be 0 or more")
    distance = nx.single_source_shortest_path_length(C, concept, cutoff=hops)
    nodes = sorted(distance, key=lambda n: (distance[n], -(C.nodes[n].get("paper_count") or 0), n))
    if max_nodes is not None:
        nodes = nodes[: max(1, max_nodes)]
    ego = induced_subgraph(C, nodes)
    for n in ego:
        ego.nodes[n]["hops"] = distance[n]
    return ego


def shortest_connection(
    G: nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    through_papers: bool = True,
    C: nx.Graph | None = None,
) -> list[str] | None:
    """The shortest chain of nodes connecting two concepts.

    First through concept relations only (fewest hops; among equally short chains the one found
    first in sorted order, so the answer is stable). When no such chain exists and
    ``through_papers`` is true, papers may serve as steps too (``concept - paper - concept``:
    both appear in that paper).

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    a, b : str
        Concept node ids.
    through_papers : bool
        Fall back to chains through paper nodes.
    C : networkx.Graph, optional
        The concept graph of ``G``, if already computed.

    Returns
    -------
    list of str or None
        Node ids from ``a`` to ``b`` inclusive, or None when they are not connected.

    Raises
    ------
    KeyError
        ``a`` or ``b`` is not a concept of ``G``.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in ("m/gnn", "t/nc", "d/cora", "m/bert"):
    ...     G.add_node(c, kind="concept")
    >>> G.add_node("p1", kind="paper")
    >>> for u, v in [("m/gnn", "t/nc"), ("t/nc", "d/cora")]:
    ...     _ = G.add_edge(u, v, kind="relation", type="USED-FOR", count=1)
    >>> for c in ("d/cora", "m/bert"):
    ...     _ = G.add_edge("p1", c, kind="link")
    >>> shortest_connection(G, "m/gnn", "d/cora")
    ['m/gnn', 't/nc', 'd/cora']
    >>> shortest_connection(G, "m/gnn", "m/bert")
    ['m/gnn', 't/nc', 'd/cora', 'p1', 'm/bert']
    """
    C = concept_graph(G) if C is None else C
    for node in (a, b):
        if node not in C:
            raise KeyError(f"{node!r} is not a concept of the graph")
    path = _bfs_path(lambda n: sorted(C.neighbors(n)), a, b)
    if path is None and through_papers:
        U = G.to_undirected(as_view=True)
        path = _bfs_path(lambda n: sorted(set(U.neighbors(n))), a, b)
    return path


def _bfs_path(neighbours, a: str, b: str) -> list[str] | None:
    """Breadth-first search visiting neighbours in the order given (deterministic ties)."""
    if a == b:
        return [a]
    parent = {a: None}
    frontier = [a]
    while frontier:
        following = []
        for node in frontier:
            for nxt in neighbours(node):
                if nxt in parent:
                    continue
                parent[nxt] = node
                if nxt == b:
                    path = [b]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    return path[::-1]
                following.append(nxt)
        frontier = following
    return None


def connection_steps(G: nx.MultiDiGraph, path: list[str]) -> list[dict]:
    """Describe each step of a :func:`shortest_connection` path by the edges behind it.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    path : list of str
        Node ids, consecutive ones adjacent in ``G``.

    Returns
    -------
    list of dict
        ``{"source", "target", "edges"}`` per step; ``edges`` lists ``(u, v, type or role,
        evidence ids)`` for every edge between the two nodes in either direction.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("m/gnn", "t/nc", key="USED-FOR", kind="relation", type="USED-FOR", evidence=["e1"])
    >>> connection_steps(G, ["t/nc", "m/gnn"])[0]["edges"]
    [('m/gnn', 't/nc', 'USED-FOR', ['e1'])]
    """
    steps = []
    for u, v in zip(path, path[1:]):
        edges = []
        for s, t in ((u, v), (v, u)):
            for attrs in (G.get_edge_data(s, t) or {}).values():
                label = attrs.get("type") if attrs.get("kind") == "relation" else attrs.get("role")
                edges.append((s, t, label, list(attrs.get("evidence", []))))
        edges.sort(key=lambda e: (e[0], e[1], str(e[2])))
        steps.append({"source": u, "target": v, "edges": edges})
    return steps
