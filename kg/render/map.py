"""Interactive concept maps: one self-contained HTML file that works offline, opened from disk.

``write_map`` draws the whole graph (``output/map.html`` of ``kg build``), ``write_ego_map``
the neighbourhood of one concept (``kg map CONCEPT``). Both go through the same steps:

1. **Select** what is readable: the top concepts by papers (every type keeps a share), and of
   the relations among them each concept's strongest few (:mod:`kg.render.selection`:
   :func:`select_concepts`, :func:`backbone`). What was left out, and how to see it, is written on the page.
2. **Lay out** in Python, seeded and community-aware (:mod:`kg.render.layout`): vis-network's
   physics would need minutes for a few thousand nodes; precomputed positions draw in a
   couple of seconds and look the same on every build. Physics stays available as an option.
3. **Model** the nodes and edges with pyvis (colours per type, size by papers, width by
   strength) and attach what the tooltips show: type, aliases, paper count and up to five
   evidence sentences with their paper titles.
4. **Render** our own Jinja2 template (``templates/map.html``, :mod:`kg.render.page`), not pyvis's: pyvis 0.3.2's
   template links Bootstrap from a CDN, inserts ``heading`` and menu texts unescaped, and
   switches every tooltip to ``innerHTML`` as soon as one node title contains ``href``.

Safety: paper text never becomes markup. The data travels as JSON in a
``<script type="application/json">`` block with ``<``, ``>``, ``&``, U+2028 and U+2029
escaped (so ``</script>`` cannot end it), the page script builds every tooltip with DOM
``textContent``, labels are drawn on a canvas, and page texts go through Jinja2's autoescape.
A Content-Security-Policy allows only the page's own two scripts (by hash) and no request at
all, so even a missed escape could neither run a script nor reach the network.

Determinism: the same graph gives a byte-identical file (sorted data, seeded layout and
communities, no timestamps).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graph.analytics import communities, concept_evidence, concept_graph, ego_graph, induced_subgraph
from kg.models import LABELS, type_order
from kg.output import atomic_write_text
from kg.palette import OTHER_COLOUR, TYPE_COLOURS
from kg.render.layout import map_layout
from kg.render.page import render_html
from kg.render.selection import EDGES_PER_CONCEPT, backbone, hidden_singletons, select_concepts
from kg.resolve.confidence import MAP_MIN_CONFIDENCE

#: Concepts drawn on the whole-graph map unless told otherwise (``kg build --map-nodes N``).
DEFAULT_MAX_CONCEPTS = 600
#: Above this many drawn concepts the communities start folded (only their top members visible).
OPEN_LIMIT = 300
#: Node radius, smallest and largest, in pixels at zoom 1 (:func:`relative_sizes`).
NODE_PX = (6.0, 26.0)
#: Label font size, smallest and largest, in pixels at zoom 1.
LABEL_PX = (10.0, 16.0)
#: Concepts that are not drawn but that the page's search still knows (label and paper count).
SEARCH_EXTRA = 10_000
#: Concepts drawn on an ego map at most (the nearest first).
DEFAULT_EGO_CONCEPTS = 300
#: Evidence sentences per concept in the tooltip.
EVIDENCE_PER_CONCEPT = 5
TYPE_NAMES = {"METHOD": "Method", "DATASET": "Dataset", "METRIC": "Metric", "TASK": "Task"}

_LABEL_CHARS = 40
_SENTENCE_CHARS = 400
_TITLE_CHARS = 200


# --- the page model ------------------------------------------------------------------------------


def _clip(text: Any, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _node_info(G: nx.MultiDiGraph, n: str, community: str | None) -> dict:
    attrs = G.nodes[n]
    label = str(attrs.get("label") or n)
    aliases = [form for form, _ in attrs.get("aliases") or [] if form != label][:8]
    evidence = [
        {"title": _clip(e["title"], _TITLE_CHARS), "date": e["date"] or "", "sentence": _clip(e["sentence"], _SENTENCE_CHARS)}
        for e in concept_evidence(G, n, EVIDENCE_PER_CONCEPT)
    ]
    return {
        "id": n,
        "label": label,
        "type": attrs.get("type") or "",
        "papers": attrs.get("paper_count") or 0,
        "mentions": attrs.get("mention_count") or 0,
        "aliases": aliases,
        "first": attrs.get("first_seen") or "",
        "last": attrs.get("last_seen") or "",
        "community": community or "",
        "evidence": evidence,
    }


def map_model(
    G: nx.MultiDiGraph,
    drawn: nx.Graph,
    *,
    C: nx.Graph,
    title: str,
    notes: list[str],
    centre: str | None = None,
    physics: bool = False,
    seed: int = 0,
) -> dict:
    """Everything the page needs, as plain data: vis-network nodes, edges and options, legend, notes.

    ``drawn`` holds the concepts to draw with the edges to draw (:func:`backbone`); layout and
    communities use all relations among the drawn concepts in ``C``, so groups reflect the
    graph, not the pruning. Concepts related to no other drawn concept are placed with the
    community they share most papers with (or, sharing none, in a disc of their own).

    Sizes are relative to what is drawn (:func:`relative_sizes`), in pixels at zoom 1, and the
    layout keeps every node clear of the others. Labels are not vis-network's: the page draws
    them itself, most important first, and skips any that would cover one already drawn.
    Above :data:`OPEN_LIMIT` concepts each community starts *folded*: only its top members
    (:func:`shown_per_community`) are visible until it is clicked.
    """
    from pyvis.network import Network

    full = induced_subgraph(C, drawn.nodes)
    found = communities(G, seed=seed, C=full) if full.number_of_edges() else []
    rank, radius, font = _node_sizes(G, drawn, centre)
    groups, names = _groups(G, drawn, found)
    layout = map_layout(full, groups, radius, importance={n: -rank[n] for n in drawn}, seed=seed)

    folding = len(drawn) > OPEN_LIMIT
    if folding:
        notes = [
            *notes,
            "Each community shows its leading concepts: click a community's disc (or Open all) to see all of its "
            "concepts. Smaller concepts' labels appear as you zoom in or hover; search finds every concept.",
        ]
    group_of, folded, shown_counts = _fold(groups, rank, centre, folding)

    # directed=True only skips pyvis's quadratic duplicate-edge scan; arrows stay off.
    net = Network(directed=True, cdn_resources="in_line")
    member_of = {m: c for c in found for m in c["members"]}
    for n in sorted(drawn):
        community = member_of.get(n)
        node = _node(G, n, names[found.index(community)] if community else None, layout.positions[n], radius[n], font[n], rank[n], group_of[n])
        if n in folded:
            node.update(folded=True, hidden=True)
        if n == centre:
            node.update(borderWidth=4)
            node["color"]["border"] = "#111111"
            node["info"]["centre"] = True
        net.add_node(n, label=node["text"], shape="dot", **node)
    for node in net.nodes:  # the page draws the labels (importance first, no collisions)
        node.pop("label", None)
    for i, (u, v, attrs) in enumerate(sorted(drawn.edges(data=True), key=lambda e: (e[0], e[1]))):
        net.add_edge(u, v, **_edge(i, attrs, inside=group_of.get(u) == group_of.get(v)))
    return {
        "title": title,
        "notes": notes,
        "legend": _legend(C, drawn),
        "nodes": net.nodes,
        "edges": net.edges,
        "communities": _community_discs(groups, layout.discs, names, len(found), shown_counts, rank),
        "folded": bool(folded),
        "centre": centre,
        "physics": physics,
        "options": _vis_options(len(net.nodes), len(net.edges), physics, seed),
    }


def _community_discs(groups: list, discs: list, names: list[str], n_found: int, shown_counts: list[int], rank: dict) -> list[dict]:
    """One disc per group (:func:`_groups`) as the page draws it: its name (only for a community of
    three or more, or the group of concepts related to no other), size, how many members show
    while folded, centre and radius, and members by rank."""
    return [
        {
            "name": names[g] if len(members) >= 3 or g >= n_found else "",
            "size": len(members),
            "shown": shown_counts[g],
            "x": disc.x,
            "y": disc.y,
            "r": disc.r,
            "members": sorted(members, key=rank.get),
        }
        for g, (members, disc) in enumerate(zip(groups, discs))
    ]


def _node_sizes(G: nx.MultiDiGraph, drawn: nx.Graph, centre: str | None) -> tuple[dict, dict, dict]:
    """Each drawn concept's rank (the centre first, then most papers), radius and label size."""
    papers = {n: G.nodes[n].get("paper_count") or 0 for n in drawn}
    rank = {n: i for i, n in enumerate(sorted(drawn, key=lambda n: (n != centre, -papers[n], n)))}
    radius = dict(zip(drawn, relative_sizes([papers[n] for n in drawn], NODE_PX)))
    font = dict(zip(drawn, relative_sizes([papers[n] for n in drawn], LABEL_PX)))
    if centre is not None:
        radius[centre], font[centre] = NODE_PX[1], LABEL_PX[1]
    return rank, radius, font


def _groups(G: nx.MultiDiGraph, drawn: nx.Graph, found: list[dict]) -> tuple[list[list[str]], list[str]]:
    """The groups the layout places together, and their names: the communities, each with the
    loners that share most papers with it (:func:`attach_loners`), then the unrelated loners."""
    member_of = {m for c in found for m in c["members"]}
    groups = [list(c["members"]) for c in found]
    names = [_community_name(G, c["members"]) for c in found]
    loners = sorted(set(drawn) - member_of)
    homes = attach_loners(G, loners, [c["members"] for c in found])
    unrelated = [n for n in loners if homes[n] is None]
    for n in loners:
        if homes[n] is not None:
            groups[homes[n]].append(n)
    if unrelated:
        groups.append(unrelated)
        names.append("Related to no other concept drawn")
    return groups, names


def _fold(groups: list[list[str]], rank: dict, centre: str | None, folding: bool) -> tuple[dict[str, int], set[str], list[int]]:
    """Each concept's group, the concepts folded away (all but each group's top
    :func:`shown_per_community`, never the centre), and how many each group shows."""
    group_of: dict[str, int] = {}
    folded: set[str] = set()
    shown_counts = []
    for g, members in enumerate(groups):
        ordered = sorted(members, key=rank.get)
        keep = shown_per_community(len(ordered)) if folding else len(ordered)
        shown_counts.append(keep)
        for i, n in enumerate(ordered):
            group_of[n] = g
            if i >= keep and n != centre:
                folded.add(n)
    return group_of, folded, shown_counts


def _node(G: nx.MultiDiGraph, n: str, community: str | None, xy, radius: float, font: float, rank: int, group: int) -> dict[str, Any]:
    """The vis-network node of concept ``n`` (colour by type, tooltip data in ``info``)."""
    ctype = G.nodes[n].get("type") or ""
    colour = TYPE_COLOURS.get(ctype, OTHER_COLOUR)
    info = _node_info(G, n, community)
    return {
        "x": xy[0],
        "y": xy[1],
        "size": radius,
        "color": {"background": colour, "border": _darker(colour), "highlight": {"background": colour, "border": "#111111"}, "hover": {"background": colour, "border": "#111111"}},
        "info": info,
        "ctype": ctype,
        "text": _clip(info["label"], _LABEL_CHARS),
        "fontPx": font,
        "rank": rank,
        "cgroup": group,
    }


def _edge(i: int, attrs: dict, *, inside: bool) -> dict[str, Any]:
    """The vis-network edge ``e<i>``: width by strength, darker when typed, fainter between groups."""
    types = list(attrs.get("types") or [])
    weight = attrs.get("weight") or 1
    typed = any(t != "CO-OCCURS" for t in types)
    return {
        "id": f"e{i}",
        "width": edge_width(weight),
        "arrows": {"to": {"enabled": False}},
        "color": {
            "color": "#7a7a7a" if typed else "#a8a8a8",
            "opacity": 0.75 if inside else 0.3,
            "highlight": "#333333",
            "hover": "#555555",
        },
        "info": {"types": types, "weight": weight},
    }


def _legend(C: nx.Graph, drawn: nx.Graph) -> list[dict]:
    """One row per concept type: name, colour, concepts drawn and in the graph."""
    present = sorted({drawn.nodes[n].get("type") or "" for n in drawn} | set(LABELS), key=type_order)
    all_types: dict[str, int] = {}
    for n in C:
        t = C.nodes[n].get("type") or ""
        all_types[t] = all_types.get(t, 0) + 1
    shown_types: dict[str, int] = {}
    for n in drawn:
        t = drawn.nodes[n].get("type") or ""
        shown_types[t] = shown_types.get(t, 0) + 1
    return [
        {"type": t, "name": TYPE_NAMES.get(t, t or "untyped"), "colour": TYPE_COLOURS.get(t, OTHER_COLOUR), "shown": shown_types.get(t, 0), "total": all_types.get(t, 0)}
        for t in present
        if all_types.get(t, 0) or t in LABELS
    ]


def search_extra(C: nx.Graph, drawn: list[str], limit: int = SEARCH_EXTRA) -> list[list]:
    """``[label, papers]`` of the concepts not drawn (most papers first, up to ``limit``).

    The page's search looks here when no drawn concept matches, and says how to draw the one it
    finds (``kg map``), so a search never misses a concept just because the map is capped.

    Example
    -------
    >>> C = nx.Graph(); C.add_node("m/a", label="A", paper_count=3); C.add_node("m/b", label="B", paper_count=9)
    >>> search_extra(C, ["m/b"])
    [['A', 3]]
    """
    skip = set(drawn)
    rest = sorted((n for n in C if n not in skip), key=lambda n: (-(C.nodes[n].get("paper_count") or 0), n))[:limit]
    return [[_clip(C.nodes[n].get("label") or n, 80), C.nodes[n].get("paper_count") or 0] for n in rest]


def _community_name(G: nx.MultiDiGraph, members: list[str]) -> str:
    return _clip(" / ".join(str(G.nodes[m].get("label") or m) for m in members[:2]), 60)


def attach_loners(G: nx.MultiDiGraph, loners: list[str], groups: list[list[str]]) -> dict[str, int | None]:
    """The group each loner (a concept related to no other drawn one) shares most papers with.

    A paper "shared" with a group mentions both the loner and a member. Ties go to the larger
    group, then the earlier one; a loner sharing no paper with any group gets ``None``.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for p, cs in {"p1": ["a", "x"], "p2": ["b", "x"], "p3": ["b", "x"]}.items():
    ...     for c in cs:
    ...         _ = G.add_edge(p, c, kind="link")
    >>> G.add_node("z")
    >>> attach_loners(G, ["x", "z"], [["a"], ["b", "c"]])
    {'x': 1, 'z': None}
    """
    group_of = {m: i for i, g in enumerate(groups) for m in g}
    homes: dict[str, int | None] = {}
    for n in loners:
        votes: dict[int, int] = {}
        papers = sorted({p for p, _, k in G.in_edges(n, data="kind") if k == "link"}) if n in G else []
        for p in papers:
            for g in {group_of[c] for _, c, k in G.out_edges(p, data="kind") if k == "link" and c in group_of}:
                votes[g] = votes.get(g, 0) + 1
        homes[n] = min(votes, key=lambda g: (-votes[g], -len(groups[g]), g)) if votes else None
    return homes


def shown_per_community(size: int) -> int:
    """How many members of a folded community are visible before it is opened.

    About the square root of its size, at least 3 and at most 8, so the default view of a big
    build shows every community's leading concepts and stays near 150 visible nodes.

    Example
    -------
    >>> [shown_per_community(n) for n in (2, 9, 30, 400)]
    [2, 3, 5, 8]
    """
    return min(size, max(3, min(8, round(math.sqrt(size)))))


def relative_sizes(papers: list[int], bounds: tuple[float, float]) -> list[float]:
    """Sizes between ``bounds`` (pixels) from the log of the paper counts within the drawn set.

    The smallest count drawn gets the lower bound and the largest the upper one, whatever the
    corpus size, so a map of 500 papers and one of 100,000 look alike: a few large nodes and
    labels, many small ones. Equal counts (or one node) get the middle.

    Example
    -------
    >>> relative_sizes([1, 10, 100], (8.0, 24.0))
    [8.0, 16.0, 24.0]
    >>> relative_sizes([5_000, 50_000, 500_000], (8.0, 24.0))
    [8.0, 16.0, 24.0]
    >>> relative_sizes([3, 3], (8.0, 24.0))
    [16.0, 16.0]
    """
    if not papers:
        return []
    logs = [math.log(max(1, p)) for p in papers]
    lo, hi = min(logs), max(logs)
    a, b = bounds
    if hi - lo < 1e-9:
        return [round((a + b) / 2, 1)] * len(papers)
    return [round(a + (b - a) * (v - lo) / (hi - lo), 1) for v in logs]


def edge_width(weight: float) -> float:
    """Edge width in pixels from the number of supporting sentences (logarithmic).

    Example
    -------
    >>> edge_width(1), edge_width(10)
    (0.8, 4.0)
    """
    return round(min(8.0, 0.8 + 1.4 * math.log(max(1.0, weight))), 1)


def _darker(colour: str, factor: float = 0.7) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(int(r * factor), int(g * factor), int(b * factor))


def _vis_options(n_nodes: int, n_edges: int, physics: bool, seed: int) -> dict:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 150, "fit": False},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n_edges > 1500,
            "hideEdgesOnZoom": n_edges > 4000,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
        },
        "edges": {"smooth": False, "selectionWidth": 1.5, "hoverWidth": 0.5},
    }


# --- the two maps --------------------------------------------------------------------------------


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _hidden_note(hidden: list[str], min_confidence: float) -> list[str]:
    if not hidden:
        return []
    return [f"{_count(len(hidden), 'concept')} named by one paper with confidence below {min_confidence:g} "
            f"{'is' if len(hidden) == 1 else 'are'} not drawn (kg map --min-confidence 0 draws them)."]


def write_map(
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    max_concepts: int | None = None,
    min_confidence: float | None = None,
    physics: bool = False,
    seed: int = 0,
) -> Path:
    """Write the whole-graph concept map to ``path`` (atomically) and return the path.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    path : str or Path
        The HTML file to write.
    max_concepts : int, optional
        Most concepts drawn (default :data:`DEFAULT_MAX_CONCEPTS`; 0: every concept); the page
        says what was left out.
    min_confidence : float, optional
        Concepts of one paper with a lower ``confidence`` are not drawn (default
        :data:`kg.resolve.confidence.MAP_MIN_CONFIDENCE`; 0: all); the page says how many.
    physics : bool
        Start with vis-network's physics on (the precomputed layout is the starting point).
    seed : int
        Seed of the layout and the communities.

    Returns
    -------
    Path

    Example
    -------
    >>> import tempfile, pathlib
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/bert", kind="concept", type="METHOD", label="BERT </script>", paper_count=1)
    >>> page = write_map(G, pathlib.Path(tempfile.mkdtemp()) / "map.html").read_text()
    >>> "BERT \\\\u003c/script\\\\u003e" in page and "BERT </script>" not in page
    True
    """
    if max_concepts is not None and max_concepts < 0:
        raise ValueError(f"max_concepts must be 0 (no cap) or more, not {max_concepts}")
    min_confidence = MAP_MIN_CONFIDENCE if min_confidence is None else min_confidence
    C = concept_graph(G, evidence=False)
    hidden = hidden_singletons(G, min_confidence)
    if hidden:
        C = C.subgraph(set(C) - set(hidden)).copy()
    cap = DEFAULT_MAX_CONCEPTS if max_concepts is None else (max_concepts or C.number_of_nodes())
    chosen = select_concepts(C, cap)
    drawn = backbone(C, chosen)
    among = C.subgraph(chosen).number_of_edges()
    notes = [
        f"Showing {drawn.number_of_nodes():,} of {_count(C.number_of_nodes(), 'concept')}"
        + (" (those in most papers; every type keeps a share)" if len(chosen) < C.number_of_nodes() else "")
        + f" and {drawn.number_of_edges():,} of {_count(C.number_of_edges(), 'concept relation')}"
        + (f" (each concept's {EDGES_PER_CONCEPT} strongest)" if drawn.number_of_edges() < among else "")
        + ". Paper nodes are not drawn; their titles appear with the evidence.",
        *_hidden_note(hidden, min_confidence),
    ]
    if len(chosen) < C.number_of_nodes() or drawn.number_of_edges() < C.number_of_edges():
        notes.append(
            "To see more: kg build --map-nodes N draws up to N concepts (0: all); "
            "kg map CONCEPT --hops 2 draws one concept's whole neighbourhood."
        )
    model = map_model(G, drawn, C=C, title="Concept map", notes=notes, physics=physics, seed=seed)
    model["more"] = search_extra(C, chosen)
    path = Path(path)
    atomic_write_text(path, render_html(model))
    return path


def write_ego_map(
    G: nx.MultiDiGraph,
    concept_id: str,
    path: str | Path,
    *,
    hops: int = 2,
    max_concepts: int | None = None,
    min_confidence: float | None = None,
    physics: bool = False,
    seed: int = 0,
) -> Path:
    """Write the map of the concepts within ``hops`` relations of ``concept_id`` (atomically).

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    concept_id : str
        The centre (a node id; :func:`kg.graph.lookup.find_concept` turns names into ids).
    path : str or Path
        The HTML file to write.
    hops : int
        Radius in relations.
    max_concepts : int, optional
        Most concepts drawn, nearest first (default :data:`DEFAULT_EGO_CONCEPTS`).
    min_confidence : float, optional
        As for :func:`write_map` (the centre is always drawn).
    physics : bool
        Start with vis-network's physics on.
    seed : int
        Seed of the layout and the communities.

    Returns
    -------
    Path

    Raises
    ------
    KeyError
        ``concept_id`` is not a concept of ``G``.
    """
    cap = DEFAULT_EGO_CONCEPTS if max_concepts is None else max_concepts
    if cap < 1:
        raise ValueError(f"max_concepts must be at least 1, not {cap}")
    min_confidence = MAP_MIN_CONFIDENCE if min_confidence is None else min_confidence
    C = concept_graph(G, evidence=False)
    hidden = hidden_singletons(G, min_confidence, keep=concept_id)
    if hidden:
        near = ego_graph(G, concept_id, hops, C=C)
        hidden = [n for n in hidden if n in near]
        C = C.subgraph(set(C) - set(hidden)).copy()
    whole = ego_graph(G, concept_id, hops, C=C)
    ego = ego_graph(G, concept_id, hops, C=C, max_nodes=cap)
    drawn = backbone(C, sorted(ego), per_concept=max(EDGES_PER_CONCEPT, 6))
    for n in ego.neighbors(concept_id):  # every direct relation of the centre stays visible
        drawn.add_edge(concept_id, n, **C.edges[concept_id, n])
    label = str(G.nodes[concept_id].get("label") or concept_id)
    notes = [
        f"Concepts within {_count(hops, 'relation')} of \u201c{label}\u201d: showing {ego.number_of_nodes():,} of "
        f"{whole.number_of_nodes():,} (nearest first) and {drawn.number_of_edges():,} of {ego.number_of_edges():,} relations among them.",
        *_hidden_note(hidden, min_confidence),
    ]
    if ego.number_of_nodes() < whole.number_of_nodes() or drawn.number_of_edges() < ego.number_of_edges():
        notes.append("The rest of the graph is in map.html; kg map CONCEPT --hops 1 narrows the view.")
    model = map_model(G, drawn, C=C, title=f"Neighbourhood of {label}", notes=notes, centre=concept_id, physics=physics, seed=seed)
    path = Path(path)
    atomic_write_text(path, render_html(model))
    return path
