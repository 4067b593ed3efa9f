"""A seeded generator of small extraction corpora for build_graph tests and golden files.

Papers with cue sentences, repeated names, titles that open with a name, extracted roles and
relations (some between two mentions of one concept, some with indices out of range), mentions
whose sentence index is out of range, and papers shared by several extractions. Used by
tests/build/test_build_golden.py and scripts/regen_golden.py (the test folders are not packages:
both load this file by path).
"""

from __future__ import annotations

import random

from kg.models import Extraction, Mention, MentionRelation, MentionRole, Paper

NAMES = [
    ("GraphNet", "METHOD"), ("graph neural networks", "METHOD"), ("GCN", "METHOD"), ("Cora", "DATASET"),
    ("Citeseer", "DATASET"), ("accuracy", "METRIC"), ("F1", "METRIC"), ("node classification", "TASK"),
    ("link prediction", "TASK"), ("BERT", "METHOD"), ("ImageNet", "DATASET"), ("translation", "TASK"),
]
CUES = ["We evaluate {} on the benchmark.", "Results show {} improves by 3%.", "We study {} here.", "Using {} and {} together.", "{} is fast.", "{}, {} and {} on {}."]
RULES = ["rule:for/1", "rule:compare/1", "rule:use-verb/1", "model:rel/2"]
LABELS = ["USED-FOR", "EVALUATE-FOR", "COMPARE", "CONJUNCTION", "HYPONYM-OF", "CO-OCCURS", "MEASURED-BY"]
ROLES = ["proposes", "uses", "evaluates_on", "reports", "addresses", "mentions"]


def random_corpus(seed: int, n_papers: int = 150) -> tuple[dict[str, Paper], list[Extraction]]:
    """Papers with cue sentences, repeated names, titles that open with a name, extracted roles
    and relations (some between two mentions of one concept, some with indices out of range),
    mentions whose sentence index is out of range, and papers shared by several extractions."""
    rng = random.Random(seed)
    papers, exts = {}, []
    for p in range(n_papers):
        pid = f"p{rng.randrange(n_papers * 2):03d}"
        (name, label), (other, other_label) = rng.sample(NAMES, 2)
        title = f"{name}: a study of {other}" if rng.random() < 0.3 else f"On {name} and {other} again"
        text, sentences = title, [(0, len(title))]
        at, at2 = title.find(name), title.find(other, title.find(name) + len(name))
        mentions = [Mention(at, at + len(name), label, name, 0), Mention(at2, at2 + len(other), other_label, other, 0)]
        for _ in range(rng.randint(1, 5)):
            cue = rng.choice(CUES)
            picks = [rng.choice(NAMES) for _ in range(cue.count("{}"))]
            sentence = cue.format(*(n for n, _ in picks))
            start = len(text) + 1
            text += " " if len(sentences) > 1 else "\n"
            pos = start
            for n, label in picks:
                i = start + sentence.index(n, pos - start)
                mentions.append(Mention(i, i + len(n), label, n, len(sentences) if rng.random() > 0.05 else 99))
                pos = i + len(n)
            text += sentence
            sentences.append((start, len(text)))
        abstract = text[len(title) + 1 :]
        n = len(mentions)
        relations = [
            MentionRelation(rng.randrange(n + 1), rng.randrange(n), rng.choice(LABELS), rng.choice(RULES), round(rng.random(), 3))
            for _ in range(rng.randint(0, 6))
        ]
        roles = [MentionRole(rng.randrange(-1, n + 1), rng.choice(ROLES), rng.choice(RULES), round(rng.random(), 3)) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.9:
            papers[pid] = Paper(pid, title, abstract, date=f"20{10 + p % 10}")
        exts.append(Extraction(pid, sentences, mentions, [], relations, roles))
    return papers, exts
