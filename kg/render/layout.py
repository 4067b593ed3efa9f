"""A seeded, community-aware layout for concept maps, computed in Python before drawing.

vis-network's own physics needs seconds to minutes to settle a few thousand nodes (and a
different result each time), so the maps come with positions and physics off. The layout is
two-level, which keeps communities apart and recognisable instead of one hairball:

1. each community is laid out on its own with a Fruchterman-Reingold spring layout (seeded)
   and scaled to a disc whose area grows with its size;
2. the discs are placed by a spring layout of the community graph (communities that share many
   edges end up near each other), then pushed apart until no two discs overlap;
3. concepts without any drawn edge are set out in a grid below the communities.

Same graph, same seed: same coordinates, to the last digit written.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

#: Pixels per concept: a community of n concepts gets a disc of radius SPACING * sqrt(n).
SPACING = 42.0
#: Gap kept between community discs (the page shades each disc 36 px wider than its members).
GAP = 100.0


def community_layout(
    H: nx.Graph,
    groups: list[list[str]],
    *,
    seed: int = 0,
    spacing: float = SPACING,
) -> dict[str, tuple[float, float]]:
    """Positions for every node of ``H``, grouped by ``groups``.

    Parameters
    ----------
    H : networkx.Graph
        The drawn graph (edge attribute ``weight`` is used when present).
    groups : list of list of str
        Communities (disjoint node lists); nodes of ``H`` in no group, and groups of one node
        without edges, go to the grid of unconnected concepts.
    seed : int
        Seed of every spring layout.
    spacing : float
        Pixels per concept (see :data:`SPACING`).

    Returns
    -------
    dict
        ``{node: (x, y)}`` in pixels, y growing downwards as on screen, rounded to 0.1.

    Example
    -------
    >>> H = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> H.add_node("lonely")
    >>> pos = community_layout(H, [["a", "b", "c"], ["x", "y"]], seed=1)
    >>> sorted(pos) == sorted(H)
    True
    >>> pos == community_layout(H, [["a", "b", "c"], ["x", "y"]], seed=1)
    True
    """
    clusters = [sorted(g) for g in groups if len(g) > 1 or any(H.degree(n) for n in g)]
    loners = sorted(set(H) - {n for g in clusters for n in g})
    radii = [spacing * math.sqrt(len(g)) for g in clusters]
    local = [_disc_layout(H.subgraph(g), r, seed) for g, r in zip(clusters, radii)]
    centres = _place_discs(H, clusters, radii, seed)
    pos: dict[str, tuple[float, float]] = {}
    for members, (cx, cy), offsets in zip(clusters, centres, local):
        for n in members:
            dx, dy = offsets[n]
            pos[n] = (cx + dx, cy + dy)
    if loners:
        top = max((y for _, y in pos.values()), default=0.0) + 2 * spacing
        left = min((x for x, _ in pos.values()), default=0.0)
        width = max((x for x, _ in pos.values()), default=0.0) - left
        per_row = max(1, int(width // (2 * spacing)) + 1) if pos else max(1, int(math.sqrt(len(loners))) + 1)
        for i, n in enumerate(loners):
            row, col = divmod(i, per_row)
            pos[n] = (left + col * 2 * spacing, top + row * 1.5 * spacing)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in sorted(pos.items())}


def _disc_layout(S: nx.Graph, radius: float, seed: int) -> dict[str, tuple[float, float]]:
    """Spring layout of one community, centred on 0 and scaled to ``radius``."""
    nodes = sorted(S)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    ordered = nx.Graph()
    ordered.add_nodes_from(nodes)
    for u, v, w in sorted(S.edges(data="weight", default=1), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))):
        ordered.add_edge(u, v, weight=math.log1p(w or 1))
    k = 2.0 / math.sqrt(len(nodes))
    # Only directions and distance ranks survive the spreading below, so a short run suffices.
    raw = nx.spring_layout(ordered, k=k, iterations=60, seed=seed, weight="weight")
    # Spring forces pull a hub's leaves into a clump and push stragglers far out. Keep each
    # node's direction from the community's hub (its most strongly related member) and its
    # rank by distance, but spread the ranks evenly over the disc's area (radius ~ sqrt(rank)):
    # the hub sits in the middle and nothing clumps.
    strength = dict(ordered.degree(weight="weight"))
    hub = min(nodes, key=lambda n: (-strength[n], n))
    cx, cy = float(raw[hub][0]), float(raw[hub][1])
    polar = sorted((math.hypot(raw[n][0] - cx, raw[n][1] - cy), n) for n in nodes)
    pos = {}
    for rank, (_, n) in enumerate(polar):
        angle = math.atan2(float(raw[n][1]) - cy, float(raw[n][0]) - cx)
        r = radius * math.sqrt((rank + 0.5) / len(nodes)) if rank else 0.0
        pos[n] = (r * math.cos(angle), r * math.sin(angle))
    # Re-centre on the new centroid and fit the farthest member to the radius, so the disc the
    # page shades (centroid, farthest member) is exactly the disc reserved here.
    mx = sum(p[0] for p in pos.values()) / len(pos)
    my = sum(p[1] for p in pos.values()) / len(pos)
    extent = max(math.hypot(x - mx, y - my) for x, y in pos.values()) or 1.0
    return {n: ((x - mx) * radius / extent, (y - my) * radius / extent) for n, (x, y) in pos.items()}


def _place_discs(H: nx.Graph, clusters: list[list[str]], radii: list[float], seed: int) -> list[tuple[float, float]]:
    """Centres for the community discs: related communities close, no two discs overlapping."""
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
    # whole map fits the screen at a zoom where the main labels are readable. Deterministic
    # (numpy, fixed iteration counts), O(k^2) per pass over k communities, vectorised.
    pull = np.array([0.97, 0.85])  # harder vertically: screens are wider than tall
    for _ in range(120):
        centres *= pull
        for _ in range(3):
            _separate(centres, r)
    for _ in range(2000):
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
    mask = overlap > 0.5  # half a pixel into a 100 px gap: invisible, and it converges fast
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
