"""A seeded, community-aware layout for concept maps, computed in Python before drawing.

vis-network's own physics needs seconds to minutes to settle a few thousand nodes (and a
different result each time), so the maps come with positions and physics off. Coordinates are
pixels at zoom 1, and every node has a radius in those pixels, so the layout can promise that
nodes do not overlap. It is two-level, which keeps communities apart and recognisable:

1. each group (a community, with the concepts placed beside it) is laid out on its own: a
   seeded Fruchterman-Reingold spring layout gives every member a direction from the group's
   centre; the members are then set out from the middle by importance (the concept in most
   papers in the centre) at the distance their areas need, and a collision pass pushes apart
   any two nodes closer than their radii plus :data:`PAD`;
2. each group becomes a disc just large enough for its members (so a disc's area follows its
   members), the discs are placed by a spring layout of the group graph (groups that share
   many edges end up near each other) and pushed apart until no two come closer than
   :data:`GAP`.

Same graph, same seed: same coordinates, to the last digit written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

#: Pixels kept free between two nodes of a group.
PAD = 4.0
#: Pixels kept free between two group discs (the community's name goes above its disc).
GAP = 30.0
#: Pixels between a group's outermost node and its disc's edge.
MARGIN = 10.0
#: Share of a disc's area that its nodes (with their padding) fill before the collision pass.
FILL = 0.6


@dataclass(frozen=True)
class Disc:
    """One group's disc: centre and radius in layout pixels."""

    x: float
    y: float
    r: float


@dataclass(frozen=True)
class MapLayout:
    """Positions of every node and the disc of every group (in the order the groups came)."""

    positions: dict[str, tuple[float, float]]
    discs: list[Disc]


def map_layout(
    H: nx.Graph,
    groups: list[list[str]],
    radii: dict[str, float],
    *,
    importance: dict[str, float] | None = None,
    seed: int = 0,
) -> MapLayout:
    """Positions for every node of ``groups`` and a disc per group, no two nodes overlapping.

    Parameters
    ----------
    H : networkx.Graph
        The relations among the drawn concepts (edge attribute ``weight`` is used when present).
    groups : list of list of str
        Disjoint node lists, each drawn as one disc; every drawn node is in exactly one. A group
        without edges (e.g. concepts related to nothing drawn) is set out by importance alone.
    radii : dict
        Node radius in pixels.
    importance : dict, optional
        Higher sits nearer its disc's centre (default: the node's weighted degree).
    seed : int
        Seed of every spring layout.

    Returns
    -------
    MapLayout
        ``positions`` ``{node: (x, y)}`` (y grows downwards, as on screen) and ``discs`` in the
        order of ``groups``, all rounded to 0.1.

    Example
    -------
    >>> H = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> layout = map_layout(H, [["a", "b", "c"], ["x", "y"]], {n: 10.0 for n in H}, seed=1)
    >>> sorted(layout.positions) == sorted(H), len(layout.discs)
    (True, 2)
    >>> layout == map_layout(H, [["a", "b", "c"], ["x", "y"]], {n: 10.0 for n in H}, seed=1)
    True
    """
    if importance is None:
        importance = dict(H.degree(weight="weight"))
    groups = [sorted(g) for g in groups]
    local = [_group_layout(H, g, radii, importance, seed) for g in groups]
    disc_r = [max((math.hypot(x, y) + radii[n] for n, (x, y) in offsets.items()), default=0.0) + MARGIN for offsets in local]
    centres = _place_discs(H, groups, disc_r, seed)
    pos: dict[str, tuple[float, float]] = {}
    for (cx, cy), offsets in zip(centres, local):
        for n, (dx, dy) in offsets.items():
            pos[n] = (round(cx + dx, 1), round(cy + dy, 1))
    discs = [Disc(round(cx, 1), round(cy, 1), round(r + 0.1, 1)) for (cx, cy), r in zip(centres, disc_r)]
    return MapLayout({n: pos[n] for n in sorted(pos)}, discs)


def community_layout(H: nx.Graph, groups: list[list[str]], *, seed: int = 0, radius: float = 10.0) -> dict[str, tuple[float, float]]:
    """Positions only, every node of radius ``radius``; nodes of ``H`` in no group get one group together.

    Example
    -------
    >>> H = nx.Graph([("a", "b")]); H.add_node("lonely")
    >>> sorted(community_layout(H, [["a", "b"]]))
    ['a', 'b', 'lonely']
    """
    grouped = {n for g in groups for n in g}
    rest = sorted(set(H) - grouped)
    groups = [list(g) for g in groups] + ([rest] if rest else [])
    return map_layout(H, groups, {n: radius for n in H}, seed=seed).positions


def _group_layout(H: nx.Graph, members: list[str], radii: dict[str, float], importance: dict[str, float], seed: int) -> dict[str, tuple[float, float]]:
    """One group centred on 0: directions from a spring layout, distance by importance, then no overlaps."""
    if len(members) == 1:
        return {members[0]: (0.0, 0.0)}
    ordered = nx.Graph()
    ordered.add_nodes_from(members)
    inside = set(members)
    for u, v, w in sorted(
        ((min(u, v), max(u, v), w) for u, v, w in H.subgraph(members).edges(data="weight", default=1)),
    ):
        if u in inside and v in inside:
            ordered.add_edge(u, v, weight=math.log1p(w or 1))
    rank = sorted(members, key=lambda n: (-(importance.get(n) or 0), n))
    if ordered.number_of_edges():
        raw = nx.spring_layout(ordered, k=2.0 / math.sqrt(len(members)), iterations=40, seed=seed, weight="weight")
        cx, cy = float(raw[rank[0]][0]), float(raw[rank[0]][1])
        angle = {n: math.atan2(float(raw[n][1]) - cy, float(raw[n][0]) - cx) for n in members}
    else:  # nothing to follow: the golden angle spreads the members evenly
        angle = {n: i * math.pi * (3 - math.sqrt(5)) for i, n in enumerate(rank)}
    # Each member sits at the distance where the members before it (more important) fill a
    # disc at density FILL: the most important in the middle, the rest in rings by importance.
    area = 0.0
    pos = np.zeros((len(rank), 2))
    for i, n in enumerate(rank):
        r = math.sqrt(area / (math.pi * FILL)) if i else 0.0
        if i:
            r = max(r, radii[rank[0]] + radii[n] + PAD)
        area += math.pi * (radii[n] + PAD / 2) ** 2
        pos[i] = (r * math.cos(angle[n]), r * math.sin(angle[n]))
    size = np.array([radii[n] for n in rank])
    _remove_overlaps(pos, size)
    return {n: (float(pos[i, 0]), float(pos[i, 1])) for i, n in enumerate(rank)}


def _remove_overlaps(pos: np.ndarray, size: np.ndarray, *, rounds: int = 400) -> None:
    """Push apart, in place, every pair of nodes closer than their radii plus PAD.

    Each round finds the pairs within reach with a k-d tree (SciPy), then moves both nodes of
    every overlapping pair apart by 80% of the overlap, the smaller node moving more (all pairs
    at once, Jacobi style; a node overlapping several settles over a few rounds).
    Repeated until nothing overlaps or ``rounds`` is reached. O(n log n) per round: a dense
    all-pairs version took 15 s for a 1,200-concept map on a busy 2-core machine, this one
    well under one. Deterministic: pairs are sorted, nodes on the same spot separate along a
    fixed direction per pair.
    """
    from scipy.spatial import cKDTree

    if len(pos) < 2:
        return
    reach = 2 * float(size.max()) + PAD
    for _ in range(rounds):
        pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
        if not len(pairs):
            return
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        i, j = pairs[:, 0], pairs[:, 1]
        delta = pos[j] - pos[i]
        dist = np.hypot(delta[:, 0], delta[:, 1])
        overlap = size[i] + size[j] + PAD - dist
        hit = overlap > 0.05
        if not hit.any():
            return
        i, j, delta, dist, overlap = i[hit], j[hit], delta[hit], dist[hit], overlap[hit]
        turn = 0.7 * (i + j)
        unit = np.where((dist < 1e-9)[:, None], np.stack([np.cos(turn), np.sin(turn)], axis=1), delta / np.maximum(dist, 1e-9)[:, None])
        push = (overlap + 0.1) * 0.8
        share_i = size[j] / (size[i] + size[j])  # the smaller node moves more
        np.add.at(pos, i, -unit * (push * share_i)[:, None])
        np.add.at(pos, j, unit * (push * (1 - share_i))[:, None])


def _place_discs(H: nx.Graph, clusters: list[list[str]], radii: list[float], seed: int) -> list[tuple[float, float]]:
    """Centres for the group discs: related groups close, no two discs closer than GAP."""
    if not clusters:
        return []
    if len(clusters) == 1:
        return [(0.0, 0.0)]
    index = {n: i for i, g in enumerate(clusters) for n in g}
    meta = nx.Graph()
    meta.add_nodes_from(range(len(clusters)))
    weights: dict[tuple[int, int], float] = {}
    for u, v, w in H.edges(data="weight", default=1):
        a, b = index.get(u), index.get(v)
        if a is None or b is None or a == b:
            continue
        key = (min(a, b), max(a, b))
        weights[key] = weights.get(key, 0.0) + (w or 1)
    for (a, b), w in sorted(weights.items()):
        meta.add_edge(a, b, weight=math.log1p(w))
    raw = nx.spring_layout(meta, seed=seed, weight="weight", iterations=200)
    total = sum(radii)
    centres = np.array([[float(raw[i][0]) * total, float(raw[i][1]) * total] for i in range(len(clusters))])
    r = np.array(radii)
    # Compact packing: pull every disc towards the middle a little, then push overlapping discs
    # apart; repeated, this keeps the spring layout's neighbourhoods but closes the gaps, so the
    # whole map fits the screen. Deterministic (numpy, fixed iteration counts), O(k^2) per pass
    # over k groups, vectorised.
    pull = np.array([0.97, 0.9])  # harder vertically: screens are wider than tall
    for _ in range(150):
        centres *= pull
        for _ in range(3):
            _separate(centres, r)
    for _ in range(3000):
        if not _separate(centres, r):
            break
    return [(float(x), float(y)) for x, y in centres]


def _separate(centres, radii) -> bool:
    """One pass pushing every overlapping pair of discs apart (the smaller one moves more).

    All pairs are resolved at once (Jacobi style) with half steps, which converges without
    oscillating when one disc overlaps several. Returns whether anything overlapped.
    """
    delta = centres[None, :, :] - centres[:, None, :]  # [i, j] = c_j - c_i
    dist = np.hypot(delta[..., 0], delta[..., 1])
    need = radii[:, None] + radii[None, :] + GAP
    overlap = need - dist
    np.fill_diagonal(overlap, 0.0)
    mask = overlap > 0.5  # half a pixel into the gap: invisible, and it converges fast
    if not mask.any():
        return False
    safe = np.where(dist < 1e-9, 1.0, dist)
    unit = delta / safe[..., None]
    coincident = (dist < 1e-9) & mask
    if coincident.any():  # identical centres: separate along x, the lower index to the left
        i, j = np.nonzero(coincident)
        unit[i, j] = np.where((i < j)[:, None], [1.0, 0.0], [-1.0, 0.0])
    share = radii[None, :] / (radii[:, None] + radii[None, :])  # i's share of the pair's push
    push = np.where(mask, overlap + 0.01, 0.0) * share * 0.5
    centres -= (unit * push[..., None]).sum(axis=1)
    return True
