#!/usr/bin/env python
"""Time the concept map: writing it in Python and drawing it in headless Chromium.

    .venv/bin/python scripts/time_map.py                      # output/graph.json, default cap
    .venv/bin/python scripts/time_map.py --nodes 250 1000 2000 --graph output/graph.json
    .venv/bin/python scripts/time_map.py --screenshot docs/img/map.png

    .venv/bin/python scripts/time_map.py --html old/map.html  # measure a page already written
    .venv/bin/python scripts/time_map.py --search "diffusion models" --screenshot docs/img/map.png

For each cap it writes the map, opens it from the file with every non-file request aborted,
and reports the write time, the file size, the time to the first drawn frame (the page's own
``performance.now()`` at vis-network's first ``afterDrawing``, i.e. from navigation start,
parsing included) and the wall time until then as seen from Playwright. Then, at the default
view, what a reader sees: the visible nodes, the share of them that overlap another (from
the positions and radii vis-network draws), their radius on screen, and the labels drawn
and how many of them overlap another (boxes from the page's own ``measureText``; pages
from before kg drew its own labels report vis-network's labels, estimated from font size
and text length), and the time to open every community and redraw with all drawn concepts
visible. With ``--search QUERY`` the same is measured once more after the query is typed
into the page's search box and submitted (the concept is selected, its community opened and
the view zoomed onto it), with a second screenshot (``NAME-search.png``). Uses Debian's Chromium (/usr/bin/chromium, or $KG_CHROMIUM).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", default="output/graph.json", help="graph.json written by kg build")
    parser.add_argument("--nodes", type=int, nargs="*", default=[0], help="caps to try (0: the renderer default)")
    parser.add_argument("--repeat", type=int, default=3, help="page loads per cap (the median is reported)")
    parser.add_argument("--screenshot", default=None, help="PNG of the first cap's map (1400x900 viewport)")
    parser.add_argument("--viewport", default="1400x900")
    parser.add_argument("--html", default=None, help="measure this page instead of writing maps")
    parser.add_argument("--search", default=None, metavar="QUERY", help="also measure (and screenshot) the view after searching for QUERY")
    parser.add_argument("--open", action="store_true", help="also measure (and screenshot) the largest community, opened and zoomed to")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from kg.graph.build import load_graph
    from kg.render.map import write_map

    if args.html:
        args.nodes = [0]
    else:
        G = load_graph(args.graph)
        concepts = sum(1 for _, k in G.nodes(data="kind") if k == "concept")
        papers = sum(1 for _, k in G.nodes(data="kind") if k == "paper")
        print(f"graph: {args.graph}: {papers} papers, {concepts} concepts")
    width, height = (int(v) for v in args.viewport.split("x"))
    chromium = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
    print(f"{'cap':>6} {'drawn':>6} {'edges':>6} {'write s':>8} {'size KB':>8} {'first draw ms':>14} {'wall s':>7} {'requests':>8}"
          f" {'visible':>7} {'overlap %':>9} {'radius px':>10} {'labels':>6} {'lab. overl.':>11} {'open all ms':>11}")
    searched = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for i, cap in enumerate(args.nodes):
            if args.html:
                path, write_s = Path(args.html).resolve(), 0.0
            else:
                path = Path(tmp) / f"map-{cap}.html"
                t0 = time.perf_counter()
                write_map(G, path, max_concepts=cap or None)
                write_s = time.perf_counter() - t0
            draws, walls, requests = [], [], []
            for r in range(args.repeat):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else (requests.append(route.request.url), route.abort()))
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                t1 = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function("window.kgMap && window.kgMap.state.ready === true", timeout=120_000)
                walls.append(time.perf_counter() - t1)
                draws.append(page.evaluate("kgMap.state.renderMs"))
                drawn = page.evaluate("kgMap.nodes.length")
                edges = page.evaluate("kgMap.edges.length")
                if errors:
                    print(f"page errors: {errors}", file=sys.stderr)
                if r == 0:
                    page.wait_for_timeout(300)
                    seen = default_view(page)
                    if args.screenshot and i == 0:
                        small_png(page.screenshot(), args.screenshot)
                    if args.search:
                        searched.append((cap, f"searching {args.search!r}", search_view(page, args.search, args.screenshot if i == 0 else None)))
                    if args.open:
                        searched.append((cap, "opening the largest community", open_view(page, args.screenshot if i == 0 else None)))
                    # Every community open (all drawn concepts visible): one synchronous redraw.
                    seen["open_ms"] = page.evaluate(
                        "() => { if (!kgMap.openAll) return null; const t = performance.now(); kgMap.openAll(true);"
                        " kgMap.network.redraw(); return performance.now() - t; }"
                    )
                context.close()
            draws.sort()
            walls.sort()
            size_kb = path.stat().st_size / 1024
            print(
                f"{cap or 'default':>6} {drawn:>6} {edges:>6} {write_s:>8.2f} {size_kb:>8.0f} {draws[len(draws) // 2]:>14.0f} {walls[len(walls) // 2]:>7.2f} {len(requests):>8}"
                f" {seen['visible']:>7} {100 * seen['overlap_share']:>9.1f} {seen['radius_px']:>10} {seen['labels']:>6} {seen['label_overlaps']:>11} {seen['open_ms'] or 0:>11.0f}"
            )
        browser.close()
    for cap, what, seen in searched:
        print(f"after {what} (cap {cap or 'default'}): {seen['status']}; visible {seen['visible']}, overlap"
              f" {100 * seen['overlap_share']:.1f}%, radius {seen['radius_px']} px, labels {seen['labels']}, overlapping labels {seen['label_overlaps']}")
    if args.screenshot:
        print(f"wrote {args.screenshot}")
    return 0


def search_view(page, query: str, screenshot: str | None) -> dict:
    """Type ``query`` into the page's search box and submit it, as a reader would; then measure
    the view (and save ``NAME-search.png`` beside ``screenshot``). The selection dims the rest of
    the map, so it is cleared again afterwards for the open-all timing."""
    page.fill("#kg-search-input", query)
    page.press("#kg-search-input", "Enter")
    page.wait_for_timeout(300)
    seen = default_view(page)
    seen["status"] = page.inner_text("#kg-search-status")
    if screenshot:
        path = Path(screenshot)
        small_png(page.screenshot(), str(path.with_name(f"{path.stem}-search{path.suffix}")))
    page.evaluate("kgMap.clearSelection(); kgMap.openAll(false); kgMap.network.fit({animation: false})")
    page.wait_for_timeout(300)
    return seen


def open_view(page, screenshot: str | None) -> dict:
    """Open the largest community, as a click on its disc does, and zoom so that its disc fills
    the view; measure it (and save ``NAME-open.png``), then fold it again."""
    group = page.evaluate(
        """() => { const c = kgMap.data.communities; let g = 0;
        c.forEach((x, i) => { if (x.size > c[g].size) g = i; });
        kgMap.setOpen(g, true);
        const d = c[g], h = kgMap.network.body.container.clientHeight;
        kgMap.network.moveTo({position: {x: d.x, y: d.y}, scale: 0.9 * h / (2 * d.r), animation: false});
        return g; }"""
    )
    page.wait_for_timeout(300)
    seen = default_view(page)
    seen["status"] = page.evaluate(f"(() => {{ const c = kgMap.data.communities[{group}]; return c.name + ': ' + c.size + ' concepts'; }})()")
    if screenshot:
        path = Path(screenshot)
        small_png(page.screenshot(), str(path.with_name(f"{path.stem}-open{path.suffix}")))
    page.evaluate(f"kgMap.setOpen({group}, false); kgMap.network.fit({{animation: false}})")
    page.wait_for_timeout(300)
    return seen


# Visible nodes (canvas position and radius) and drawn labels (screen boxes) of the page as it is.
_SEEN = """() => {
  const m = window.kgMap, pos = m.network.getPositions(), scale = m.network.getScale();
  const nodes = m.nodes.get({filter: n => !n.hidden}).map(n => [pos[n.id].x, pos[n.id].y, n.size || 25,
      n.label === undefined ? null : n.label, (n.font && n.font.size) || 14]);
  if (m.state.labels !== undefined) {
    return {scale: scale, nodes: nodes, labels: m.state.labels.map(b => [b.x0, b.y0, b.x1, b.y1])};
  }
  // An older page: vis-network draws every label whose font is at least drawThreshold (11 px)
  // on screen, centred under its node; estimate the box (0.55 em per character).
  const labels = [];
  for (const [x, y, r, text, size] of nodes) {
    if (!text || size * scale < 11) continue;
    const p = m.network.canvasToDOM({x: x, y: y + r}), w = 0.55 * size * scale * text.length, h = 1.2 * size * scale;
    labels.push([p.x - w / 2, p.y, p.x + w / 2, p.y + h]);
  }
  return {scale: scale, nodes: nodes, labels: labels};
}"""


def small_png(png: bytes, path: str) -> None:
    """Write a screenshot as a 256-colour PNG (Pillow, which matplotlib already needs): a
    1400x900 map drops from about 480 KB to well under 300 KB and looks the same."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, format="PNG", optimize=True)


def default_view(page) -> dict:
    """What the page shows now: visible nodes, the share overlapping another, labels overlapping."""
    seen = page.evaluate(_SEEN)
    nodes, labels, scale = seen["nodes"], seen["labels"], seen["scale"]
    overlapping = set()
    for a in range(len(nodes)):
        xa, ya, ra = nodes[a][:3]
        for b in range(a + 1, len(nodes)):
            xb, yb, rb = nodes[b][:3]
            if (xa - xb) ** 2 + (ya - yb) ** 2 < (ra + rb) ** 2:
                overlapping.update((a, b))
    label_overlaps = set()
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            p, q = labels[a], labels[b]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]:
                label_overlaps.update((a, b))
    radii = sorted(r * scale for _, _, r, *_ in nodes) or [0]
    return {
        "visible": len(nodes),
        "overlap_share": len(overlapping) / max(1, len(nodes)),
        "radius_px": f"{radii[0]:.0f}-{radii[-1]:.0f}",
        "labels": len(labels),
        "label_overlaps": len(label_overlaps),
    }


if __name__ == "__main__":
    sys.exit(main())
