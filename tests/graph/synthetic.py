"""A seeded generator of realistic-looking knowledge graphs for analytics and map tests.

The bundled sample is one fixed size; analytics and maps must also behave on graphs with
thousands of concepts. This builds a :class:`~kg.models.KnowledgeGraph` with topical clusters
(each paper draws most of its concepts from one topic, by Zipf-like popularity), all four
concept types, paper links with evidence sentences that really quote the paper text,
co-occurrence and typed relations, and dates on both calendars (``YYYY-MM`` and ``--MM-DD``).
With ``hostile=True`` labels, aliases, titles and sentences carry markup that must stay text.

Loaded by the conftest files of tests/graph and tests/render (they are not a package).
"""

from __future__ import annotations

import random
from collections import defaultdict

from kg.models import LABELS, BuildStats, Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation

HOSTILE = (
    "<script>window.__xss=1;alert(1)</script>",
    "</script><script>window.__xss=2</script>",
    '<img src=x onerror="window.__xss=3">',
    '<a href="javascript:window.__xss=4">href</a>',
    "\u2028line\u2029sep & <b>bold</b>",
)

_WORDS = {
    "METHOD": ("net", "former", "GAN", "BERT", "flow", "VAE", "diffusion", "attention", "LSTM", "boost"),
    "DATASET": ("Bench", "Set", "QA", "Corpus", "Net", "Data", "-1K", "Eval", "Web", "Scenes"),
    "METRIC": ("accuracy", "F1", "BLEU", "recall", "mAP", "perplexity", "AUC", "ROUGE", "error", "IoU"),
    "TASK": ("classification", "detection", "translation", "segmentation", "retrieval", "generation", "parsing", "tracking", "summarisation", "reasoning"),
}


def synthetic_kg(
    n_papers: int = 400,
    n_concepts: int = 300,
    *,
    topics: int = 8,
    seed: int = 0,
    hostile: bool = False,
    yearless_share: float = 0.1,
) -> KnowledgeGraph:
    """A random but reproducible knowledge graph (same arguments, same graph)."""
    rng = random.Random(seed)
    concepts: dict[str, Concept] = {}
    by_topic: dict[int, list[str]] = defaultdict(list)
    popularity: dict[str, float] = {}
    for i in range(n_concepts):
        ctype = LABELS[i % len(LABELS)] if i % 5 else "METHOD"
        word = rng.choice(_WORDS[ctype])
        label = f"{ctype.lower()[:3]}{i} {word}"
        if hostile and i % 7 == 3:
            label = f"{label} {HOSTILE[i % len(HOSTILE)]}"
        cid = f"{ctype.lower()}/c{i}"
        aliases = {label: 1, label.upper(): 1}
        if hostile and i % 11 == 5:
            aliases[HOSTILE[(i + 1) % len(HOSTILE)]] = 1
        concepts[cid] = Concept(cid, ctype, label, aliases=aliases)
        topic = i % topics
        by_topic[topic].append(cid)
        popularity[cid] = 1.0 / (1 + i // topics) ** 1.1
    all_ids = sorted(concepts)
    cumulative = {}
    for key, ids in [*by_topic.items(), ("all", all_ids)]:
        total, cum = 0.0, []
        for c in ids:
            total += popularity[c]
            cum.append(total)
        cumulative[key] = cum

    papers: dict[str, Paper] = {}
    links: list[PaperLink] = []
    evidence: dict[str, Evidence] = {}
    rel_count: dict[tuple[str, str, str], list] = {}
    concept_papers: dict[str, set[str]] = defaultdict(set)
    concept_mentions: dict[str, int] = defaultdict(int)
    concept_dates: dict[str, list[str]] = defaultdict(list)

    for p in range(n_papers):
        pid = f"arxiv:2000.{p:05d}"
        topic = rng.randrange(topics)
        pool = by_topic[topic]
        k = rng.randint(3, 8)
        chosen: list[str] = []
        while len(chosen) < min(k, len(pool)):
            key = topic if rng.random() < 0.85 else "all"
            source = pool if key == topic else all_ids
            cid = rng.choices(source, cum_weights=cumulative[key])[0]
            if cid not in chosen:
                chosen.append(cid)
        title = f"Paper {p} on {concepts[chosen[0]].label}"
        if hostile and p % 13 == 1:
            title = f"{HOSTILE[p % len(HOSTILE)]} {title}"
        sentences = []
        for a, b in zip(chosen[::2], chosen[1::2] + [chosen[0]]):
            sentence = f"We use {concepts[a].label} with {concepts[b].label}."
            if hostile and p % 9 == 2:
                sentence = f"{sentence[:-1]} {HOSTILE[(p + 2) % len(HOSTILE)]}."
            sentences.append((sentence, a, b))
        abstract = " ".join(s for s, _, _ in sentences)
        if rng.random() < yearless_share:
            date = f"--{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        else:
            date = f"{rng.randint(2015, 2023)}-{rng.randint(1, 12):02d}"
        paper = Paper(id=pid, title=title, abstract=abstract, date=date, arxiv_id=pid[6:])
        papers[pid] = paper
        text = paper.text
        offset = len(title) + 1
        sentence_spans = []
        for sentence, a, b in sentences:
            sentence_spans.append((offset, offset + len(sentence), a, b))
            offset += len(sentence) + 1
        for cid in chosen:
            for s, e, a, b in sentence_spans:
                if cid in (a, b):
                    label = concepts[cid].label
                    start = text.index(label, s)
                    eid = f"ev:{pid}:{cid}"
                    evidence[eid] = Evidence(eid, pid, s, e, ((start, start + len(label)),), "synthetic", 0.9)
                    role = rng.choice(("mentions", "uses", "proposes", "evaluates_on"))
                    links.append(PaperLink(pid, cid, role, 1, [eid], 0.9))
                    break
            concept_papers[cid].add(pid)
            concept_mentions[cid] += 1
            concept_dates[cid].append(date)
        for s, e, a, b in sentence_spans:
            if a == b:
                continue
            eid = f"ev:{pid}:{a}:{b}"
            evidence[eid] = Evidence(eid, pid, s, e, (), "synthetic", 0.8)
            rtype = "USED-FOR" if concepts[a].type == "METHOD" and concepts[b].type == "TASK" else "CO-OCCURS"
            entry = rel_count.setdefault((a, b, rtype), [0, set(), []])
            entry[0] += 1
            entry[1].add(pid)
            if len(entry[2]) < 5:
                entry[2].append(eid)

    for cid, concept in concepts.items():
        concept.paper_count = len(concept_papers[cid])
        concept.mention_count = concept_mentions[cid]
        dated = sorted(d for d in concept_dates[cid] if not d.startswith("--"))
        concept.first_seen = dated[0] if dated else None
        concept.last_seen = dated[-1] if dated else None
    # Concepts no paper drew stay out of the graph, as in a real build.
    concepts = {cid: c for cid, c in concepts.items() if c.paper_count}
    relations = [
        Relation(a, b, rtype, count, len(pids), eids, 0.8)
        for (a, b, rtype), (count, pids, eids) in sorted(rel_count.items())
        if a in concepts and b in concepts
    ]
    stats = BuildStats(records_read=n_papers, papers=n_papers)
    return KnowledgeGraph(papers, concepts, links, relations, evidence, stats, extractor_version="synthetic 0")


def synthetic_graph(*args, **kwargs):
    """The NetworkX view of :func:`synthetic_kg`."""
    from kg.graph.build import to_networkx

    return to_networkx(synthetic_kg(*args, **kwargs))
