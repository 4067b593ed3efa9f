#!/usr/bin/env python
"""Time the concept map: writing it in Python and drawing it in headless Chromium.

    .venv/bin/python scripts/time_map.py                      # output/graph.json, default cap
    .venv/bin/python scripts/time_map.py --nodes 250 1000 2000 --graph output/graph.json
    .venv/bin/python scripts/time_map.py --screenshot docs/img/map.png

For each cap it writes the map, opens it from the file with every non-file request aborted,
and reports the write time, the file size, the time to the first drawn frame (the page's own
``performance.now()`` at vis-network's first ``afterDrawing``, i.e. from navigation start,
parsing included) and the wall time until then as seen from Playwright. Uses Debian's Chromium
(/usr/bin/chromium, or $KG_CHROMIUM).
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
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from kg.graph.build import load_graph
    from kg.render.map import write_map

    G = load_graph(args.graph)
    concepts = sum(1 for _, k in G.nodes(data="kind") if k == "concept")
    papers = sum(1 for _, k in G.nodes(data="kind") if k == "paper")
    print(f"graph: {args.graph}: {papers} papers, {concepts} concepts")
    width, height = (int(v) for v in args.viewport.split("x"))
    chromium = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
    print(f"{'cap':>6} {'drawn':>6} {'edges':>6} {'write s':>8} {'size KB':>8} {'first draw ms':>14} {'wall s':>7} {'requests':>8}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for i, cap in enumerate(args.nodes):
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
                if args.screenshot and i == 0 and r == 0:
                    page.wait_for_timeout(300)
                    page.screenshot(path=args.screenshot)
                context.close()
            draws.sort()
            walls.sort()
            size_kb = path.stat().st_size / 1024
            print(f"{cap or 'default':>6} {drawn:>6} {edges:>6} {write_s:>8.2f} {size_kb:>8.0f} {draws[len(draws) // 2]:>14.0f} {walls[len(walls) // 2]:>7.2f} {len(requests):>8}")
        browser.close()
    if args.screenshot:
        print(f"wrote {args.screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
