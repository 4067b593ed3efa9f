"""kg.render.map and kg.render.layout without a browser: selection, layout, escaping, determinism."""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import math
import re

import networkx as nx
import pytest

from kg.cli import main
from kg.graph.analytics import concept_graph
from kg.graph.io import write_node_link
from kg.render.layout import GAP, map_layout
from kg.render.map import (
    DEFAULT_MAX_CONCEPTS,
    EDGES_PER_CONCEPT,
    LABEL_PX,
    NODE_PX,
    OPEN_LIMIT,
    backbone,
    select_concepts,
    write_ego_map,
    write_map,
)
from kg.render.page import script_json

DATA = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    return json.loads(DATA.search(html).group(1))


def test_two_renders_are_byte_identical(synthetic, tmp_path):
    G = synthetic.synthetic_graph(300, 500, seed=1)
    a = write_map(G, tmp_path / "a.html").read_bytes()
    b = write_map(synthetic.synthetic_graph(300, 500, seed=1), tmp_path / "b.html").read_bytes()
    assert a == b
    c = write_ego_map(G, "method/c0", tmp_path / "c.html").read_bytes()
    assert c == write_ego_map(G, "method/c0", tmp_path / "d.html").read_bytes()


def test_page_references_nothing_outside_itself(small_graph, tmp_path):
    html = write_map(small_graph, tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)\s*=""", html, re.I)
    assert not re.search(r"""url\(\s*['"]?(https?:)?//""", html, re.I)
    assert "bootstrap" not in html.lower()
    assert "lib/" not in re.sub(r"<script>.*?</script>", "", html, flags=re.S)


def test_csp_allows_exactly_the_inline_scripts(small_graph, tmp_path):
    html = write_map(small_graph, tmp_path / "map.html").read_text(encoding="utf-8")
    csp = htmllib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    assert allowed == {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts}


def test_script_json_cannot_break_out_and_round_trips():
    value = {"t": "</script><script>x()</script><!-- \u2028\u2029 & <b>", "n": [1, 2.5, None]}
    text = script_json(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == value


def test_hostile_text_is_escaped_in_the_file(small_graph, tmp_path):
    html = write_map(small_graph, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    data = page_data(html)
    titles = [e["title"] for n in data["nodes"] for e in n["info"]["evidence"]]
    assert "<script>alert(1)</script> Transformers, again" in titles


def test_ego_map_title_is_escaped(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("method/x", kind="concept", type="METHOD", label="<b>X</b> & </title><script>", paper_count=1)
    html = write_ego_map(G, "method/x", tmp_path / "ego.html").read_text(encoding="utf-8")
    assert "<title>Neighbourhood of &lt;b&gt;X&lt;/b&gt; &amp; &lt;/title&gt;&lt;script&gt;</title>" in html


def test_default_cap_keeps_every_type_and_says_what_was_left_out(synthetic, tmp_path):
    G = synthetic.synthetic_graph(600, 1500, seed=2)
    C = concept_graph(G)
    assert C.number_of_nodes() > DEFAULT_MAX_CONCEPTS
    data_html = write_map(G, tmp_path / "map.html").read_text(encoding="utf-8")
    data = page_data(data_html)
    assert len(data["nodes"]) == DEFAULT_MAX_CONCEPTS
    types = {n["ctype"] for n in data["nodes"]}
    assert types == {"METHOD", "DATASET", "METRIC", "TASK"}
    assert f"Showing {DEFAULT_MAX_CONCEPTS} of {C.number_of_nodes():,} concepts" in data_html
    assert "kg build --map-nodes N" in data_html
    # The drawn concepts are the ones in most papers (bar the per-type share).
    drawn = {n["id"] for n in data["nodes"]}
    cutoff = sorted((C.nodes[n]["paper_count"] for n in C), reverse=True)[DEFAULT_MAX_CONCEPTS // 2]
    assert all(n in drawn for n in C if C.nodes[n]["paper_count"] > cutoff)


def test_map_nodes_option_and_bad_cap(synthetic, tmp_path):
    G = synthetic.synthetic_graph(100, 80, seed=4)
    data = page_data(write_map(G, tmp_path / "m.html", max_concepts=10).read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 10
    everything = page_data(write_map(G, tmp_path / "m.html", max_concepts=0).read_text(encoding="utf-8"))
    assert len(everything["nodes"]) == concept_graph(G).number_of_nodes()
    with pytest.raises(ValueError):
        write_map(G, tmp_path / "m.html", max_concepts=-1)


def test_select_concepts_reserves_a_share_per_type():
    C = nx.Graph()
    for i in range(100):
        C.add_node(f"method/m{i}", type="METHOD", paper_count=1000 - i)
    for i in range(20):
        C.add_node(f"metric/x{i}", type="METRIC", paper_count=1)
    chosen = select_concepts(C, 50)
    assert len(chosen) == 50
    assert sum(n.startswith("metric/") for n in chosen) == 5  # 10 % of the cap
    assert "method/m0" in chosen and "method/m99" not in chosen


def test_backbone_keeps_each_concepts_strongest_edges():
    C = nx.complete_graph(12)
    C = nx.relabel_nodes(C, {i: f"c{i:02d}" for i in range(12)})
    for u, v in C.edges:
        C.edges[u, v]["weight"] = int(u[1:]) + int(v[1:])
    B = backbone(C, list(C), per_concept=2)
    assert B.number_of_nodes() == 12
    for n in C:
        strongest = sorted(C[n], key=lambda m: -C.edges[n, m]["weight"])[:2]
        assert all(B.has_edge(n, m) for m in strongest)
    assert B.number_of_edges() <= 2 * 12
    assert B.number_of_edges() < C.number_of_edges()


def test_ego_map_notes_and_errors(small_graph, tmp_path):
    html = write_ego_map(small_graph, "dataset/cora", tmp_path / "e.html", hops=2, min_confidence=0).read_text(encoding="utf-8")
    data = page_data(html)
    assert data["centre"] == "dataset/cora"
    assert {n["id"] for n in data["nodes"]} == {
        "dataset/cora", "method/graph-neural-networks", "method/graphsage-x", "task/node-classification"
    }
    centre = next(n for n in data["nodes"] if n["id"] == "dataset/cora")
    assert centre["info"]["centre"] is True and centre["borderWidth"] == 4
    with pytest.raises(KeyError):
        write_ego_map(small_graph, "method/nope", tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_write_is_atomic_and_leaves_no_temporary_file(small_graph, tmp_path):
    write_map(small_graph, tmp_path / "map.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_tooltip_data_has_up_to_five_evidence_sentences(synthetic, tmp_path):
    G = synthetic.synthetic_graph(300, 60, seed=6)
    data = page_data(write_map(G, tmp_path / "m.html").read_text(encoding="utf-8"))
    counts = [len(n["info"]["evidence"]) for n in data["nodes"]]
    assert max(counts) == 5 and min(counts) >= 1
    for n in data["nodes"]:
        for e in n["info"]["evidence"]:
            assert e["sentence"] and e["title"]


def test_map_layout_separates_groups_and_nodes():
    H = nx.Graph()
    groups = []
    for g in range(6):
        members = [f"g{g}n{i}" for i in range(5 + 3 * g)]
        groups.append(members)
        nx.add_path(H, members)
        H.add_edge(members[0], members[-1])
    H.add_edge("g0n0", "g1n0")
    groups.append(["alone", "alone2"])  # a group without edges
    H.add_nodes_from(["alone", "alone2"])
    radii = {n: 6.0 + (i % 5) * 4 for i, n in enumerate(sorted(H))}
    layout = map_layout(H, groups, radii, seed=0)
    pos, discs = layout.positions, layout.discs
    assert sorted(pos) == sorted(H) and len(discs) == len(groups)
    for members, d in zip(groups, discs):  # every member inside its disc
        assert all(math.hypot(pos[m][0] - d.x, pos[m][1] - d.y) + radii[m] <= d.r + 0.2 for m in members)
    for i in range(len(discs)):
        for j in range(i + 1, len(discs)):
            a, b = discs[i], discs[j]
            assert math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r + GAP * 0.9
    assert overlapping([(*pos[n], radii[n]) for n in sorted(H)]) == set()


def overlapping(circles: list[tuple[float, float, float]]) -> set[int]:
    """Brute force: indices of the circles (x, y, r) that overlap another (touching is fine)."""
    hit = set()
    for i, (x1, y1, r1) in enumerate(circles):
        for j in range(i + 1, len(circles)):
            x2, y2, r2 = circles[j]
            if math.hypot(x1 - x2, y1 - y2) < r1 + r2 - 0.01:
                hit.update((i, j))
    return hit


@pytest.mark.parametrize(
    "papers,concepts,cap", [(150, 120, None), (600, 1500, None), pytest.param(600, 1500, 1200, marks=pytest.mark.slow)]
)
def test_drawn_nodes_do_not_overlap(synthetic, tmp_path, papers, concepts, cap):
    """From the page's own data (the positions and radii vis-network draws): under 5% of the
    nodes visible at the default view overlap another, and none once every community is open."""
    G = synthetic.synthetic_graph(papers, concepts, seed=3)
    data = page_data(write_map(G, tmp_path / "m.html", max_concepts=cap).read_text(encoding="utf-8"))
    visible = [(n["x"], n["y"], n["size"]) for n in data["nodes"] if not n.get("hidden")]
    everything = [(n["x"], n["y"], n["size"]) for n in data["nodes"]]
    assert len(visible) >= 50
    assert len(overlapping(visible)) / len(visible) < 0.05
    assert len(overlapping(everything)) / len(everything) < 0.05
    for n in data["nodes"]:  # each node inside its community's disc
        c = data["communities"][n["cgroup"]]
        assert math.hypot(n["x"] - c["x"], n["y"] - c["y"]) + n["size"] <= c["r"] + 0.2


def test_sizes_are_relative_to_what_is_drawn(synthetic, tmp_path):
    """A corpus 100 times larger (every paper count x 100) draws the same sizes."""
    G = synthetic.synthetic_graph(300, 400, seed=8)
    small = page_data(write_map(G, tmp_path / "a.html").read_text(encoding="utf-8"))
    for n in G:
        if G.nodes[n].get("kind") == "concept":
            G.nodes[n]["paper_count"] *= 100
    big = page_data(write_map(G, tmp_path / "b.html").read_text(encoding="utf-8"))
    sizes = {n["id"]: (n["size"], n["fontPx"]) for n in small["nodes"]}
    assert sizes == {n["id"]: (n["size"], n["fontPx"]) for n in big["nodes"]}
    radii = [s for s, _ in sizes.values()]
    fonts = [f for _, f in sizes.values()]
    assert (min(radii), max(radii)) == NODE_PX and (min(fonts), max(fonts)) == LABEL_PX
    order = sorted(small["nodes"], key=lambda n: n["info"]["papers"])
    assert [n["size"] for n in order] == sorted(n["size"] for n in order)  # more papers, never smaller


def test_unrelated_concepts_sit_with_the_community_they_share_papers_with(small_graph, tmp_path):
    """No row of unconnected concepts at the edge: a concept related to nothing drawn goes into
    the disc of the community it shares most papers with, or else into a disc of its own."""
    G = small_graph.copy()
    G.add_node("method/lonely", kind="concept", type="METHOD", label="lonely method", paper_count=1, mention_count=1)
    paper = next(p for p, _ in G.in_edges("dataset/cora"))
    G.add_edge(paper, "method/lonely", key="uses", kind="link", role="uses", evidence=[])
    G.add_node("method/hermit", kind="concept", type="METHOD", label="hermit", paper_count=1, mention_count=1)
    data = page_data(write_map(G, tmp_path / "m.html").read_text(encoding="utf-8"))
    node = {n["id"]: n for n in data["nodes"]}
    assert node["method/lonely"]["cgroup"] == node["dataset/cora"]["cgroup"]
    hermit = data["communities"][node["method/hermit"]["cgroup"]]
    assert hermit["members"] == ["method/hermit"] and hermit["name"] == "Related to no other concept drawn"


def test_big_maps_start_folded_and_the_page_says_so(synthetic, tmp_path):
    G = synthetic.synthetic_graph(600, 1500, seed=2)
    html = write_map(G, tmp_path / "m.html").read_text(encoding="utf-8")
    data = page_data(html)
    assert data["folded"] is True and len(data["nodes"]) > OPEN_LIMIT
    visible = [n for n in data["nodes"] if not n.get("hidden")]
    assert 30 <= len(visible) <= 200
    for c in data["communities"]:  # every community shows its leading members, by papers
        shown = [m for m in c["members"] if not next(n for n in data["nodes"] if n["id"] == m).get("hidden")]
        assert shown == c["members"][: c["shown"]]
    assert "click a community" in htmllib.unescape(html)
    small = page_data(write_map(synthetic.synthetic_graph(100, 80, seed=4), tmp_path / "s.html").read_text(encoding="utf-8"))
    assert small["folded"] is False and not any(n.get("hidden") for n in small["nodes"])
    # concepts left off the map are still known to the search, most papers first
    assert len(data["more"]) == concept_graph(G).number_of_nodes() - DEFAULT_MAX_CONCEPTS
    assert [p for _, p in data["more"]] == sorted((p for _, p in data["more"]), reverse=True)


def test_edges_per_concept_default_is_what_the_page_says(synthetic, tmp_path):
    G = synthetic.synthetic_graph(400, 300, seed=7)
    html = htmllib.unescape(write_map(G, tmp_path / "m.html").read_text(encoding="utf-8"))
    assert f"each concept's {EDGES_PER_CONCEPT} strongest" in html


def test_kg_map_command(small_graph, tmp_path, capsys):
    graph = write_node_link(small_graph, tmp_path / "graph.json")
    assert main(["map", "GNNs", "--graph", str(graph), "--hops", "1"]) == 0
    out = tmp_path / "map-method-graph-neural-networks.html"
    assert f"wrote {out}" in capsys.readouterr().out
    assert "Neighbourhood of graph neural networks" in out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_outputs_do_not_depend_on_the_process_hash_seed(synthetic, tmp_path):
    """Python salts string hashes per process, so set order differs between runs: maps, ego maps
    and the report must not depend on it (they once did, through Louvain and subgraph views)."""
    import os
    import subprocess
    import sys

    graph = write_node_link(synthetic.synthetic_graph(300, 400, seed=13), tmp_path / "graph.json")
    script = (
        "import sys\n"
        "from kg.graph.build import load_graph\n"
        "from kg.render.map import write_map, write_ego_map\n"
        "from kg.graph.report import write_report\n"
        "G = load_graph(sys.argv[1]); out = sys.argv[2]\n"
        "write_map(G, out + '/map.html', max_concepts=120)\n"
        "write_ego_map(G, 'method/c0', out + '/ego.html')\n"
        "write_report(G, out)\n"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run{hash_seed}"
        out.mkdir()
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        subprocess.run([sys.executable, "-c", script, str(graph), str(out)], check=True, env=env, timeout=300)
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name


def test_kg_map_without_a_concept_redraws_the_whole_map(small_graph, tmp_path, capsys):
    graph = write_node_link(small_graph, tmp_path / "graph.json")
    assert main(["map", "--graph", str(graph), "--map-nodes", "5", "--out", str(tmp_path / "m5.html")]) == 0
    assert f"wrote {tmp_path / 'm5.html'}" in capsys.readouterr().out
    assert len(page_data((tmp_path / "m5.html").read_text(encoding="utf-8"))["nodes"]) == 5
    assert main(["map", "--graph", str(graph)]) == 0
    assert (tmp_path / "map.html").exists()


def test_low_confidence_singletons_are_not_drawn_by_default(small_graph, tmp_path):
    """GraphSAGE-X: one paper, confidence 0.35 (below the map's default 0.4): left out of both
    maps by default and counted in a note; drawn with min_confidence=0; a centre is always drawn."""
    from kg.resolve.confidence import MAP_MIN_CONFIDENCE

    assert small_graph.nodes["method/graphsage-x"]["confidence"] < MAP_MIN_CONFIDENCE
    for write in (lambda **kw: write_map(small_graph, tmp_path / "m.html", **kw),
                  lambda **kw: write_ego_map(small_graph, "dataset/cora", tmp_path / "e.html", **kw)):
        html = write().read_text(encoding="utf-8")
        assert "method/graphsage-x" not in {n["id"] for n in page_data(html)["nodes"]}
        assert "1 concept named by one paper with confidence below 0.4 is not drawn" in html
        html = write(min_confidence=0).read_text(encoding="utf-8")
        assert "method/graphsage-x" in {n["id"] for n in page_data(html)["nodes"]}
        assert "confidence below" not in html
    data = page_data(write_ego_map(small_graph, "method/graphsage-x", tmp_path / "c.html").read_text(encoding="utf-8"))
    assert data["centre"] == "method/graphsage-x"
