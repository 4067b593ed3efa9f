"""Communities of the concept graph (seeded Louvain), each named by its top concepts.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from kg.graph.analytics.projection import concept_graph


def communities(
    G: nx.MultiDiGraph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    name_size: int = 3,
    C: nx.Graph | None = None,
) -> list[dict]:
    """Louvain communities of the concept graph, each named by its top concepts.

    Concepts with no relation at all form no community and are left out. The result is
    deterministic for a given ``seed`` (the concept graph is built in sorted order).

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx` (or a concept graph, see ``C``).
    seed : int
        Seed of :func:`networkx.community.louvain_communities`.
    resolution : float
        Louvain resolution: above 1 gives more, smaller communities.
    name_size : int
        How many top concepts (by papers) make the name.
    C : networkx.Graph, optional
        The concept graph to partition, if already computed.

    Returns
    -------
    list of dict
        ``{"id", "name", "size", "members", "types"}``, largest first: ``members`` sorted by
        papers (then id), ``types`` counts members per type. ``id`` is the position in the list.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c, pc in [("m/gnn", 5), ("t/nc", 3), ("m/bert", 4), ("t/qa", 2)]:
    ...     G.add_node(c, kind="concept", type=c[0].upper(), label=c[2:], paper_count=pc)
    >>> for u, v in [("m/gnn", "t/nc"), ("m/bert", "t/qa")]:
    ...     _ = G.add_edge(u, v, kind="relation", type="USED-FOR", count=3)
    >>> [(c["name"], c["size"]) for c in communities(G, seed=1)]
    [('bert / qa', 2), ('gnn / nc', 2)]
    """
    C = concept_graph(G) if C is None else C
    # Louvain keeps communities as sets and iterates them: with string nodes that order follows
    # Python's per-process string hashing, so the same seed could give different communities
    # in two runs. Integer nodes hash to themselves, which makes the result reproducible.
    # (C may also be a subgraph view, whose iteration order is a set's: sort everything.)
    nodes = sorted(n for n in C if C.degree(n) > 0)
    if not nodes:
        return []
    index = {n: i for i, n in enumerate(nodes)}
    H = nx.Graph()
    H.add_nodes_from(range(len(nodes)))
    for a, b, w in sorted((index[u], index[v], w) if index[u] < index[v] else (index[v], index[u], w) for u, v, w in C.edges(data="weight", default=1)):
        H.add_edge(a, b, weight=w)
    parts = [[nodes[i] for i in part] for part in nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)]

    def rank(node: str) -> tuple:
        return (-(C.nodes[node].get("paper_count") or 0), node)

    found = []
    for part in parts:
        members = sorted(part, key=rank)
        types = Counter(C.nodes[m].get("type") for m in members)
        name = " / ".join(str(C.nodes[m].get("label", m)) for m in members[:name_size])
        found.append({"name": name, "size": len(members), "members": members, "types": dict(sorted(types.items(), key=lambda kv: str(kv[0])))})
    found.sort(key=lambda c: (-c["size"], c["members"][0]))
    for i, community in enumerate(found):
        community["id"] = i
    return found


def community_of(found: list[dict]) -> dict[str, int]:
    """Map each concept to the ``id`` of its community in the output of :func:`communities`.

    Example
    -------
    >>> community_of([{"id": 0, "members": ["a", "b"]}, {"id": 1, "members": ["c"]}])
    {'a': 0, 'b': 0, 'c': 1}
    """
    return {m: c["id"] for c in found for m in c["members"]}
