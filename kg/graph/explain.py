"""``kg explain A B``: why two concepts are connected, with the sentences that say so.

:func:`explain` gathers every relation between the two concepts, in either direction, each
with its evidence sentences and paper titles; when there is none, the shortest connection
through other concepts (then through shared papers), step by step with evidence, and the
papers that mention both. :func:`format_explanation` prints it for people.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.graph.analytics import connection_steps, shortest_connection
from kg.graph.build import evidence_sentence
from kg.models import RELATION_TYPES

_TYPE_ORDER = {t: i for i, t in enumerate(RELATION_TYPES)}


def _concept(G: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    attrs = G.nodes[node]
    return {"id": node, "label": attrs.get("label", node), "type": attrs.get("type")}


def _evidence(G: nx.MultiDiGraph, ids: list[str], limit: int) -> list[dict[str, Any]]:
    """Evidence records as dicts with the sentence, quotes and paper title (unknown ids skipped)."""
    table = G.graph.get("evidence", {})
    out = []
    for eid in ids:
        ev = table.get(eid)
        if ev is None or ev["paper"] not in G:
            continue
        paper_id, sentence = evidence_sentence(G, eid)
        paper = G.nodes[paper_id]
        text = f"{paper.get('title', '')}\n{paper.get('abstract', '')}"
        out.append(
            {
                "id": eid,
                "paper": paper_id,
                "title": paper.get("title", ""),
                "sentence": " ".join(sentence.split()),
                "quotes": [text[s:e] for s, e in ev.get("spans", [])],
                "method": ev.get("method"),
                "confidence": ev.get("confidence"),
            }
        )
        if len(out) >= limit:
            break
    return out


def _relations_between(G: nx.MultiDiGraph, a: str, b: str, limit: int) -> list[dict[str, Any]]:
    found = []
    for u, v in ((a, b), (b, a)):
        for attrs in (G.get_edge_data(u, v) or {}).values():
            if attrs.get("kind") != "relation":
                continue
            found.append(
                {
                    "source": u,
                    "target": v,
                    "type": attrs.get("type"),
                    "count": attrs.get("count", 0),
                    "papers": attrs.get("papers", 0),
                    "confidence": attrs.get("confidence"),
                    "evidence": _evidence(G, list(attrs.get("evidence", [])), limit),
                }
            )
    found.sort(key=lambda r: (_TYPE_ORDER.get(r["type"], len(_TYPE_ORDER)), r["source"] != a, r["type"]))
    return found


def _papers_of(G: nx.MultiDiGraph, concept: str) -> set[str]:
    return {u for u, _, attrs in G.in_edges(concept, data=True) if attrs.get("kind") == "link"}


def explain(G: nx.MultiDiGraph, a: str, b: str, limit: int = 10) -> dict[str, Any]:
    """Everything the graph knows that connects concepts ``a`` and ``b``.

    Parameters
    ----------
    G : a graph from :func:`kg.graph.build.to_networkx`.
    a, b : concept node ids (see :func:`kg.graph.lookup.find_concept`).
    limit : most evidence sentences per relation or step, and most shared papers listed.

    Returns
    -------
    dict with ``a`` and ``b`` (id, label, type), ``relations`` (every relation between them in
    either direction: source, target, type, count, papers, confidence, evidence), ``path`` (the
    shortest connection when there is no direct relation, else None), ``steps`` (the edges and
    evidence of each step of the path) and ``shared_papers`` (id and title of papers that
    mention both).

    Raises
    ------
    KeyError
        ``a`` or ``b`` is not a concept of ``G``.

    Example
    -------
    >>> G = nx.MultiDiGraph(evidence={})
    >>> G.add_node("p", kind="paper", title="T", abstract="GNNs on Cora.")
    >>> G.add_node("m/gnn", kind="concept", label="GNN"); G.add_node("d/cora", kind="concept", label="Cora")
    >>> G.graph["evidence"]["e1"] = {"paper": "p", "sentence": [2, 15], "spans": [[2, 6], [10, 14]], "method": "r", "confidence": 1.0}
    >>> _ = G.add_edge("m/gnn", "d/cora", key="CO-OCCURS", kind="relation", type="CO-OCCURS", count=1, papers=1, evidence=["e1"])
    >>> r = explain(G, "d/cora", "m/gnn")
    >>> [(x["source"], x["type"], x["evidence"][0]["sentence"]) for x in r["relations"]]
    [('m/gnn', 'CO-OCCURS', 'GNNs on Cora.')]
    """
    for node in (a, b):
        if node not in G or G.nodes[node].get("kind") != "concept":
            raise KeyError(f"{node!r} is not a concept of the graph")
    relations = _relations_between(G, a, b, limit)
    path = None
    steps: list[dict[str, Any]] = []
    if not relations and a != b:
        path = shortest_connection(G, a, b)
        if path is not None:
            for step in connection_steps(G, path):
                edges = [
                    {"source": s, "target": t, "label": label, "evidence": _evidence(G, ids, 1)}
                    for s, t, label, ids in step["edges"]
                ]
                edges.sort(key=lambda e: (_TYPE_ORDER.get(e["label"], len(_TYPE_ORDER)), e["source"], e["target"]))
                steps.append({"source": step["source"], "target": step["target"], "edges": edges[:limit]})
    shared = sorted(_papers_of(G, a) & _papers_of(G, b))
    return {
        "a": _concept(G, a),
        "b": _concept(G, b),
        "relations": relations,
        "path": path,
        "steps": steps,
        "shared_papers": [{"id": p, "title": G.nodes[p].get("title", "")} for p in shared[:limit]],
        "shared_paper_count": len(shared),
    }


def _name(G: nx.MultiDiGraph, node: str) -> str:
    attrs = G.nodes[node]
    if attrs.get("kind") == "paper":
        return f"paper “{attrs.get('title', node)}”"
    return str(attrs.get("label", node))


def _evidence_lines(evidence: list[dict[str, Any]], indent: str) -> list[str]:
    lines = []
    for ev in evidence:
        lines.append(f"{indent}- \"{ev['sentence']}\"")
        lines.append(f"{indent}  {ev['title']} [{ev['paper']}] · {ev['method']}")
    return lines


def format_explanation(G: nx.MultiDiGraph, result: dict[str, Any]) -> str:
    """The result of :func:`explain` as text for a terminal.

    Example
    -------
    >>> G = nx.MultiDiGraph(evidence={})
    >>> G.add_node("a", kind="concept", label="A", type="METHOD"); G.add_node("b", kind="concept", label="B", type="TASK")
    >>> print(format_explanation(G, explain(G, "a", "b")))
    A (a, METHOD) and B (b, TASK)
    No relation and no connection between them in this graph.
    """
    a, b = result["a"], result["b"]
    lines = [f"{a['label']} ({a['id']}, {a['type']}) and {b['label']} ({b['id']}, {b['type']})"]
    for rel in result["relations"]:
        src, dst = _name(G, rel["source"]), _name(G, rel["target"])
        conf = f", confidence {rel['confidence']:.2f}" if isinstance(rel.get("confidence"), (int, float)) else ""
        lines.append("")
        lines.append(f"{src} -[{rel['type']}]-> {dst}  ({rel['count']} sentence(s), {rel['papers']} paper(s){conf})")
        lines.extend(_evidence_lines(rel["evidence"], "  "))
        if not rel["evidence"]:
            lines.append("  (no evidence sentence recorded)")
    if not result["relations"]:
        if result["path"]:
            hops = len(result["path"]) - 1
            lines.append(f"No direct relation. Shortest connection ({hops} step(s)): " + " - ".join(_name(G, n) for n in result["path"]))
            for step in result["steps"]:
                lines.append("")
                lines.append(f"{_name(G, step['source'])} - {_name(G, step['target'])}:")
                for edge in step["edges"]:
                    lines.append(f"  {_name(G, edge['source'])} -[{edge['label']}]-> {_name(G, edge['target'])}")
                    lines.extend(_evidence_lines(edge["evidence"], "    "))
        else:
            lines.append("No relation and no connection between them in this graph.")
    if result["shared_paper_count"]:
        lines.append("")
        lines.append(f"Papers mentioning both ({result['shared_paper_count']}):")
        for p in result["shared_papers"]:
            lines.append(f"  - {p['title']} [{p['id']}]")
    return "\n".join(lines)
