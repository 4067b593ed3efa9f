"""Time and memory of ``kg.resolve.resolve`` and ``kg.build.build_graph`` on a synthetic corpus.

The corpus imitates what extraction gives at scale: a Zipf-distributed vocabulary of
multi-word names (with case, hyphen, plural and typo variants), acronyms defined in some papers
(a few with two different expansions), numbered variants ("Net-10", "Net-100"), and about
``--mentions-per-paper`` mentions per paper in sentences of three to six mentions.

Usage::

    .venv/bin/python scripts/bench_resolve.py [--papers 100000] [--mentions-per-paper 15] [--no-build]

Prints papers, mentions, distinct forms, concepts, seconds per stage and the peak resident
memory of the process.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time

from kg.models import Abbreviation, Extraction, Mention, Paper

WORDS = (
    "graph neural network deep sparse spiking attention transformer convolutional recurrent adversarial "
    "generative variational bayesian stochastic gradient descent learning reinforcement contrastive "
    "representation kernel tangent diffusion model models networks residual dense linear quadratic "
    "optimal transport classification segmentation detection translation retrieval augmented language "
    "vision speech policy value actor critic memory embedding hierarchical federated continual meta "
    "adaptive robust efficient scalable probabilistic causal temporal spatial multi task modal"
).split()
LABELS = ("METHOD", "DATASET", "METRIC", "TASK")


def vocabulary(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """``size`` base names as (name, label)."""
    names = set()
    while len(names) < size:
        n = rng.choice((1, 2, 2, 3, 3, 4))
        names.add(" ".join(rng.choice(WORDS) for _ in range(n)) + (f" {rng.randrange(1000)}" if rng.random() < 0.1 else ""))
    return [(name, rng.choice(LABELS)) for name in sorted(names)]


def surface(rng: random.Random, name: str) -> str:
    """One way a paper may write ``name``: as is, title case, hyphenated, plural, or with a typo."""
    r = rng.random()
    if r < 0.6:
        return name
    if r < 0.75:
        return name.title()
    if r < 0.85:
        return name.replace(" ", "-", 1)
    if r < 0.95:
        return name + "s" if not name[-1].isdigit() else name
    i = rng.randrange(1, max(2, len(name) - 1))
    return name[:i] + name[i + 1 :]


def acronym(name: str) -> str | None:
    words = [w for w in name.split() if w.isalpha()]
    return "".join(w[0].upper() for w in words) if len(words) >= 2 else None


def corpus(n_papers: int, per_paper: int, seed: int = 0) -> tuple[dict[str, Paper], list[Extraction]]:
    rng = random.Random(seed)
    vocab = vocabulary(rng, max(1000, n_papers * 2))
    cum_weights = list(itertools.accumulate(1.0 / (i + 1) ** 1.05 for i in range(len(vocab))))
    papers, exts = {}, []
    for p in range(n_papers):
        picks = rng.choices(vocab, cum_weights=cum_weights, k=per_paper)
        title = f"Paper {p}"
        text = title
        sentences = [(0, len(title))]
        mentions, abbreviations = [], []
        chunk = []
        for name, label in picks:
            chunk.append((name, label))
            if len(chunk) < rng.randint(3, 6):
                continue
            text += " "
            start = len(text)
            for name_, label_ in chunk:
                form = surface(rng, name_)
                short = acronym(name_)
                text += "We use "
                mentions.append(Mention(len(text), len(text) + len(form), label_, form, len(sentences)))
                lf = (len(text), len(text) + len(form))
                text += form
                if short and rng.random() < 0.3:
                    text += " ("
                    mentions.append(Mention(len(text), len(text) + len(short), label_, short, len(sentences)))
                    abbreviations.append(Abbreviation(short, form, len(text), len(text) + len(short), *lf))
                    text += short + ")"
                elif short and rng.random() < 0.2:
                    text += " and " + short
                    mentions.append(Mention(len(text) - len(short), len(text), label_, short, len(sentences)))
                text += ", "
            text = text[:-2] + "."
            sentences.append((start, len(text)))
            chunk = []
        pid = f"p{p:07d}"
        papers[pid] = Paper(pid, title, text[len(title) + 1 :], date=f"{2015 + p % 10}-{1 + p % 12:02d}")
        exts.append(Extraction(pid, sentences, mentions, abbreviations))
    return papers, exts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--mentions-per-paper", type=int, default=15)
    ap.add_argument("--no-build", action="store_true", help="time resolve only")
    args = ap.parse_args(argv)
    from kg.build import build_graph
    from kg.resolve import resolve

    t0 = time.perf_counter()
    papers, exts = corpus(args.papers, args.mentions_per_paper)
    n_mentions = sum(len(e.mentions) for e in exts)
    forms = len({m.text for e in exts for m in e.mentions})
    t1, c1 = time.perf_counter(), time.process_time()
    res = resolve(exts, papers)
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"papers {len(papers)}, mentions {n_mentions}, distinct forms {forms}, concepts {len(res.concepts)}, look-alike links {len(res.relations)}")
    print(f"corpus generated in {t1 - t0:.1f}s; resolve {t2 - t1:.1f}s wall, {c2 - c1:.1f}s CPU")
    if not args.no_build:
        kg = build_graph(papers, exts, res)
        t3, c3 = time.perf_counter(), time.process_time()
        print(f"build_graph {t3 - t2:.1f}s wall, {c3 - c2:.1f}s CPU: {len(kg.links)} links, {len(kg.relations)} relations, {len(kg.evidence)} evidence records")
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
