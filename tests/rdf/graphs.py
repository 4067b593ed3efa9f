"""Graphs the RDF tests share: a hostile one (every kind of bad value a writer must survive)."""

from __future__ import annotations

from kg.models import Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation


def hostile_kg() -> KnowledgeGraph:
    """Quotes, control characters, a lone surrogate inside a quoted span, negative and reversed
    offsets, evidence with no spans, dangling references, a base-looking concept id."""
    text_title = 'T "q" \\ \x01\x7f'
    abstract = "Line one\r\nwith a \ud800 surrogate, \t tabs and «ünïcode» 😀. Second sentence here."
    p1 = Paper("doi:10.1/x y<z>", text_title, abstract, date="2021-02-30", date_text="Feb 30", authors=("A", "A", "B\n"),
               url="https://ex.org/a b", categories=("cs", "cs"), source_id="src", truncated=True)
    p2 = Paper("arxiv:2", "Second", "Short.", date="--02-29")
    text = p1.text
    s = text.index("surrogate")
    concepts = {
        "method/x": Concept("method/x", "METHOD", "X", aliases={"X": 3, "x": 1, "\ud800": 1}, acronym="X", paper_count=2,
                            mention_count=5, first_seen="2021", last_seen="2021-02"),
        "task/..": Concept("task/..", "TASK", "..", aliases={"..": 1}),
    }
    evidence = {
        "e1": Evidence("e1", p1.id, 0, len(text), ((s, s + 9), (len(p1.title) + 1, len(p1.title) + 5)), "rule:x [v]", 0.123456789),
        "e2": Evidence("e2", p1.id, 5, 2, (), "rule:y", 1),
        "e3": Evidence("e3", p1.id, 0, 3, ((-2, 1), (4, 2)), "rule:y", 0.5),
        "e#4": Evidence("e#4", "arxiv:404", 0, 1, ((0, 1),), "rule", 1.0),
        "e5": Evidence("e5", p2.id, 0, 6, ((0, 6),), "rule:z", 0.0),
    }
    links = [
        PaperLink(p1.id, "method/x", "proposes", 2, ["e1", "e2", "missing", "e#4"], 0.9),
        PaperLink(p1.id, "task/..", "addresses", 1, ["e3"], 1.0),
        PaperLink(p2.id, "method/x", "mentions", 1, ["e5", "e1"]),
        PaperLink(p2.id, "method/missing", "uses", 1, []),
        PaperLink(p2.id, "method/x", "cites", 1, []),
    ]
    relations = [
        Relation("method/x", "task/..", "USED-FOR", 3, 2, ["e1", "e3"], 0.7),
        Relation("method/x", "task/..", "HYPONYM-OF", 1, 1, [], 0.5),
        Relation("method/x", "task/..", "VARIANT-OF", 1, 1, ["e5"], 0.9),
        Relation("task/..", "method/nope", "USED-FOR", 1, 1, [], 0.5),
        Relation("task/..", "method/x", "BOGUS", 1, 1, [], 0.5),
    ]
    return KnowledgeGraph({p.id: p for p in (p1, p2)}, concepts, links, relations, evidence, extractor_version="kg 1 <x>")


def cooccurrence_kg() -> KnowledgeGraph:
    """A focus with nine co-occurrences: ties on papers and sentences broken by label, two
    concepts with one label (broken by IRI), a self co-occurrence, assertions in both
    directions of one pair, and a pair in neither order the focus is part of."""
    types = ("METHOD", "DATASET", "METRIC", "TASK")
    ids = [f"{types[i % 4].lower()}/c{i}" for i in range(9)]
    labels = ["b", "a", "a", "c", "zeta", "\u00e9", "B", "a", "d"]
    concepts = {"method/focus": Concept("method/focus", "METHOD", "focus", paper_count=9)}
    concepts.update({cid: Concept(cid, types[i % 4], labels[i], paper_count=1) for i, cid in enumerate(ids)})
    counts = [(3, 5), (3, 5), (3, 5), (3, 7), (1, 1), (2, 2), (3, 5), (1, 1), (2, 9)]
    relations = [Relation(*(("method/focus", cid) if i % 2 else (cid, "method/focus")), "CO-OCCURS", s, p)
                 for i, (cid, (p, s)) in enumerate(zip(ids, counts))]
    relations += [Relation(ids[1], "method/focus", "CO-OCCURS", 5, 3),  # the other direction of ids[1]'s
                  Relation("method/focus", "method/focus", "CO-OCCURS", 4, 2),
                  Relation(ids[2], ids[3], "CO-OCCURS", 1, 1)]
    paper = Paper("arxiv:1", "T", "A")
    return KnowledgeGraph({paper.id: paper}, concepts, [], relations, {})
