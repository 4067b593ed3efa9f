"""Evidence for display: the sentences that show what the graph says about one concept, from
distinct papers and strongest role first.
"""

from __future__ import annotations

import networkx as nx

#: How a paper's role towards a concept ranks when choosing evidence to show (strongest first).
ROLE_ORDER: tuple[str, ...] = ("proposes", "uses", "evaluates_on", "addresses", "reports", "mentions")


def concept_evidence(G: nx.MultiDiGraph, concept: str, limit: int = 5) -> list[dict]:
    """Up to ``limit`` evidence sentences for a concept, from distinct papers where possible.

    Links with a stronger role (proposes, uses, ...) come first, then papers by id. Used by the
    maps' tooltips and the report.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    concept : str
        A concept node id.
    limit : int
        Most sentences returned.

    Returns
    -------
    list of dict
        ``{"paper", "title", "date", "role", "sentence"}``.

    Example
    -------
    >>> from kg.graph.build import to_networkx
    >>> from kg.models import KnowledgeGraph, Paper, Concept, PaperLink, Evidence
    >>> kg = KnowledgeGraph(papers={"p": Paper(id="p", title="T", abstract="We use BERT.")},
    ...     concepts={"method/bert": Concept(id="method/bert", type="METHOD", label="BERT")},
    ...     links=[PaperLink("p", "method/bert", "uses", 1, ["e1"])],
    ...     evidence={"e1": Evidence("e1", "p", 2, 14, ((9, 13),), "rule", 1.0)})
    >>> concept_evidence(to_networkx(kg), "method/bert")[0]["sentence"]
    'We use BERT.'
    """
    from kg.graph.build import evidence_sentence

    table = G.graph.get("evidence", {})
    order = {role: i for i, role in enumerate(ROLE_ORDER)}
    candidates = []
    for paper, _, attrs in G.in_edges(concept, data=True):
        if attrs.get("kind") != "link":
            continue
        rank = order.get(attrs.get("role"), len(order))
        for eid in attrs.get("evidence", []):
            if eid in table and table[eid].get("paper") in G:
                candidates.append((rank, paper, eid, attrs.get("role")))
    candidates.sort()
    chosen, seen_papers, seen_sentences = [], set(), set()
    for pass_ in (0, 1):  # first one sentence per paper, then fill up with more from the same papers
        for rank, paper, eid, role in candidates:
            if len(chosen) >= limit:
                break
            if (pass_ == 0 and paper in seen_papers) or eid in seen_sentences:
                continue
            paper_id, sentence = evidence_sentence(G, eid)
            key = (paper_id, sentence)
            if key in seen_sentences:
                continue
            seen_sentences.update({eid, key})
            seen_papers.add(paper)
            node = G.nodes[paper_id]
            chosen.append({"paper": paper_id, "title": node.get("title", ""), "date": node.get("date"), "role": role, "sentence": sentence})
    return chosen
