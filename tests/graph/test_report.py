"""kg.graph.report: the tables ``kg analyze`` prints and report.md with its charts."""

from __future__ import annotations

import re

import networkx as nx

from kg.cli import main
from kg.graph.io import write_node_link
from kg.graph.report import analysis, analysis_tables, md_escape, write_report

PNG = b"\x89PNG\r\n\x1a\n"


def test_tables_on_small_graph(small_graph):
    text = analysis_tables(small_graph, top=3)
    for title in ("Graph", "Top METHOD concepts", "Top DATASET concepts", "Top METRIC concepts", "Top TASK concepts",
                  "Strongest co-occurrence", "Communities", "Trends", "Rising concepts", "Connections"):
        assert re.search(rf"^{title}\b", text, re.M), title
    assert re.search(r"^papers\s+3$", text, re.M)
    assert re.search(r"^concepts: METHOD\s+3$", text, re.M)
    assert re.search(r"^relations: CO-OCCURS\s+1$", text, re.M)
    assert re.search(r"^\s*1\s+graph neural networks\s+2\s+graph neural networks\s+0\.\d{4}$", text, re.M)
    assert "Cora / graph neural networks / node classification" in text
    assert "graph neural networks -> node classification" in text


def test_report_writes_markdown_and_charts(synthetic, tmp_path):
    G = synthetic.synthetic_graph(400, 300, seed=8, hostile=True)
    path = write_report(G, tmp_path, top=5)
    assert path == tmp_path / "report.md"
    md = path.read_text(encoding="utf-8")
    for name in ("top-concepts", "trends", "communities"):
        png = tmp_path / "report_files" / f"{name}.png"
        assert png.read_bytes().startswith(PNG) and png.stat().st_size > 5000
        assert f"(report_files/{name}.png)" in md
    assert md.startswith("# Knowledge graph report")
    # Hostile labels are inert in Markdown: no raw tag, no broken table row.
    assert "<script" not in md and "<img" not in md and "<a " not in md
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "report_files"]


def test_report_tables_have_consistent_columns(synthetic, tmp_path):
    G = synthetic.synthetic_graph(200, 150, seed=3, hostile=True)
    md = write_report(G, tmp_path, top=4).read_text(encoding="utf-8")
    block = []
    for line in md.splitlines() + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in block}
            assert len(widths) == 1, block
            block = []


def test_report_without_dates_or_relations(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("p", kind="paper", title="T", abstract="A", date=None)
    G.add_node("method/x", kind="concept", type="METHOD", label="$\\alpha$-x_1 $", paper_count=1)
    G.add_edge("p", "method/x", key="mentions", kind="link", role="mentions", evidence=[])
    G.graph["evidence"] = {}
    md = write_report(G, tmp_path).read_text(encoding="utf-8")
    assert "no trend chart" in md
    assert (tmp_path / "report_files" / "top-concepts.png").exists()
    assert not (tmp_path / "report_files" / "trends.png").exists()
    assert "Communities" in md


def test_report_is_deterministic(synthetic, tmp_path):
    G = synthetic.synthetic_graph(300, 200, seed=12)
    a = write_report(G, tmp_path / "a").read_bytes()
    b = write_report(G, tmp_path / "b").read_bytes()
    assert a == b.replace(b"/b/", b"/a/")
    for name in ("top-concepts", "trends", "communities"):
        assert (tmp_path / "a" / "report_files" / f"{name}.png").read_bytes() == (tmp_path / "b" / "report_files" / f"{name}.png").read_bytes()


def test_md_escape():
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert md_escape("[link](http://x)") == "\\[link\\]\\(http://x\\)"
    assert md_escape("two\nlines") == "two lines"


def test_analysis_counts(small_graph):
    result = analysis(small_graph)
    assert result["counts"]["relations"] == {"CO-OCCURS": 1, "EVALUATE-FOR": 1, "HYPONYM-OF": 1, "USED-FOR": 2}
    assert result["counts"]["concept_pairs"] == 5
    assert result["cooccurrence"]["min_papers"] == 2


def test_kg_analyze_command(small_graph, tmp_path, capsys):
    graph = write_node_link(small_graph, tmp_path / "graph.json")
    assert main(["analyze", "--graph", str(graph), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "Top METHOD concepts" in out and f"wrote {tmp_path / 'report.md'}" in out
    assert (tmp_path / "report.md").exists() and (tmp_path / "report_files" / "top-concepts.png").exists()


def test_monthly_report_names_risers_and_keeps_charts_readable(tmp_path, monkeypatch):
    """report.md of a year of monthly papers: rising and falling tables with counts and shares,
    and no chart with more than 10 lines (5 per panel for the changes)."""
    import importlib.util
    from pathlib import Path

    from kg.graph import report

    spec = importlib.util.spec_from_file_location("t_analytics", Path(__file__).parent / "test_analytics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    G = module._monthly_graph()
    for c in ("m/flat", "m/up", "m/down", "m/blip"):
        G.nodes[c].update(label=c[2:], paper_count=1)
    lines_per_axis = {}
    save = report._save

    def counting_save(fig, path):
        lines_per_axis[path.name] = [len(ax.lines) for ax in fig.axes]
        save(fig, path)

    monkeypatch.setattr(report, "_save", counting_save)
    md = write_report(G, tmp_path).read_text(encoding="utf-8")
    assert "papers per month" in md and "2025\\-12" not in md.split("## Trends")[0]
    rising = md.split("## Rising concepts")[1].split("##")[0]
    falling = md.split("## Falling concepts")[1].split("##")[0]
    assert "| up | METHOD | 50 | 5.00 | 120 | 30.00 |" in rising
    assert "| down | METHOD |" in falling and "| up |" not in falling
    assert "(report_files/changes.png)" in md
    assert lines_per_axis["changes.png"] and max(lines_per_axis["changes.png"]) <= 5
    assert max(lines_per_axis["trends.png"]) <= 10
