"""The concept maps in a real browser (headless Chromium, network blocked).

Each test opens a map written by kg.render.map from a file and checks what a person would see
and do: it loads with no console error and no request, draws the right nodes, shows a tooltip
on hover, filters by type, finds a concept by name, and never runs paper text as code.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kg.graph.analytics import concept_graph
from kg.graph.build import to_networkx
from kg.models import Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation
from kg.render.map import backbone, select_concepts, write_ego_map, write_map

pytestmark = pytest.mark.browser

GNN = "method/graph-neural-networks"
VISIBLE = "kgMap.nodes.get({filter: function (n) { return !n.hidden; }}).length"


def node_point(page, node_id: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    return tuple(
        page.evaluate(
            """id => {
                const net = kgMap.network;
                const dom = net.canvasToDOM(net.getPosition(id));
                const box = document.getElementById("kg-network").getBoundingClientRect();
                return [box.left + dom.x, box.top + dom.y];
            }""",
            node_id,
        )
    )


def hover(page, node_id: str) -> str:
    """Move the mouse onto a node; return the tooltip's text (empty when no tooltip shows)."""
    x, y = node_point(page, node_id)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=3)
    try:
        page.wait_for_selector("#kg-tooltip:not([hidden])", timeout=3000)
    except PlaywrightTimeout:  # no tooltip: the caller's assertion says what was expected
        return ""
    return page.inner_text("#kg-tooltip")


def no_script_ran(page) -> None:
    """No probe ran: no flag set, no extra script or image element, no inline handler."""
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('script').length") == 3  # data, vis-network, page
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed, a[href]').length") == 0
    assert page.evaluate("[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length") == 0


def test_small_map_loads_offline_and_draws_every_concept(small_graph, open_map, tmp_path):
    path = write_map(small_graph, tmp_path / "map.html", min_confidence=0)
    opened = open_map(path)
    assert opened.requests == []
    assert opened.problems() == []
    page = opened.page
    concepts = sorted(n for n, k in small_graph.nodes(data="kind") if k == "concept")
    assert page.evaluate("kgMap.nodes.getIds().sort()") == concepts
    assert page.evaluate("kgMap.nodes.length") == len(concepts)
    # One drawn edge per related concept pair (5 relations between 5 distinct pairs).
    assert page.evaluate("kgMap.edges.length") == concept_graph(small_graph).number_of_edges() == 5
    # vis-network itself holds them all (not only the DataSet), at the precomputed positions.
    assert page.evaluate("Object.keys(kgMap.network.getPositions()).length") == len(concepts)
    assert page.evaluate("kgMap.network.physics.options.enabled") is False
    no_script_ran(page)


def test_capped_map_draws_what_it_says(synthetic, open_map, tmp_path):
    G = synthetic.synthetic_graph(300, 400, seed=3)
    path = write_map(G, tmp_path / "map.html", max_concepts=60)
    opened = open_map(path)
    page = opened.page
    C = concept_graph(G)
    expected = backbone(C, select_concepts(C, 60))
    assert sorted(page.evaluate("kgMap.nodes.getIds()")) == sorted(expected.nodes)
    assert page.evaluate("kgMap.edges.length") == expected.number_of_edges()
    note = page.inner_text("#kg-header")
    assert f"Showing 60 of {C.number_of_nodes():,} concepts" in note
    assert "kg build --map-nodes N" in note and "kg map CONCEPT" in note
    assert opened.requests == [] and opened.problems() == []


def test_hovering_a_concept_shows_its_details_and_evidence(small_graph, open_map, tmp_path):
    page = open_map(write_map(small_graph, tmp_path / "map.html", min_confidence=0)).page
    assert page.is_hidden("#kg-tooltip")
    text = hover(page, GNN)
    assert "graph neural networks" in text
    assert "METHOD" in text
    assert "2 papers" in text
    assert "GNNs" in text  # an alias
    assert "GNNs are used for node classification on Cora." in text  # an evidence sentence
    assert "Graph neural networks, revisited" in text  # ... with its paper title
    page.mouse.move(5, 5)
    page.wait_for_selector("#kg-tooltip", state="hidden", timeout=3000)


def test_type_filter_hides_and_restores_nodes(small_graph, open_map, tmp_path):
    page = open_map(write_map(small_graph, tmp_path / "map.html", min_confidence=0)).page
    assert page.evaluate(VISIBLE) == 9
    cora = node_point(page, "dataset/cora")
    page.click("input.kg-type-filter[data-type=DATASET]")
    assert page.evaluate(VISIBLE) == 7
    assert page.evaluate("kgMap.nodes.get('dataset/cora').hidden") is True
    # Hidden means not drawn: nothing is under the mouse where Cora was.
    box = page.evaluate("(() => { const b = document.getElementById('kg-network').getBoundingClientRect(); return [b.left, b.top]; })()")
    assert page.evaluate("p => kgMap.network.getNodeAt(p)", {"x": cora[0] - box[0], "y": cora[1] - box[1]}) != "dataset/cora"
    page.click("input.kg-type-filter[data-type=DATASET]")
    assert page.evaluate(VISIBLE) == 9


def test_search_finds_a_concept_by_alias_and_highlights_its_neighbourhood(small_graph, open_map, tmp_path):
    page = open_map(write_map(small_graph, tmp_path / "map.html", min_confidence=0)).page
    page.fill("#kg-search-input", "gnns")
    page.press("#kg-search-input", "Enter")
    assert page.evaluate("kgMap.state.selected") == GNN
    assert page.inner_text("#kg-search-status") == "Found graph neural networks"
    panel = page.text_content("#kg-panel")
    assert "graph neural networks" in panel and "Connected to 3" in panel
    # Neighbours keep their colour, the rest is dimmed.
    colour = "id => kgMap.nodes.get(id).color.background"
    assert page.evaluate(colour, "dataset/cora") == "#f28e2b"
    assert page.evaluate(colour, "method/transformers") == "#eeeeee"
    page.fill("#kg-search-input", "no such concept")
    page.press("#kg-search-input", "Enter")
    assert "No concept matches" in page.inner_text("#kg-search-status")
    page.click("#kg-panel-close")
    assert page.evaluate(colour, "method/transformers") == "#4e79a7"


def test_search_shows_a_concept_whose_type_is_filtered_out(small_graph, open_map, tmp_path):
    page = open_map(write_map(small_graph, tmp_path / "map.html", min_confidence=0)).page
    page.click("input.kg-type-filter[data-type=METRIC]")
    page.fill("#kg-search-input", "BLEU")
    page.press("#kg-search-input", "Enter")
    assert page.evaluate("kgMap.state.selected") == "metric/bleu"
    assert page.evaluate("kgMap.nodes.get('metric/bleu').hidden") is False
    assert page.is_checked("input.kg-type-filter[data-type=METRIC]")


def test_xss_probe_in_a_paper_title_stays_text(small_graph, open_map, tmp_path):
    """small_graph has a paper titled '<script>alert(1)</script> Transformers, again'."""
    opened = open_map(write_map(small_graph, tmp_path / "map.html", min_confidence=0))
    page = opened.page
    text = hover(page, "method/transformers")
    assert "<script>alert(1)</script> Transformers, again" in text
    page.click("#kg-network", position={"x": 5, "y": 5})
    page.fill("#kg-search-input", "Transformers")
    page.press("#kg-search-input", "Enter")
    assert "<script>alert(1)</script>" in page.inner_text("#kg-panel")
    assert opened.dialogs == [] and opened.problems() == [] and opened.requests == []
    no_script_ran(page)


PROBES = (
    "</script><script>window.__xss=1;alert('label')</script>",
    '<img src=x onerror="window.__xss=2;alert(\'img\')">',
    '<a href="javascript:window.__xss=3">href</a>',
    "<svg onload=\"window.__xss=4\">",
    "]]></style><script>window.__xss=5</script><!--",
    "\u2028\u2029 {{ 7*7 }} ${7*7} & &amp; &lt;b&gt;",
)


def hostile_kg() -> KnowledgeGraph:
    """Every string a map shows carries a probe: labels, aliases, titles, sentences, dates, ids."""
    papers, concepts, links, relations, evidence = {}, {}, [], [], {}
    ids = []
    for i, probe in enumerate(PROBES):
        title = f"{probe} title {i}"
        abstract = f"We use {probe} here {i}. It beats the rest {probe}."
        paper = Paper(id=f"title:{i:016x}", title=title, abstract=abstract, date=f"202{i}-0{i + 1}")
        papers[paper.id] = paper
        cid = f"method/p{i}-{probe}"
        ids.append(cid)
        concepts[cid] = Concept(cid, ("METHOD", "DATASET", "METRIC", "TASK")[i % 4], f"{probe} {i}",
                                aliases={probe: 2, f"alias href {i}": 1}, paper_count=1 + i, mention_count=2)
        start = len(title) + 1
        end = start + len(f"We use {probe} here {i}.")
        eid = f"e{i}"
        evidence[eid] = Evidence(eid, paper.id, start, end, ((start + 7, start + 7 + len(probe)),), "rule:test", 0.9)
        links.append(PaperLink(paper.id, cid, "uses", 1, [eid]))
    for i in range(len(ids) - 1):
        relations.append(Relation(ids[i], ids[i + 1], "USED-FOR", 2, 1, [f"e{i}"]))
    return KnowledgeGraph(papers, concepts, links, relations, evidence)


def test_xss_probes_everywhere_never_execute(open_map, tmp_path):
    G = to_networkx(hostile_kg())
    path = write_map(G, tmp_path / "map.html")
    html = path.read_text(encoding="utf-8")
    assert html.lower().count("</script") == 3  # the page's own three script elements end, nothing else
    for probe in PROBES:
        assert probe not in html
    opened = open_map(path)
    page = opened.page
    concepts = sorted(n for n, k in G.nodes(data="kind") if k == "concept")
    assert sorted(page.evaluate("kgMap.nodes.getIds()")) == concepts
    for i, cid in enumerate(concepts):
        text = hover(page, cid)
        probe = G.nodes[cid]["label"].rsplit(" ", 1)[0]
        assert probe.strip() in text, f"tooltip of {cid!r} does not show its label as text: {text!r}"
        page.mouse.click(*node_point(page, cid))
        assert page.evaluate("kgMap.state.selected") == cid
        assert "title" in page.inner_text("#kg-panel")
    for probe in PROBES:
        page.fill("#kg-search-input", probe)
        page.press("#kg-search-input", "Enter")
    page.check("#kg-physics")
    page.wait_for_timeout(300)
    assert opened.dialogs == []
    assert opened.requests == []
    assert opened.problems() == []
    no_script_ran(page)


def test_hostile_synthetic_map_is_inert(synthetic, open_map, tmp_path):
    G = synthetic.synthetic_graph(150, 120, seed=5, hostile=True)
    opened = open_map(write_map(G, tmp_path / "map.html"))
    page = opened.page
    ids = page.evaluate("kgMap.nodes.getIds().sort()")
    for cid in ids[:: max(1, len(ids) // 15)]:
        hover(page, cid)
    assert opened.dialogs == [] and opened.requests == [] and opened.problems() == []
    no_script_ran(page)


def test_ego_map_draws_the_neighbourhood(small_graph, open_map, tmp_path):
    path = write_ego_map(small_graph, GNN, tmp_path / "ego.html", hops=1, min_confidence=0)
    opened = open_map(path)
    page = opened.page
    assert sorted(page.evaluate("kgMap.nodes.getIds()")) == sorted(
        [GNN, "method/graphsage-x", "task/node-classification", "dataset/cora"]
    )
    assert page.evaluate("kgMap.data.centre") == GNN
    assert page.inner_text("#kg-title") == "Neighbourhood of graph neural networks"
    assert opened.requests == [] and opened.problems() == []


def test_content_security_policy_blocks_injected_scripts_and_requests(small_graph, open_map, tmp_path):
    """Defence in depth: were an escape ever missed, the page's CSP would still stop the script."""
    opened = open_map(write_map(small_graph, tmp_path / "map.html", min_confidence=0))
    ran = opened.page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__csp = 1";
            document.body.appendChild(s);
            const img = new Image();
            img.src = "https://example.com/pixel.png";
            document.body.appendChild(img);
            return typeof window.__csp;
        }"""
    )
    assert ran == "undefined"
    opened.page.wait_for_timeout(200)
    violations = [text for _, text in opened.console if "Content Security Policy" in text]
    assert any("script" in text for text in violations)
    assert any("pixel.png" in text for text in violations)  # refused by img-src, whatever the network does


def test_the_network_guard_catches_requests(open_map, tmp_path):
    """Control: a page that does reach out is caught, so 'no request' above means something."""
    page_file = tmp_path / "leaky.html"
    page_file.write_text('<img src="https://example.com/x.png"><link rel="stylesheet" href="http://cdn.example/b.css">')
    opened = open_map(page_file, wait=False)
    opened.page.wait_for_load_state("load")
    assert any("example.com/x.png" in url for url in opened.requests)
    assert any("cdn.example/b.css" in url for url in opened.requests)


# --- readability at scale: labels, overlaps, folded communities ---------------------------------

LABEL_OVERLAPS = """() => {
    const b = kgMap.state.labels, hits = [];
    for (let i = 0; i < b.length; i++)
        for (let j = i + 1; j < b.length; j++)
            if (b[i].x0 < b[j].x1 && b[j].x0 < b[i].x1 && b[i].y0 < b[j].y1 && b[j].y0 < b[i].y1)
                hits.push([b[i].text, b[j].text]);
    return hits;
}"""

NODE_OVERLAP_SHARE = """() => {
    const pos = kgMap.network.getPositions(), shown = kgMap.nodes.get({filter: n => !n.hidden}), hit = new Set();
    for (let i = 0; i < shown.length; i++)
        for (let j = i + 1; j < shown.length; j++) {
            const a = shown[i], b = shown[j], p = pos[a.id], q = pos[b.id];
            if (Math.hypot(p.x - q.x, p.y - q.y) < a.size + b.size - 0.01) { hit.add(a.id); hit.add(b.id); }
        }
    return [hit.size, shown.length];
}"""


def redraw(page) -> None:
    page.evaluate("kgMap.network.redraw()")
    page.wait_for_timeout(150)


def free_point_in_disc(page, group: int) -> tuple[float, float]:
    """A page point inside community ``group``'s disc where no node is drawn."""
    return tuple(
        page.evaluate(
            """g => {
                const c = kgMap.data.communities[g], net = kgMap.network, pos = net.getPositions();
                const shown = kgMap.nodes.get({filter: n => !n.hidden});
                const box = document.getElementById("kg-network").getBoundingClientRect();
                for (let k = 0; k < 72; k++) {
                    const a = k * 5 * Math.PI / 180, x = c.x + 0.85 * c.r * Math.cos(a), y = c.y + 0.85 * c.r * Math.sin(a);
                    if (shown.every(n => Math.hypot(pos[n.id].x - x, pos[n.id].y - y) > n.size + 8)) {
                        const d = net.canvasToDOM({x: x, y: y});
                        return [box.left + d.x, box.top + d.y];
                    }
                }
                return null;
            }""",
            group,
        )
    )


def test_big_map_default_view_is_readable_and_communities_open(synthetic, open_map, tmp_path):
    """A map past OPEN_LIMIT: at the default view no drawn label overlaps another (boxes the page
    measured with measureText), under 5% of the visible nodes overlap, every community shows its
    leading concepts; zooming in shows more labels, still without overlaps; clicking a disc
    opens the community; search opens the community of a folded concept and names undrawn ones."""
    G = synthetic.synthetic_graph(600, 1500, seed=2)
    opened = open_map(write_map(G, tmp_path / "map.html"))
    page = opened.page
    data = page.evaluate("kgMap.data")
    assert data["folded"] is True
    names = {c["name"] for c in data["communities"] if c["name"]}
    labels = page.evaluate("kgMap.state.labels")
    assert len(labels) >= 20
    assert any(label["text"].split(" \u00b7 ")[0] in names for label in labels)  # community names drawn
    assert page.evaluate(LABEL_OVERLAPS) == []
    hit, shown = page.evaluate(NODE_OVERLAP_SHARE)
    assert hit / shown < 0.05
    # Labels are drawn by importance: the concept in most papers has its label.
    top = max(data["nodes"], key=lambda n: (n["info"]["papers"], n["id"]))
    assert top["text"] in [label["text"] for label in labels]

    page.evaluate("kgMap.network.moveTo({scale: kgMap.network.getScale() * 3, animation: false})")
    redraw(page)
    assert page.evaluate(LABEL_OVERLAPS) == []
    in_view = page.evaluate("kgMap.state.labels.length")
    page.click("#kg-fit")
    redraw(page)

    # Click a folded community's disc: all of its members appear; click again: folded.
    group = max(range(len(data["communities"])), key=lambda g: data["communities"][g]["size"])
    members = data["communities"][group]["members"]
    before = page.evaluate(VISIBLE)
    page.mouse.click(*free_point_in_disc(page, group))
    assert page.evaluate(VISIBLE) == before + len(members) - data["communities"][group]["shown"]
    assert page.evaluate("ids => ids.every(id => !kgMap.nodes.get(id).hidden)", members)
    redraw(page)
    assert page.evaluate(LABEL_OVERLAPS) == []
    hit, shown = page.evaluate(NODE_OVERLAP_SHARE)
    assert hit / shown < 0.05
    page.mouse.click(*free_point_in_disc(page, group))
    assert page.evaluate(VISIBLE) == before
    page.click("#kg-open-all")
    assert page.evaluate(VISIBLE) == len(data["nodes"])
    page.click("#kg-open-all")
    assert page.evaluate(VISIBLE) == before

    # Search finds a folded concept: its community opens and it is selected.
    folded = next(n for n in data["nodes"] if n.get("folded"))
    page.fill("#kg-search-input", folded["info"]["label"])
    page.press("#kg-search-input", "Enter")
    assert page.evaluate("kgMap.state.selected") == folded["id"]
    assert page.evaluate("id => kgMap.nodes.get(id).hidden", folded["id"]) is False
    # ... and a concept that is not drawn at all: the status says how to draw it.
    label, papers = data["more"][0]
    page.fill("#kg-search-input", label)
    page.press("#kg-search-input", "Enter")
    status = page.inner_text("#kg-search-status")
    assert label in status and "not drawn here" in status and "kg map" in status
    assert in_view > len(labels) - 5  # zooming in keeps (and usually adds) labels in view
    assert opened.requests == [] and opened.problems() == []
    no_script_ran(page)


def test_hovering_a_concept_shows_its_label(synthetic, open_map, tmp_path):
    """A small concept whose label was left out (it would collide) gets it while hovered."""
    G = synthetic.synthetic_graph(300, 400, seed=3)
    page = open_map(write_map(G, tmp_path / "map.html", max_concepts=250)).page
    drawn = set(page.evaluate("kgMap.state.labels.map(b => b.text)"))
    hidden = page.evaluate("kgMap.nodes.get({filter: n => !n.hidden}).sort((a, b) => b.rank - a.rank).map(n => [n.id, n.text])")
    node_id, text = next((i, t) for i, t in hidden if t not in drawn)
    hover(page, node_id)
    redraw(page)
    assert text in page.evaluate("kgMap.state.labels.map(b => b.text)")
    assert page.evaluate(LABEL_OVERLAPS) == []
