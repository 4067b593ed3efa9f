"""``kg analyze``: the analytics of :mod:`kg.graph.analytics` as text tables and a Markdown report.

:func:`analysis` computes everything once (the concept graph, PageRank, co-occurrence,
communities, trends); :func:`analysis_tables` prints it as plain-text tables and
:func:`write_report` writes ``report.md`` with PNG charts (matplotlib's Agg canvas, no display
needed) beside it in ``report_files/``. Every file is written atomically.

Labels come from papers, so the Markdown escapes them: a concept called ``<script>`` or
``*bold* | pipe`` shows as written in any Markdown viewer and cannot break a table.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import networkx as nx

from kg.graph import analytics as A
from kg.models import type_order
from kg.output import atomic_write_bytes, atomic_write_text
from kg.palette import OTHER_COLOUR, TYPE_COLOURS

#: Where the charts go, relative to report.md.
CHART_FOLDER = "report_files"
_LABEL_CHARS = 42


def analysis(G: nx.MultiDiGraph, top: int = 10, *, seed: int = 0) -> dict:
    """Compute everything the tables and the report show, once.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    top : int
        Rows per ranking.
    seed : int
        Seed of the community detection.

    Returns
    -------
    dict
        ``counts``, ``by_papers`` and ``by_pagerank`` (per type), ``cooccurrence`` (with the
        ``min_papers`` used), ``communities``, ``trends``, ``changes`` (rising and falling
        concepts, :func:`kg.graph.analytics.concept_changes`, with the ``min_change`` papers
        asked of them), ``connections``.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/bert", kind="concept", type="METHOD", label="BERT", paper_count=1)
    >>> analysis(G)["by_papers"]["METHOD"]
    [('method/bert', 1)]
    """
    C = A.concept_graph(G)
    pagerank = A.concept_pagerank(G, C=C)
    n_papers = sum(1 for _, k in G.nodes(data="kind") if k == "paper")
    # Pairs sharing a single paper say little; ask for 3 shared papers once the corpus is big enough.
    min_papers = 3 if n_papers >= 200 else 2
    relation_types = Counter(t for _, _, t in _relation_types(G))
    found = A.communities(G, seed=seed, C=C)
    by_papers = A.top_concepts_by_type(G, top, by="papers")
    leaders = {t: rows[0][0] for t, rows in by_papers.items() if rows}
    connections = []
    if "METHOD" in leaders:
        for other in ("TASK", "DATASET", "METRIC"):
            if other in leaders:
                path = A.shortest_connection(G, leaders["METHOD"], leaders[other], C=C)
                connections.append((leaders["METHOD"], leaders[other], path))
    trends = A.concept_trends(G)
    # Changes need a few papers to mean something: 5, or 1 in 1,000 dated papers on big corpora.
    min_change = max(5, sum(trends["papers"]) // 1000)
    return {
        "counts": {
            "papers": n_papers,
            "concepts": A.type_counts(G),
            "relations": dict(sorted(relation_types.items())),
            "concept_pairs": C.number_of_edges(),
        },
        "by_papers": by_papers,
        "by_pagerank": A.top_concepts_by_type(G, top, by="pagerank", scores=pagerank),
        "cooccurrence": {"min_papers": min_papers, "pairs": A.cooccurrence(G, min_papers=min_papers)[:top]},
        "communities": found,
        "trends": trends,
        "changes": A.concept_changes(G, top, trends=trends, min_papers=min_change),
        "min_change": min_change,
        "connections": connections,
    }


def _relation_types(G: nx.MultiDiGraph):
    for u, v, attrs in G.edges(data=True):
        if attrs.get("kind") == "relation":
            yield u, v, attrs.get("type")


def _label(G: nx.MultiDiGraph, node: str) -> str:
    text = " ".join(str(G.nodes[node].get("label") or G.nodes[node].get("title") or node).split())
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "\u2026"


def chart_text(text: str) -> str:
    """A label matplotlib draws as written.

    ``$`` would start mathtext (and a lone ``$x`` can fail to parse), and legend labels starting
    with ``_`` would be dropped, so dollars are escaped and a leading underscore is shielded.

    Example
    -------
    >>> print(chart_text("$O(n)$ sort"))
    \\$O(n)\\$ sort
    >>> chart_text("_private").startswith("\\u200b")
    True
    """
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


# --- tables as data ------------------------------------------------------------------------------

#: One table: title, note, column headers, rows.
Table = tuple[str, str, list[str], list[list]]


def _tables(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """``(title, note, headers, rows)`` for each table, shared by the text and Markdown outputs."""
    sections = (_graph_table, _top_tables, _cooccurrence_table, _community_table, _trend_table, _change_tables, _connection_table)
    return [table for section in sections for table in section(G, result, top)]


def _graph_table(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """The overall counts."""
    tables: list[Table] = []
    counts = result["counts"]
    rows = [["papers", counts["papers"]]]
    rows += [[f"concepts: {t}", n] for t, n in counts["concepts"].items()]
    rows += [[f"relations: {t}", n] for t, n in counts["relations"].items()]
    rows.append(["related concept pairs", counts["concept_pairs"]])
    tables.append(("Graph", "", ["", "count"], rows))
    return tables


def _top_tables(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """Per concept type: the top concepts by papers beside the top by PageRank."""
    tables: list[Table] = []
    counts = result["counts"]
    for ctype in counts["concepts"]:
        by_papers = result["by_papers"].get(ctype, [])
        by_rank = result["by_pagerank"].get(ctype, [])
        if not by_papers:
            continue
        rows = []
        for i in range(max(len(by_papers), len(by_rank))):
            left = by_papers[i] if i < len(by_papers) else ("", "")
            right = by_rank[i] if i < len(by_rank) else ("", None)
            rows.append(
                [
                    i + 1,
                    _label(G, left[0]) if left[0] else "",
                    left[1],
                    _label(G, right[0]) if right[0] else "",
                    f"{right[1]:.4f}" if right[1] is not None else "",
                ]
            )
        tables.append((f"Top {ctype} concepts", "by papers, and by PageRank on the concept graph", ["#", "by papers", "papers", "by PageRank", "score"], rows))
    return tables


def _cooccurrence_table(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """The strongest co-occurring pairs."""
    tables: list[Table] = []
    co = result["cooccurrence"]
    rows = [[_label(G, r["a"]), _label(G, r["b"]), r["papers"], f"{r['npmi']:.3f}"] for r in co["pairs"]]
    tables.append(
        ("Strongest co-occurrence", f"pairs sharing at least {co['min_papers']} papers, by NPMI over papers", ["concept", "concept", "papers", "NPMI"], rows)
    )
    return tables


def _community_table(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """The largest communities."""
    tables: list[Table] = []
    found = result["communities"]
    rows = [
        [c["id"] + 1, c["size"], ", ".join(f"{t} {n}" for t, n in sorted(c["types"].items(), key=lambda kv: type_order(kv[0]))), c["name"]]
        for c in found[:top]
    ]
    note = f"Louvain, seeded, on the concept graph: {len(found)} communities of related concepts"
    if len(found) > top:
        note += f", largest {top} shown"
    tables.append(("Communities", note, ["#", "size", "types", "named by its top concepts"], rows))
    return tables


def _trend_table(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """Papers per date bucket, and the leading concepts' counts."""
    tables: list[Table] = []
    counts = result["counts"]
    trends = result["trends"]
    buckets = trends["buckets"][-12:]
    shift = len(trends["buckets"]) - len(buckets)
    leaders = [c for c, _ in A.top_concepts(G, min(top, 8))]
    rows = [["papers", *trends["papers"][shift:]]]
    rows += [[_label(G, c), *trends["counts"].get(c, [0] * len(trends["buckets"]))[shift:]] for c in leaders]
    note = f"papers per {trends['granularity']}"
    if trends["set_aside"]:
        other = "with a year" if not trends["with_year"] else "without a year (--MM-DD)"
        note += f"; {trends['set_aside']} papers dated {other} set aside"
    if trends["undated"]:
        note += f"; {trends['undated']} papers without a usable date"
    if trends.get("sparse"):
        note += f"; {trends['sparse']} papers in buckets too thin for shares set aside"
    if shift:
        note += f"; last {len(buckets)} of {len(trends['buckets'])} buckets"
    tables.append(("Trends", note, ["concept", *buckets], rows if buckets else []))
    return tables


def _change_tables(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """Rising and falling concepts."""
    tables: list[Table] = []
    changes = result["changes"]
    for key, title in (("rising", "Rising concepts"), ("falling", "Falling concepts")):
        rows = [
            [_label(G, r["concept"]), G.nodes[r["concept"]].get("type", ""), r["earlier"], f"{100 * r['earlier_share']:.2f}",
             r["recent"], f"{100 * r['recent_share']:.2f}", f"{r['ratio']:.2f}"]
            for r in changes[key]
        ]
        if changes["earlier"]:
            note = (f"share of papers {_period(changes['recent'])} against {_period(changes['earlier'])}, "
                    f"ranked by log-likelihood (G\u00b2); concepts in at least {result['min_change']} papers")
        else:
            note = "needs at least two date buckets"
        tables.append((title, note, ["concept", "type", "earlier", "earlier %", "recent", "recent %", "ratio"], rows))
    return tables


def _connection_table(G: nx.MultiDiGraph, result: dict, top: int) -> list[Table]:
    """Shortest chains between the leading concepts of each type."""
    tables: list[Table] = []
    rows = []
    for a, b, path in result["connections"]:
        chain = " -> ".join(_label(G, n) for n in path) if path else "not connected"
        rows.append([_label(G, a), _label(G, b), (len(path) - 1) if path else "", chain])
    tables.append(("Connections", "shortest chains between the leading concepts of each type", ["from", "to", "steps", "via"], rows))
    return tables


def _period(span: tuple[str, str]) -> str:
    """``2025-03 .. 2025-12``, or the one bucket."""
    return span[0] if span[0] == span[1] else f"{span[0]} .. {span[1]}"


# --- plain text ----------------------------------------------------------------------------------


def _text_table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(re.fullmatch(r"-?[\d.,]+", r[i] or "0") for r in cells[1:]) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(row, widths, numeric)).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def analysis_tables(G: nx.MultiDiGraph, top: int = 10, *, result: dict | None = None) -> str:
    """The analytics as plain-text tables (what ``kg analyze`` prints).

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    top : int
        Rows per ranking.
    result : dict, optional
        The output of :func:`analysis`, if already computed.

    Returns
    -------
    str

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/bert", kind="concept", type="METHOD", label="BERT", paper_count=4)
    >>> print(analysis_tables(G).split("\\n\\n")[1])
    Top METHOD concepts (by papers, and by PageRank on the concept graph)
    #  by papers  papers  by PageRank   score
    -  ---------  ------  -----------  ------
    1  BERT            4  BERT         1.0000
    """
    result = analysis(G, top) if result is None else result
    blocks = []
    for title, note, headers, rows in _tables(G, result, top):
        head = f"{title} ({note})" if note else title
        blocks.append(head + "\n" + (_text_table(headers, rows) if rows else "(none)"))
    return "\n\n".join(blocks)


# --- Markdown and charts -------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md_escape(value) -> str:
    """Text that a Markdown viewer shows as written: specials backslashed, HTML as entities.

    Example
    -------
    >>> md_escape("<script>*x*</script> | a_b")
    '&lt;script&gt;\\\\*x\\\\*&lt;/script&gt; \\\\| a\\\\_b'
    """
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(md_escape("" if v is None else v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> None:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    atomic_write_bytes(path, buffer.getvalue())


def chart_top_concepts(G: nx.MultiDiGraph, result: dict, path: Path) -> Path | None:
    """Horizontal bars of the top concepts by papers, one panel per type."""
    types = [t for t, rows in result["by_papers"].items() if rows]
    if not types:
        return None
    cols = 2 if len(types) > 1 else 1
    rows_n = (len(types) + cols - 1) // cols
    top = max(len(result["by_papers"][t]) for t in types)
    fig = _figure(12, max(3.0, rows_n * (0.9 + 0.32 * top)))
    for i, ctype in enumerate(types):
        ax = fig.add_subplot(rows_n, cols, i + 1)
        items = result["by_papers"][ctype][::-1]
        ax.barh([chart_text(_label(G, c)) for c, _ in items], [s for _, s in items], color=TYPE_COLOURS.get(ctype, OTHER_COLOUR))
        ax.set_title(f"{ctype}: top concepts by papers", fontsize=11)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_xlabel("papers")
    fig.tight_layout()
    _save(fig, path)
    return path


def chart_trends(G: nx.MultiDiGraph, result: dict, path: Path, lines: int = 8) -> Path | None:
    """Share of papers per date bucket for the leading concepts (None when fewer than 2 buckets)."""
    trends = result["trends"]
    buckets = trends["buckets"]
    if len(buckets) < 2:
        return None
    fig = _figure(12, 5)
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(buckets)))
    totals = trends["papers"]
    for concept, _ in A.top_concepts(G, lines):
        row = trends["counts"].get(concept, [0] * len(buckets))
        share = [100.0 * c / t if t else 0.0 for c, t in zip(row, totals)]
        ax.plot(x, share, marker="o", markersize=3, label=chart_text(_label(G, concept)))
    ax.set_xticks(x)
    step = max(1, len(buckets) // 16)
    ax.set_xticklabels([b if i % step == 0 else "" for i, b in enumerate(buckets)], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("% of papers in the bucket")
    ax.set_title(f"Leading concepts per {trends['granularity']}")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    _save(fig, path)
    return path


def chart_changes(G: nx.MultiDiGraph, result: dict, path: Path, lines: int = 5) -> Path | None:
    """Share of papers per bucket of the strongest risers and fallers, one panel each (at most
    ``lines`` lines per panel, so each stays readable); None when there is nothing to draw."""
    trends, changes = result["trends"], result["changes"]
    buckets = trends["buckets"]
    panels = [(key, changes[key][:lines]) for key in ("rising", "falling") if changes[key]]
    if len(buckets) < 2 or not panels:
        return None
    fig = _figure(12, 4.2)
    x = list(range(len(buckets)))
    totals = trends["papers"]
    step = max(1, len(buckets) // 12)
    for i, (key, rows) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        for r in rows:
            row = trends["counts"].get(r["concept"], [0] * len(buckets))
            share = [100.0 * c / t if t else 0.0 for c, t in zip(row, totals)]
            ax.plot(x, share, marker="o", markersize=3, label=chart_text(f"{_label(G, r['concept'])[:30]} ({r['earlier']}\u2192{r['recent']})"))
        ax.set_xticks(x)
        ax.set_xticklabels([b if j % step == 0 else "" for j, b in enumerate(buckets)], rotation=45, ha="right", fontsize=8)
        ax.axvspan(len(buckets) - max(1, len(buckets) // 3) - 0.5, len(buckets) - 0.5, color="#eeeeee", zorder=0)
        ax.set_ylabel("% of papers in the bucket")
        ax.set_title(f"{'Rising' if key == 'rising' else 'Falling'} (papers earlier\u2192recent; recent shaded)", fontsize=10)
        ax.legend(fontsize=7.5, loc="upper left")
    fig.tight_layout()
    _save(fig, path)
    return path


def chart_communities(result: dict, path: Path, top: int = 15) -> Path | None:
    """Community sizes, stacked by concept type (None when there is no community)."""
    found = result["communities"][:top]
    if not found:
        return None
    fig = _figure(12, max(3.0, 0.9 + 0.35 * len(found)))
    ax = fig.add_subplot(1, 1, 1)
    names = [chart_text(f"{c['id'] + 1}. {c['name'][:60]}") for c in found][::-1]
    left = [0] * len(found)
    types = sorted({t for c in found for t in c["types"]}, key=type_order)
    for ctype in types:
        sizes = [c["types"].get(ctype, 0) for c in found][::-1]
        ax.barh(names, sizes, left=left, color=TYPE_COLOURS.get(ctype, OTHER_COLOUR), label=str(ctype))
        left = [a + b for a, b in zip(left, sizes)]
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("concepts")
    ax.set_title("Communities (Louvain on the concept graph), by size")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    return path


def write_report(G: nx.MultiDiGraph, folder: str | Path, top: int = 10, *, seed: int = 0, result: dict | None = None) -> Path:
    """Write ``folder/report.md`` and its charts (``folder/report_files/*.png``); return the report's path.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    folder : str or Path
        Where to write (created if needed).
    top : int
        Rows per ranking.
    seed : int
        Seed of the community detection.
    result : dict, optional
        The output of :func:`analysis`, if already computed.

    Returns
    -------
    Path

    Example
    -------
    >>> import tempfile
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("method/bert", kind="concept", type="METHOD", label="BERT", paper_count=4)
    >>> path = write_report(G, tempfile.mkdtemp())
    >>> path.name, (path.parent / "report_files" / "top-concepts.png").exists()
    ('report.md', True)
    """
    folder = Path(folder)
    result = analysis(G, top, seed=seed) if result is None else result
    charts = folder / CHART_FOLDER
    drawn = {
        "top-concepts": chart_top_concepts(G, result, charts / "top-concepts.png"),
        "trends": chart_trends(G, result, charts / "trends.png"),
        "communities": chart_communities(result, charts / "communities.png"),
        "changes": chart_changes(G, result, charts / "changes.png"),
    }
    captions = {
        "top-concepts": "Top concepts per type by papers",
        "trends": "Trend lines of the leading concepts",
        "communities": "Community sizes by concept type",
        "changes": "Shares of the strongest rising and falling concepts",
    }
    lines = ["# Knowledge graph report", ""]
    extractor = G.graph.get("extractor")
    if extractor:
        lines += [f"Extractor: {md_escape(extractor)}", ""]
    for title, note, headers, rows in _tables(G, result, top):
        lines += [f"## {md_escape(title)}", ""]
        if note:
            lines += [f"_{md_escape(note)}_", ""]
        lines += [_md_table(headers, rows) if rows else "(none)", ""]
        chart = {"Graph": "top-concepts", "Trends": "trends", "Communities": "communities", "Falling concepts": "changes"}.get(title)
        if chart and drawn[chart]:
            lines += [f"![{captions[chart]}]({CHART_FOLDER}/{drawn[chart].name})", ""]
        elif chart == "trends":
            lines += ["(no trend chart: the papers' dates fall into fewer than two buckets)", ""]
    path = folder / "report.md"
    atomic_write_text(path, "\n".join(lines))
    return path
