"""kg.graph.analytics on the shared small graph, on synthetic graphs and against brute force."""

from __future__ import annotations

import itertools
import math
import time

import networkx as nx
import pytest

from kg.graph import analytics as A

GNN = "method/graph-neural-networks"


def test_concept_papers_and_projection(small_graph):
    papers = A.concept_papers(small_graph)
    assert papers["dataset/cora"] == ["arxiv:2101.00001", "title:0123456789abcdef"]
    assert papers["metric/bleu"] == ["doi:10.1000/xyz,1"]
    C = A.concept_graph(small_graph)
    assert C.number_of_nodes() == 9  # isolated concepts are kept
    assert C.number_of_edges() == 5
    assert C.edges[GNN, "task/node-classification"]["types"] == ["USED-FOR"]
    assert C.edges[GNN, "dataset/cora"]["evidence"] == ["e16"]
    only_used_for = A.concept_graph(small_graph, relation_types={"USED-FOR"})
    assert only_used_for.number_of_edges() == 2


def test_projection_without_evidence_is_the_projection_less_its_evidence(synthetic):
    """The map's projection (no evidence ids gathered) equals the full one with them taken out:
    same nodes, edges, order, weights and types."""
    G = synthetic.synthetic_graph(200, 120, seed=5)
    full, bare = A.concept_graph(G), A.concept_graph(G, evidence=False)
    assert full.number_of_edges() > 50 and any(e for _, _, e in full.edges(data="evidence"))
    assert list(bare.nodes(data=True)) == list(full.nodes(data=True))
    assert list(bare.edges(data=True)) == [(u, v, {k: x for k, x in d.items() if k != "evidence"}) for u, v, d in full.edges(data=True)]


def test_top_concepts_by_papers_and_pagerank(small_graph):
    by_type = A.top_concepts_by_type(small_graph, 2)
    assert list(by_type) == ["METHOD", "DATASET", "METRIC", "TASK"]
    assert by_type["METHOD"] == [(GNN, 2), ("method/graphsage-x", 1)]
    assert by_type["TASK"][0] == ("task/node-classification", 2)
    pr = A.concept_pagerank(small_graph)
    assert math.isclose(sum(pr.values()), 1.0)
    assert A.top_concepts(small_graph, 1, by="pagerank")[0][0] == GNN  # the hub of the GNN cluster
    with pytest.raises(ValueError):
        A.top_concepts(small_graph, by="nonsense")


def test_cooccurrence_matches_brute_force(synthetic):
    G = synthetic.synthetic_graph(200, 120, seed=11)
    papers_of = A.concept_papers(G)
    n = sum(1 for _, k in G.nodes(data="kind") if k == "paper")
    concepts_of: dict[str, set[str]] = {}
    for c, ps in papers_of.items():
        for p in ps:
            concepts_of.setdefault(p, set()).add(c)
    expected = {}
    for cs in concepts_of.values():
        for a, b in itertools.combinations(sorted(cs), 2):
            expected[(a, b)] = expected.get((a, b), 0) + 1
    expected = {k: v for k, v in expected.items() if v >= 2}
    got = A.cooccurrence(G, min_papers=2)
    assert {(r["a"], r["b"]): r["papers"] for r in got} == expected
    for r in got:
        assert math.isclose(r["npmi"], A.npmi(r["papers"], len(papers_of[r["a"]]), len(papers_of[r["b"]]), n))
        assert -1.0 <= r["npmi"] <= 1.0 + 1e-12
    assert [r["npmi"] for r in got] == sorted((r["npmi"] for r in got), reverse=True)


def test_cooccurrence_on_small_graph(small_graph):
    pairs = A.cooccurrence(small_graph, min_papers=2)
    assert {(r["a"], r["b"]) for r in pairs} == {
        ("dataset/cora", GNN),
        ("dataset/cora", "task/node-classification"),
        (GNN, "task/node-classification"),
    }
    assert all(math.isclose(r["npmi"], 1.0) for r in pairs)  # always together
    assert A.cooccurrence(small_graph, min_papers=2, concepts=["dataset/cora", GNN]) == pairs[:1]


def test_npmi_bounds():
    assert A.npmi(0, 5, 5, 10) == -1.0
    assert A.npmi(5, 5, 5, 5) == 1.0
    assert abs(A.npmi(25, 50, 50, 100)) < 1e-12


def test_communities_are_deterministic_and_named(synthetic):
    G = synthetic.synthetic_graph(300, 200, topics=6, seed=2)
    first = A.communities(G, seed=7)
    again = A.communities(synthetic.synthetic_graph(300, 200, topics=6, seed=2), seed=7)
    assert first == again
    members = [m for c in first for m in c["members"]]
    assert len(members) == len(set(members))
    C = A.concept_graph(G)
    assert set(members) == {n for n in C if C.degree(n)}
    assert [c["size"] for c in first] == sorted((c["size"] for c in first), reverse=True)
    for c in first:
        top = c["members"][0]
        assert c["name"].startswith(G.nodes[top]["label"])
        assert c["size"] == len(c["members"]) == sum(c["types"].values())
    # The generator's topical clusters are recovered: most communities are dominated by one topic.
    topic = {c: int(c.split("/c")[1]) % 6 for c in members}
    purity = sum(max(sum(1 for m in c["members"] if topic[m] == t) for t in range(6)) for c in first) / len(members)
    assert purity > 0.7


def test_communities_on_small_graph(small_graph):
    found = A.communities(small_graph)
    assert [sorted(c["members"]) for c in found] == [
        ["dataset/cora", GNN, "method/graphsage-x", "task/node-classification"],
        ["method/transformers", "task/machine-translation"],
    ]
    assert A.community_of(found)["dataset/cora"] == 0


def test_ego_graph(small_graph):
    ego = A.ego_graph(small_graph, "method/graphsage-x", hops=1)
    assert sorted(ego) == ["dataset/cora", GNN, "method/graphsage-x"]
    assert ego.nodes[GNN]["hops"] == 1
    two = A.ego_graph(small_graph, "method/graphsage-x", hops=2)
    assert "task/node-classification" in two
    assert sorted(A.ego_graph(small_graph, "method/graphsage-x", hops=2, max_nodes=2)) == ["dataset/cora", "method/graphsage-x"]
    with pytest.raises(KeyError):
        A.ego_graph(small_graph, "arxiv:2101.00001")


def test_shortest_connection(small_graph):
    assert A.shortest_connection(small_graph, "method/graphsage-x", "task/node-classification") == [
        "method/graphsage-x", GNN, "task/node-classification"
    ]
    # Not related by any relation: through a paper they share (accuracy and Cora are both in p1).
    path = A.shortest_connection(small_graph, "metric/accuracy", "dataset/cora")
    assert path == ["metric/accuracy", "arxiv:2101.00001", "dataset/cora"]
    assert A.shortest_connection(small_graph, "metric/accuracy", "dataset/cora", through_papers=False) is None
    assert A.shortest_connection(small_graph, "method/transformers", "dataset/cora") is None
    steps = A.connection_steps(small_graph, path)
    assert steps[0]["edges"] == [("arxiv:2101.00001", "metric/accuracy", "reports", ["e4"])]


def test_shortest_connection_is_shortest(synthetic):
    G = synthetic.synthetic_graph(150, 100, seed=4)
    C = A.concept_graph(G)
    nodes = sorted(n for n in C if C.degree(n))
    for a, b in zip(nodes[:10], nodes[-10:]):
        path = A.shortest_connection(G, a, b, through_papers=False, C=C)
        if nx.has_path(C, a, b):
            assert len(path) - 1 == nx.shortest_path_length(C, a, b)
            assert all(C.has_edge(u, v) for u, v in zip(path, path[1:]))
        else:
            assert path is None


@pytest.mark.parametrize(
    "date, granularity, bucket",
    [
        ("2021-05-04", "year", "2021"),
        ("2021-05-04", "month", "2021-05"),
        ("2021-05-04", "day", "2021-05-04"),
        ("2021", "month", None),
        ("2021-05", "day", None),
        ("--08-05", "year", None),
        ("--08-05", "month", "--08"),
        ("--08-05", "day", "--08-05"),
        ("--08", "month", "--08"),
        ("Aug 5", "month", None),
        ("", "year", None),
        (None, "year", None),
    ],
)
def test_date_bucket_never_invents(date, granularity, bucket):
    assert A.date_bucket(date, granularity) == bucket


def test_trends_on_both_calendars():
    yearless = [f"--08-0{d}" for d in range(1, 6) for _ in range(3)]  # the Daily Papers listings
    assert A.trend_granularity(yearless) == ("day", False)
    assert A.trend_granularity(["2019", "2020", "2021", "2022", "--08-01"]) == ("year", True)
    assert A.trend_granularity(["2021-01", "2021-02", "2021-03", "2021-04"]) == ("month", True)

    G = nx.MultiDiGraph()
    G.add_node("m/a", kind="concept")
    for i, d in enumerate(yearless + ["2020-01", None]):
        G.add_node(f"p{i}", kind="paper", date=d)
        G.add_edge(f"p{i}", "m/a", kind="link")
    t = A.concept_trends(G)
    assert t["granularity"] == "day" and t["with_year"] is False
    assert t["buckets"] == ["--08-01", "--08-02", "--08-03", "--08-04", "--08-05"]
    assert t["papers"] == [3] * 5 and t["counts"]["m/a"] == [3] * 5
    assert t["set_aside"] == 1 and t["undated"] == 1


def test_trends_and_rising_on_small_graph(small_graph):
    t = A.concept_trends(small_graph)
    assert t["granularity"] == "year" and t["buckets"] == ["2021", "2022"]
    assert t["counts"][GNN] == [1, 0] and t["set_aside"] == 1
    rising = A.rising_concepts(small_graph, min_papers=1)
    assert {r["concept"] for r in rising} == {"method/transformers", "task/machine-translation", "metric/bleu", "dataset/wmt-14"}


def test_rising_concepts_finds_the_newcomer():
    G = nx.MultiDiGraph()
    for c in ("m/steady", "m/new"):
        G.add_node(c, kind="concept", type="METHOD")
    i = 0
    for year in range(2015, 2024):
        for _ in range(10):
            G.add_node(f"p{i}", kind="paper", date=str(year))
            G.add_edge(f"p{i}", "m/steady", kind="link")
            if year >= 2021 and i % 2:
                G.add_edge(f"p{i}", "m/new", kind="link")
            i += 1
    rising = A.rising_concepts(G, 5)
    assert rising[0]["concept"] == "m/new" and rising[0]["earlier"] == 0 and rising[0]["recent"] == 15
    steady = next(r for r in rising if r["concept"] == "m/steady")
    assert math.isclose(steady["growth"], 1.0, rel_tol=0.05)
    assert A.rising_concepts(G, 5, type="DATASET") == []


def test_concept_evidence_quotes_sentences_with_titles(small_graph):
    ev = A.concept_evidence(small_graph, GNN)
    assert [e["paper"] for e in ev] == ["arxiv:2101.00001", "title:0123456789abcdef"]
    assert ev[0]["sentence"] == 'We propose GraphSAGE-X, a "fast" graph neural network (GNN).'
    assert ev[1]["title"] == "Graph neural networks, revisited"
    transformers = A.concept_evidence(small_graph, "method/transformers")
    assert transformers[0]["title"].startswith("<script>")
    assert len(A.concept_evidence(small_graph, GNN, limit=1)) == 1


@pytest.mark.slow
def test_analytics_scale_to_a_large_graph(synthetic):
    """20k papers, 8k concepts: every function finishes; the timings are printed (run with -s)."""
    t0 = time.perf_counter()
    G = synthetic.synthetic_graph(20_000, 8_000, topics=40, seed=9)
    timings = {"generate": time.perf_counter() - t0}

    def timed(name, fn):
        t = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - t
        return out

    C = timed("concept_graph", lambda: A.concept_graph(G))
    timed("pagerank", lambda: A.concept_pagerank(G, C=C))
    pairs = timed("cooccurrence", lambda: A.cooccurrence(G, min_papers=3))
    found = timed("communities", lambda: A.communities(G, C=C))
    trends = timed("trends", lambda: A.concept_trends(G))
    timed("rising", lambda: A.rising_concepts(G, trends=trends))
    a, b = sorted(C)[0], sorted(C)[-1]
    timed("shortest_connection", lambda: A.shortest_connection(G, a, b, C=C))
    print("\nanalytics on", G.number_of_nodes(), "nodes /", G.number_of_edges(), "edges:",
          ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
    assert pairs and found and trends["buckets"]


def _monthly_graph() -> nx.MultiDiGraph:
    """A year of monthly papers, June three times as busy: 'm/flat' keeps a 20% share, 'm/up'
    grows from 5% to 30%, 'm/down' shrinks from 30% to 5%, 'm/blip' goes from 0 to 3 papers;
    one stray paper from a year earlier."""
    G = nx.MultiDiGraph()
    for c in ("m/flat", "m/up", "m/down", "m/blip"):
        G.add_node(c, kind="concept", type="METHOD")
    i = 0
    for month in range(1, 13):
        n = 300 if month == 6 else 100
        late = month >= 9
        for k in range(n):
            p = f"p{i}"
            G.add_node(p, kind="paper", date=f"2025-{month:02d}-{1 + k % 28:02d}")
            if k % 5 == 0:
                G.add_edge(p, "m/flat", kind="link")
            if k % 100 < (30 if late else 5):
                G.add_edge(p, "m/up", kind="link")
            if k % 100 < (5 if late else 30):
                G.add_edge(p, "m/down", kind="link")
            if month == 12 and k < 3:
                G.add_edge(p, "m/blip", kind="link")
            i += 1
    G.add_node("stray", kind="paper", date="2024-02-01")
    G.add_edge("stray", "m/up", kind="link")
    return G


def test_trends_by_month_normalised_with_risers_and_fallers():
    G = _monthly_graph()
    t = A.concept_trends(G)
    # Months for a year of papers; the stray month with one paper is set aside, not a bucket.
    assert t["granularity"] == "month" and t["buckets"] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert t["sparse"] == 1
    assert A.trend_granularity([f"{y}-05-01" for y in range(1987, 2020)]) == ("year", True)
    ch = A.concept_changes(G, trends=t, min_papers=3)
    assert ch["earlier"] == ("2025-01", "2025-08") and ch["recent"] == ("2025-09", "2025-12")
    rising = [r["concept"] for r in ch["rising"]]
    falling = [r["concept"] for r in ch["falling"]]
    # June's extra papers do not make anything rise: shares are per paper of each period.
    assert "m/flat" not in rising + falling
    # A big, well-supported change outranks a jump from 0 to 3 papers.
    assert rising[:2] == ["m/up", "m/blip"] and falling == ["m/down"]
    up = ch["rising"][0]
    assert (up["earlier"], up["recent"]) == (5 * 7 + 15, 4 * 30)
    assert math.isclose(up["recent_share"], 0.30) and math.isclose(up["earlier_share"], 50 / 1000)
