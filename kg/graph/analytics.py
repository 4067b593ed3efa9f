"""Analytics over kg's NetworkX graph: plain functions that take the graph and return data.

The input is the multigraph of :func:`kg.graph.build.to_networkx` (concept and paper nodes,
paper -> concept ``link`` edges, concept -> concept ``relation`` edges). Most questions are asked
of the *concept graph*: an undirected, weighted projection with one edge per related concept pair
(:func:`concept_graph`), whose weight sums the supporting sentences of every relation between the
two, co-occurrence included. Functions that need it accept a precomputed one (``C=``), so a
report builds it once.

Everything is deterministic: nodes and edges are added in sorted order, ties are broken by id,
and community detection is seeded. The heavy steps scale to 100k papers and tens of thousands
of concepts: co-occurrence is one sparse matrix product (SciPy), PageRank is NetworkX's SciPy
power iteration, trends are one pass over the paper links.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import networkx as nx

from kg.models import LABELS

#: How a paper's role towards a concept ranks when choosing evidence to show (strongest first).
ROLE_ORDER: tuple[str, ...] = ("proposes", "uses", "evaluates_on", "addresses", "reports", "mentions")

#: A date bucket with fewer papers than this share of the largest bucket (and than
#: SPARSE_PAPERS) is too thin for shares to mean anything; trends set it aside.
SPARSE_SHARE = 0.01
SPARSE_PAPERS = 20

_DATE = re.compile(r"^(?:(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?|--(?P<md_month>\d{2})(?:-(?P<md_day>\d{2}))?)$")


# --- nodes and the concept projection ----------------------------------------------------------


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


def concept_graph(G: nx.MultiDiGraph, *, relation_types: Iterable[str] | None = None) -> nx.Graph:
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
        edge = pairs.setdefault(key, {"weight": 0, "types": set(), "evidence": set()})
        edge["weight"] += attrs.get("count", 1) or 1
        edge["types"].add(attrs.get("type"))
        edge["evidence"].update(attrs.get("evidence", ()))
    for (u, v) in sorted(pairs):
        edge = pairs[(u, v)]
        C.add_edge(u, v, weight=edge["weight"], types=sorted(edge["types"]), evidence=sorted(edge["evidence"]))
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


# --- rankings ------------------------------------------------------------------------------------


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


# --- co-occurrence -------------------------------------------------------------------------------


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


# --- communities ---------------------------------------------------------------------------------


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


# --- neighbourhoods and paths --------------------------------------------------------------------


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


# --- trends --------------------------------------------------------------------------------------


def date_bucket(date: str | None, granularity: str) -> str | None:
    """The bucket of one ``Paper.date`` at a granularity, never inventing what the date lacks.

    Dates are ISO 8601 as :class:`kg.models.Paper` keeps them: ``YYYY``, ``YYYY-MM``,
    ``YYYY-MM-DD`` or ``--MM-DD`` (month and day, no year). A date without the precision asked
    for, or without a year when years are asked for, has no bucket.

    Parameters
    ----------
    date : str or None
    granularity : {"year", "month", "day"}

    Returns
    -------
    str or None
        ``"2021"``, ``"2021-05"``, ``"2021-05-04"``, ``"--08"``, ``"--08-05"`` or None.

    Example
    -------
    >>> date_bucket("2021-05-04", "month"), date_bucket("--08-05", "month"), date_bucket("--08-05", "year")
    ('2021-05', '--08', None)
    >>> date_bucket("2021", "month") is None
    True
    """
    if not date:
        return None
    m = _DATE.match(date.strip())
    if not m:
        return None
    year = m.group("year")
    month = m.group("month") or m.group("md_month")
    day = m.group("day") or m.group("md_day")
    prefix = year if year else "-"
    if granularity == "year":
        return year
    if granularity == "month":
        return f"{prefix}-{month}" if month else None
    if granularity == "day":
        return f"{prefix}-{month}-{day}" if day else None
    raise ValueError(f"granularity must be 'year', 'month' or 'day', not {granularity!r}")


def trend_granularity(dates: Iterable[str | None], *, min_buckets: int = 4) -> tuple[str, bool]:
    """Choose how to bucket a collection's dates for trends.

    Papers whose dates carry a year and papers whose dates do not (``--MM-DD`` listings) cannot
    be put on one time axis without inventing years, so the *calendar* with more papers is used
    and the other set aside. Within it the coarsest of year, month, day giving at least
    ``min_buckets`` buckets is chosen (else the one giving most).

    Parameters
    ----------
    dates : iterable of str or None
    min_buckets : int

    Returns
    -------
    (granularity, with_year)
        ``with_year`` is False when the yearless calendar was chosen.

    Example
    -------
    >>> trend_granularity(["2019", "2020-01", "2021", "2022-03-01"])
    ('year', True)
    >>> trend_granularity(["--08-05", "--08-06", "--08-07", "--08-08", "2020"])
    ('day', False)
    """
    dates = [d.strip() for d in dates if d and _DATE.match(d.strip())]
    yearful = _mostly_with_year(dates)
    calendar = [d for d in dates if d.startswith("--") != yearful]
    options = ("year", "month", "day") if yearful else ("month", "day")
    best, best_count = options[0], -1
    for granularity in options:
        count = len({date_bucket(d, granularity) for d in calendar} - {None})
        if count >= min_buckets:
            return granularity, yearful
        if count > best_count:
            best, best_count = granularity, count
    return best, yearful


def _mostly_with_year(dates: list[str]) -> bool:
    """True when at least as many of the (valid) dates carry a year as do not."""
    without = sum(1 for d in dates if d.startswith("--"))
    return len(dates) - without >= without


def concept_trends(
    G: nx.MultiDiGraph,
    concepts: Iterable[str] | None = None,
    *,
    granularity: str | None = None,
    min_buckets: int = 4,
    sparse_share: float = SPARSE_SHARE,
) -> dict:
    """Papers per date bucket for each concept.

    A bucket holding fewer than ``sparse_share`` of the largest bucket's papers (and fewer than
    :data:`SPARSE_PAPERS`) is set aside as *sparse*: a stray month with three papers would
    otherwise give any concept in one of them a 33% share and top every trend.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    concepts : iterable of str, optional
        The concepts to count (default: all).
    granularity : {"year", "month", "day"}, optional
        Default: chosen by :func:`trend_granularity` from the papers' dates.
    min_buckets : int
        Passed to :func:`trend_granularity`.
    sparse_share : float
        Buckets below this share of the largest one are set aside (0: keep every bucket).

    Returns
    -------
    dict
        ``granularity``; ``buckets`` (sorted); ``papers`` (papers per bucket); ``sparse``
        (papers in buckets set aside as sparse); ``counts``
        (``{concept: [papers mentioning it per bucket]}``); ``undated`` (papers with no usable
        date at this granularity); ``with_year`` (False when the buckets are yearless ``--MM`` or
        ``--MM-DD``); ``set_aside`` (dated papers on the other calendar, e.g.
        yearless ``--MM-DD`` dates when most papers carry a year).

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m/gnn", kind="concept")
    >>> for p, d in [("p1", "2019"), ("p2", "2020"), ("p3", "2020"), ("p4", "--08-05")]:
    ...     G.add_node(p, kind="paper", date=d)
    ...     _ = G.add_edge(p, "m/gnn", kind="link")
    >>> t = concept_trends(G, granularity="year")
    >>> t["buckets"], t["counts"]["m/gnn"], t["set_aside"]
    (['2019', '2020'], [1, 2], 1)
    """
    paper_dates = {n: d.get("date") for n, d in G.nodes(data=True) if d.get("kind") == "paper"}
    if granularity is None:
        granularity, yearful = trend_granularity(paper_dates.values(), min_buckets=min_buckets)
    else:
        valid = [d.strip() for d in paper_dates.values() if d and _DATE.match(d.strip())]
        yearful = granularity == "year" or _mostly_with_year(valid)
    bucket_of: dict[str, str] = {}
    undated = set_aside = 0
    for paper in sorted(paper_dates):
        date = (paper_dates[paper] or "").strip()
        bucket = date_bucket(date, granularity)
        if _DATE.match(date) and date.startswith("--") == yearful:
            set_aside += 1
        elif bucket is None:
            undated += 1
        else:
            bucket_of[paper] = bucket
    sizes = Counter(bucket_of.values())
    floor = min(SPARSE_PAPERS, sparse_share * max(sizes.values(), default=0))
    thin = {b for b, k in sizes.items() if k < floor}
    sparse = sum(sizes[b] for b in thin)
    bucket_of = {p: b for p, b in bucket_of.items() if b not in thin}
    buckets = sorted(set(bucket_of.values()))
    index = {b: i for i, b in enumerate(buckets)}
    totals = [0] * len(buckets)
    for bucket in bucket_of.values():
        totals[index[bucket]] += 1
    wanted = set(concepts) if concepts is not None else None
    counts: dict[str, list[int]] = {}
    for concept, papers in concept_papers(G).items():
        if wanted is not None and concept not in wanted:
            continue
        row = [0] * len(buckets)
        for paper in papers:
            if paper in bucket_of:
                row[index[bucket_of[paper]]] += 1
        counts[concept] = row
    return {
        "granularity": granularity,
        "with_year": yearful,
        "buckets": buckets,
        "papers": totals,
        "counts": counts,
        "undated": undated,
        "set_aside": set_aside,
        "sparse": sparse,
    }


def rising_concepts(
    G: nx.MultiDiGraph,
    n: int = 10,
    *,
    trends: dict | None = None,
    min_papers: int = 2,
    type: str | None = None,
) -> list[dict]:
    """Concepts whose share of papers grew most from the earlier to the recent buckets.

    The last third of the date buckets (at least one) is "recent", the rest "earlier". A
    concept's growth is the ratio of its share of papers in the two periods, add-one smoothed
    so that a concept absent earlier does not get an infinite score. Only concepts in at least
    ``min_papers`` recent papers are ranked.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    n : int
        How many to return.
    trends : dict, optional
        The output of :func:`concept_trends`, if already computed.
    min_papers : int
        Least number of recent papers.
    type : str, optional
        Only concepts of this type.

    Returns
    -------
    list of dict
        ``{"concept", "earlier", "recent", "growth"}`` (paper counts and the share ratio),
        highest growth first; empty when there are fewer than two buckets.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m/old", kind="concept"); G.add_node("m/new", kind="concept")
    >>> for i, (d, c) in enumerate([("2019", "m/old"), ("2020", "m/old"), ("2021", "m/new"), ("2021", "m/new")]):
    ...     G.add_node(f"p{i}", kind="paper", date=d)
    ...     _ = G.add_edge(f"p{i}", c, kind="link")
    >>> [r["concept"] for r in rising_concepts(G, trends=concept_trends(G, granularity="year"))]
    ['m/new']
    """
    trends = concept_trends(G) if trends is None else trends
    k = len(trends["buckets"])
    if k < 2:
        return []
    split = k - max(1, k // 3)
    early_total = sum(trends["papers"][:split])
    recent_total = sum(trends["papers"][split:])
    rows = []
    for concept, row in trends["counts"].items():
        if type is not None and G.nodes[concept].get("type") != type:
            continue
        earlier, recent = sum(row[:split]), sum(row[split:])
        if recent < min_papers:
            continue
        growth = ((recent + 1) / (recent_total + 1)) / ((earlier + 1) / (early_total + 1))
        rows.append({"concept": concept, "earlier": earlier, "recent": recent, "growth": growth})
    rows.sort(key=lambda r: (-r["growth"], -r["recent"], r["concept"]))
    return rows[:n]


def concept_changes(
    G: nx.MultiDiGraph,
    n: int = 10,
    *,
    trends: dict | None = None,
    min_papers: int = 5,
    type: str | None = None,
) -> dict[str, list[dict]]:
    """The concepts whose share of papers rose and fell most between the earlier and recent buckets.

    "Recent" is the last third of the date buckets (at least one), "earlier" the rest, as in
    :func:`rising_concepts`. Each concept's papers in the two periods form a 2x2 table against
    all papers of the periods; concepts are ranked by Dunning's log-likelihood ratio G² of that
    table (Dunning 1993), which weighs the size of the change by how much evidence there is: a
    concept going from 200 to 600 papers outranks one going from 0 to 3, while the plain ratio
    of shares would rank them the other way round. Shares are per papers of each period, so a
    month with twice the papers does not make everything rise.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    n : int
        How many risers and fallers to return.
    trends : dict, optional
        The output of :func:`concept_trends`, if already computed.
    min_papers : int
        Least number of papers over both periods.
    type : str, optional
        Only concepts of this type.

    Returns
    -------
    dict
        ``{"rising": [...], "falling": [...], "earlier", "recent"}``; rows are ``{"concept",
        "earlier", "recent"`` (papers), ``"earlier_share", "recent_share"`` (fractions of the
        period's papers), ``"ratio"`` (recent over earlier share, add-one smoothed), ``"g2"}``,
        strongest first; ``earlier`` and ``recent`` name the periods' first and last buckets.
        Empty lists when there are fewer than two buckets.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in ("m/old", "m/new", "m/flat"):
    ...     G.add_node(c, kind="concept")
    >>> for i in range(60):
    ...     year = 2019 + i // 20
    ...     G.add_node(f"p{i}", kind="paper", date=str(year))
    ...     _ = G.add_edge(f"p{i}", "m/flat", kind="link")
    ...     _ = G.add_edge(f"p{i}", "m/new" if year == 2021 and i % 2 else "m/old", kind="link")
    >>> ch = concept_changes(G, trends=concept_trends(G, granularity="year"))
    >>> [(r["concept"], r["earlier"], r["recent"]) for r in ch["rising"]], [r["concept"] for r in ch["falling"]]
    ([('m/new', 0, 10)], ['m/old'])
    >>> ch["earlier"], ch["recent"]
    (('2019', '2020'), ('2021', '2021'))
    """
    trends = concept_trends(G) if trends is None else trends
    k = len(trends["buckets"])
    if k < 2:
        return {"rising": [], "falling": [], "earlier": None, "recent": None}
    split = k - max(1, k // 3)
    n1 = sum(trends["papers"][:split])
    n2 = sum(trends["papers"][split:])
    rising, falling = [], []
    for concept, row in trends["counts"].items():
        if type is not None and G.nodes[concept].get("type") != type:
            continue
        a, b = sum(row[:split]), sum(row[split:])
        if a + b < min_papers:
            continue
        g2 = _log_likelihood(a, n1, b, n2)
        ratio = ((b + 1) / (n2 + 1)) / ((a + 1) / (n1 + 1))
        record = {"concept": concept, "earlier": a, "recent": b, "earlier_share": a / n1 if n1 else 0.0,
                  "recent_share": b / n2 if n2 else 0.0, "ratio": ratio, "g2": g2}
        if b * n1 > a * n2:
            rising.append(record)
        elif b * n1 < a * n2:
            falling.append(record)
    order = lambda r: (-r["g2"], r["concept"])  # noqa: E731
    buckets = trends["buckets"]
    return {
        "rising": sorted(rising, key=order)[:n],
        "falling": sorted(falling, key=order)[:n],
        "earlier": (buckets[0], buckets[split - 1]),
        "recent": (buckets[split], buckets[-1]),
    }


def _log_likelihood(a: int, n1: int, b: int, n2: int) -> float:
    """Dunning's G² for ``a`` of ``n1`` against ``b`` of ``n2`` (0 when the shares are equal).

    Example
    -------
    >>> _log_likelihood(10, 100, 10, 100)
    0.0
    >>> _log_likelihood(30, 100, 10, 100) > _log_likelihood(3, 10, 1, 10) > 0
    True
    """
    def part(k: float, expected: float) -> float:
        return k * math.log(k / expected) if k > 0 and expected > 0 else 0.0

    total = n1 + n2
    hits = a + b
    if total == 0 or hits == 0 or hits == total:
        return 0.0
    e1, e2 = n1 * hits / total, n2 * hits / total
    f1, f2 = n1 - e1, n2 - e2
    return max(0.0, 2 * (part(a, e1) + part(b, e2) + part(n1 - a, f1) + part(n2 - b, f2)))


# --- evidence for display ------------------------------------------------------------------------


def concept_evidence(G: nx.MultiDiGraph, concept: str, limit: int = 5) -> list[dict]:
    """Up to ``limit`` evidence sentences for a concept, from distinct papers where possible.

    Links with a stronger role (proposes, uses, ...) come first, then papers by id. Used by the
    maps' tooltips and the report.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    concept : str
        A concept node id.
    limit : int
        Most sentences returned.

    Returns
    -------
    list of dict
        ``{"paper", "title", "date", "role", "sentence"}``.

    Example
    -------
    >>> from kg.graph.build import to_networkx
    >>> from kg.models import KnowledgeGraph, Paper, Concept, PaperLink, Evidence
    >>> kg = KnowledgeGraph(papers={"p": Paper(id="p", title="T", abstract="We use BERT.")},
    ...     concepts={"method/bert": Concept(id="method/bert", type="METHOD", label="BERT")},
    ...     links=[PaperLink("p", "method/bert", "uses", 1, ["e1"])],
    ...     evidence={"e1": Evidence("e1", "p", 2, 14, ((9, 13),), "rule", 1.0)})
    >>> concept_evidence(to_networkx(kg), "method/bert")[0]["sentence"]
    'We use BERT.'
    """
    from kg.graph.build import evidence_sentence

    table = G.graph.get("evidence", {})
    order = {role: i for i, role in enumerate(ROLE_ORDER)}
    candidates = []
    for paper, _, attrs in G.in_edges(concept, data=True):
        if attrs.get("kind") != "link":
            continue
        rank = order.get(attrs.get("role"), len(order))
        for eid in attrs.get("evidence", []):
            if eid in table and table[eid].get("paper") in G:
                candidates.append((rank, paper, eid, attrs.get("role")))
    candidates.sort()
    chosen, seen_papers, seen_sentences = [], set(), set()
    for pass_ in (0, 1):  # first one sentence per paper, then fill up with more from the same papers
        for rank, paper, eid, role in candidates:
            if len(chosen) >= limit:
                break
            if (pass_ == 0 and paper in seen_papers) or eid in seen_sentences:
                continue
            paper_id, sentence = evidence_sentence(G, eid)
            key = (paper_id, sentence)
            if key in seen_sentences:
                continue
            seen_sentences.update({eid, key})
            seen_papers.add(paper)
            node = G.nodes[paper_id]
            chosen.append({"paper": paper_id, "title": node.get("title", ""), "date": node.get("date"), "role": role, "sentence": sentence})
    return chosen


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
