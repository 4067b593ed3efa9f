"""Realistic synthetic :class:`~kg.models.KnowledgeGraph`\\ s of any size, for scale tests and benchmarks.

Real corpora cannot be shipped at 10^5 papers, so :func:`synthetic_kg` generates one with the
shape kg's builds have: four concept types whose use follows a Zipf-like law (a few methods and
datasets in most papers, a long tail seen once), papers whose abstracts are real sentences
naming their concepts ("We propose X.", "We evaluate X on D, reporting M."), paper links with
roles and counts, corpus-level relations (USED-FOR, EVALUATE-FOR, MEASURED-BY, CO-OCCURS,
HYPONYM-OF) with a bounded evidence sample, and evidence whose offsets quote the text exactly.
Everything is seeded: the same arguments give the same graph. Ids are distinct per paper, so
graphs scale without collapsing. Not part of kg: the tests import it (``from ..synthetic_kg
import synthetic_kg``) and the benchmark scripts put ``tests/`` on their path.

Example
-------
>>> kg = synthetic_kg(20, seed=1)
>>> len(kg.papers), all(kg.quote(ev) for ev in kg.evidence.values())
(20, True)
"""

from __future__ import annotations

import random
from collections import defaultdict

from kg.models import Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation

_WORDS = (
    "graph neural attention contrastive sparse deep latent diffusion adversarial recurrent transformer "
    "federated bayesian variational spectral kernel hierarchical residual dynamic causal robust "
    "multimodal efficient scalable temporal hybrid quantum probabilistic adaptive structured implicit"
).split()
_HEADS = {
    "METHOD": ("network", "model", "encoder", "learning", "optimizer", "sampler", "regularization"),
    "DATASET": ("corpus", "benchmark", "dataset", "bank", "collection"),
    "METRIC": ("accuracy", "F1", "score", "error", "recall", "precision"),
    "TASK": ("classification", "translation", "segmentation", "detection", "retrieval", "generation", "parsing"),
}
_SHARE = {"METHOD": 0.45, "DATASET": 0.2, "METRIC": 0.1, "TASK": 0.25}
_MAX_EVIDENCE = 3


def _zipf_index(rng: random.Random, n: int) -> int:
    """An index in [0, n) drawn with probability roughly proportional to 1 / (rank + 1)."""
    return min(int(rng.paretovariate(1.1)) - 1, n - 1)


def _concepts(n_concepts: int, rng: random.Random) -> dict[str, list[Concept]]:
    pools: dict[str, list[Concept]] = {}
    for label_type, share in _SHARE.items():
        pool = []
        seen = set()
        for i in range(max(2, int(n_concepts * share))):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 2))] + [rng.choice(_HEADS[label_type])]
            label = " ".join(words)
            if label in seen:
                label = f"{label} {i}"
            seen.add(label)
            slug = label.lower().replace(" ", "-")
            acronym = "".join(w[0] for w in label.split() if w[0].isalpha()).upper()
            cid = f"{label_type.lower()}/{slug}"
            pool.append(Concept(cid, label_type, label, aliases={label: 0}, acronym=acronym if len(acronym) > 1 else None))
        pools[label_type] = pool
    return pools


def synthetic_kg(n_papers: int, *, seed: int = 0, concepts_per_paper: float = 0.5, extractor_version: str = "kg-synthetic 1") -> KnowledgeGraph:
    """A seeded synthetic knowledge graph of ``n_papers`` papers (see the module doc).

    Parameters
    ----------
    n_papers : number of papers.
    seed : random seed; the same seed gives the same graph.
    concepts_per_paper : size of the concept vocabulary relative to the number of papers.

    Returns
    -------
    KnowledgeGraph with about 8 links, 9 evidence records and 150-200 RDF triples per paper.
    """
    rng = random.Random(seed)
    pools = _concepts(max(8, int(n_papers * concepts_per_paper)), rng)
    papers: dict[str, Paper] = {}
    links: list[PaperLink] = []
    evidence: dict[str, Evidence] = {}
    rel_support: dict[tuple[str, str, str], list] = defaultdict(list)  # (src, type, tgt) -> [paper ids, evidence ids]
    concept_papers: dict[str, set[str]] = defaultdict(set)
    concept_dates: dict[str, list[str]] = defaultdict(list)

    def pick(label_type: str) -> Concept:
        pool = pools[label_type]
        return pool[_zipf_index(rng, len(pool))]

    for i in range(n_papers):
        pid = f"arxiv:{2000 + i // 10000:04d}.{i % 10000:05d}" if i % 3 else f"doi:10.5555/syn.{i}/{seed}"
        method, used, dataset, metric, task = pick("METHOD"), pick("METHOD"), pick("DATASET"), pick("METRIC"), pick("TASK")
        if used.id == method.id:
            used = pools["METHOD"][(pools["METHOD"].index(method) + 1) % len(pools["METHOD"])]
        year, month, day = 2019 + i % 6, 1 + i % 12, 1 + i % 28
        date = (f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}", f"{year}", f"--{month:02d}-{day:02d}")[i % 4]
        title = f"{method.label.capitalize()} for {task.label}"
        alias_used = used.acronym if used.acronym and rng.random() < 0.5 else used.label
        sentences = [
            f"We propose {method.label}, a new approach to {task.label}.",
            f"It builds on {alias_used} and is evaluated on {dataset.label}.",
            f"Results in terms of {metric.label} show that {method.label} outperforms {alias_used}.",
        ]
        abstract = " ".join(sentences)
        paper = Paper(pid, title, abstract, source_id=str(i), date=date, authors=(f"Author {i % 97}", f"Author {(i * 7) % 89}"))
        papers[pid] = paper
        text = paper.text
        spans: list[tuple[int, int]] = []
        offset = len(title) + 1
        for sentence in sentences:
            spans.append((offset, offset + len(sentence)))
            offset += len(sentence) + 1

        def evidence_for(sentence: int, *quotes: str, method_name: str, confidence: float) -> str:
            s, e = spans[sentence]
            positions = []
            for q in quotes:
                start = text.index(q, s, e)
                positions.append((start, start + len(q)))
            eid = f"{pid}#e{len(evidence)}"
            evidence[eid] = Evidence(eid, pid, s, e, tuple(positions), method_name, confidence)
            return eid

        roles = (
            (method, "proposes", 0, method.label, 2),
            (used, "uses", 1, alias_used, 2),
            (dataset, "evaluates_on", 1, dataset.label, 1),
            (metric, "reports", 2, metric.label, 1),
            (task, "addresses", 0, task.label, 2),
            (task, "mentions", 0, task.label, 1),
        )
        for concept, role, sentence, quote, count in roles:
            eid = evidence_for(sentence, quote, method_name=f"rule:{role}", confidence=0.8)
            links.append(PaperLink(pid, concept.id, role, count, [eid], 0.8 if role != "mentions" else 1.0))
            concept_papers[concept.id].add(pid)
            concept_dates[concept.id].append(date)
            concept.mention_count += count
            form = alias_used if concept is used else concept.label
            concept.aliases[form] = concept.aliases.get(form, 0) + count
        for key, sentence, quotes in (
            ((method.id, "USED-FOR", task.id), 0, (method.label, task.label)),
            ((dataset.id, "EVALUATE-FOR", used.id), 1, (alias_used, dataset.label)),
            ((used.id, "CO-OCCURS", dataset.id), 1, (alias_used, dataset.label)),
            ((method.id, "COMPARE", used.id), 2, (method.label, alias_used)),
            ((method.id, "MEASURED-BY", metric.id), 2, (metric.label, method.label)),
        ):
            support = rel_support[key]
            if len(support) < _MAX_EVIDENCE:
                support.append(evidence_for(sentence, *quotes, method_name=f"rule:{key[1].lower()}", confidence=0.6))
            else:
                support.append(None)
            support_papers = rel_support.setdefault((*key, "papers"), [])
            support_papers.append(pid)

    concepts: dict[str, Concept] = {}
    for pool in pools.values():
        for concept in pool:
            if concept.id in concept_papers:
                concept.aliases = {form: n for form, n in concept.aliases.items() if n}
                concept.paper_count = len(concept_papers[concept.id])
                dates = sorted(concept_dates[concept.id])
                concept.first_seen, concept.last_seen = dates[0], dates[-1]
                concepts[concept.id] = concept
    relations = []
    for key, support in rel_support.items():
        if len(key) == 4:
            continue
        source, rtype, target = key
        paper_ids = rel_support[(*key, "papers")]
        relations.append(Relation(source, target, rtype, len(support), len(set(paper_ids)),
                                  [e for e in support if e][: _MAX_EVIDENCE], 0.6))
    # a little hierarchy: every 10th method is a kind of the most used one
    methods = sorted((c for c in concepts.values() if c.type == "METHOD"), key=lambda c: (-c.paper_count, c.id))
    for child in methods[1::10]:
        relations.append(Relation(child.id, methods[0].id, "HYPONYM-OF", 1, 1, [], 0.5))
    relations.sort(key=lambda r: (r.source, r.type, r.target))
    return KnowledgeGraph(papers, concepts, links, relations, evidence, extractor_version=extractor_version)


def kg_from_graph(G) -> KnowledgeGraph:
    """The :class:`KnowledgeGraph` behind a NetworkX graph of :func:`kg.graph.build.to_networkx`
    (e.g. a loaded ``graph.json``), so that a real build can be re-written or scaled without
    running extraction again."""
    papers, concepts, links, relations = {}, {}, [], []
    for node, a in G.nodes(data=True):
        if a.get("kind") == "paper":
            papers[node] = Paper(node, a["title"], a["abstract"], date=a.get("date"), date_text=a.get("date_text"),
                                 authors=tuple(a.get("authors") or ()), venue=a.get("venue"), doi=a.get("doi"),
                                 arxiv_id=a.get("arxiv_id"), url=a.get("url"), categories=tuple(a.get("categories") or ()))
        elif a.get("kind") == "concept":
            concepts[node] = Concept(node, a["type"], a["label"], aliases={f: n for f, n in a.get("aliases") or ()},
                                     acronym=a.get("acronym"), paper_count=a.get("paper_count", 0),
                                     mention_count=a.get("mention_count", 0), first_seen=a.get("first_seen"),
                                     last_seen=a.get("last_seen"))
    for u, v, a in G.edges(data=True):
        if a.get("kind") == "link":
            links.append(PaperLink(u, v, a["role"], a["count"], list(a.get("evidence") or ()), a.get("confidence", 1.0)))
        elif a.get("kind") == "relation":
            relations.append(Relation(u, v, a["type"], a["count"], a["papers"], list(a.get("evidence") or ()), a.get("confidence", 1.0)))
    evidence = {
        eid: Evidence(eid, e["paper"], e["sentence"][0], e["sentence"][1], tuple(tuple(s) for s in e["spans"]), e["method"], e["confidence"])
        for eid, e in (G.graph.get("evidence") or {}).items()
    }
    return KnowledgeGraph(papers, concepts, links, relations, evidence, extractor_version=G.graph.get("extractor", ""))


def scale_kg(kg: KnowledgeGraph, copies: int, *, shared_min_papers: int = 3) -> KnowledgeGraph:
    """``kg`` repeated ``copies`` times with distinct paper and evidence ids, like a larger corpus.

    Concepts seen in at least ``shared_min_papers`` papers are shared by all copies (the head of
    the distribution grows), the long tail gets a distinct concept per copy (new rare concepts
    keep appearing); relations between shared concepts are merged, their counts added.
    """
    def cid(concept_id: str, k: int) -> str:
        if k == 0 or kg.concepts[concept_id].paper_count >= shared_min_papers:
            return concept_id
        return f"{concept_id}-{k}"

    papers, concepts, links, evidence = {}, {}, [], {}
    relations: dict[tuple[str, str, str], Relation] = {}
    for k in range(copies):
        sfx = "" if k == 0 else f"~{k}"
        for paper in kg.papers.values():
            papers[paper.id + sfx] = Paper(paper.id + sfx, paper.title, paper.abstract, date=paper.date,
                                           date_text=paper.date_text, authors=paper.authors, doi=paper.doi,
                                           arxiv_id=paper.arxiv_id, categories=paper.categories)
        for c in kg.concepts.values():
            new_id = cid(c.id, k)
            if new_id in concepts:
                shared = concepts[new_id]
                shared.paper_count += c.paper_count
                shared.mention_count += c.mention_count
            else:
                concepts[new_id] = Concept(new_id, c.type, c.label if new_id == c.id else f"{c.label} {k}",
                                           dict(c.aliases) if new_id == c.id else {f"{c.label} {k}": c.mention_count},
                                           c.acronym, c.paper_count, c.mention_count, c.first_seen, c.last_seen)
        for ev in kg.evidence.values():
            evidence[ev.id + sfx] = Evidence(ev.id + sfx, ev.paper_id + sfx, ev.sentence_start, ev.sentence_end,
                                             ev.spans, ev.method, ev.confidence)
        for li in kg.links:
            links.append(PaperLink(li.paper_id + sfx, cid(li.concept_id, k), li.role, li.count,
                                   [e + sfx for e in li.evidence], li.confidence))
        for r in kg.relations:
            key = (cid(r.source, k), r.type, cid(r.target, k))
            if key in relations:
                merged = relations[key]
                merged.count += r.count
                merged.papers += r.papers
            else:
                relations[key] = Relation(key[0], key[2], r.type, r.count, r.papers, [e + sfx for e in r.evidence], r.confidence)
    return KnowledgeGraph(papers, concepts, links, list(relations.values()), evidence, extractor_version=kg.extractor_version)
