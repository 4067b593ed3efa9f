"""Property tests: resolution is deterministic, order-independent and idempotent."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.models import Extraction, Mention, Paper
from kg.nlp.abbreviations import find_abbreviations
from kg.resolve import resolve
from kg.resolve.normalize import is_acronym_form

#: (surface form, usual label): look-alikes, variants, acronyms, typos, case traps
VOCABULARY = [
    ("graph neural networks", "METHOD"), ("Graph Neural Networks", "METHOD"), ("graph neural network", "METHOD"),
    ("GNNs", "METHOD"), ("GNN", "METHOD"), ("spiking neural networks", "METHOD"), ("sparse neural networks", "METHOD"),
    ("SNNs", "METHOD"), ("CIFAR-10", "DATASET"), ("CIFAR10", "DATASET"), ("CIFAR-100", "DATASET"), ("KAN", "METHOD"),
    ("S-KAN", "METHOD"), ("Kolmogorov-Arnold Network", "METHOD"), ("fine-tuning", "METHOD"), ("finetuning", "METHOD"),
    ("stochastic gradient descent", "METHOD"), ("Stochastic Gradient Decent", "METHOD"), ("CAN", "METHOD"), ("can", "METHOD"),
    ("in-context learning", "METHOD"), ("ICL", "METHOD"), ("mean squared error", "METRIC"), ("node classification", "TASK"),
    ("CTR prediction", "TASK"), ("click-through rate prediction", "TASK"), ("top-1 accuracy", "METRIC"), ("top-5 accuracy", "METRIC"),
    ("CIFAR-10 dataset", "DATASET"), ("Cifar10", "DATASET"), ("GNN models", "METHOD"), ("classification tasks", "TASK"),
    ("classification", "TASK"), ("Structural optimization", "TASK"), ("structural optimization", "TASK"), ("MNist", "DATASET"),
    ("MNIST", "DATASET"), ("activation space Selectable KAN", "METHOD"), ("neural network training", "METHOD"),
]
DEFINITIONS = [("graph neural networks", "GNNs"), ("spiking neural networks", "SNNs"), ("sparse neural networks", "SNNs"),
               ("Kolmogorov-Arnold Network", "KAN"), ("Sparse KAN", "S-KAN"), ("click-through rate", "CTR"),
               ("activation space Selectable KAN", "S-KAN"), ("deep neural networks", "NNs"), ("neural networks", "NNs")]
LABELS = ["METHOD", "DATASET", "METRIC", "TASK"]

sentence = st.one_of(
    st.tuples(st.just("use"), st.sampled_from(range(len(VOCABULARY))), st.sampled_from(LABELS + [None] * 6)),
    st.tuples(st.just("define"), st.sampled_from(range(len(DEFINITIONS))), st.just(None)),
)
paper = st.tuples(st.sampled_from(["2021-03", "2020", "--08-05", None]), st.lists(sentence, min_size=1, max_size=6))
corpora = st.lists(paper, min_size=1, max_size=7)


def build(corpus):
    papers, exts = {}, []
    for n, (date, sentences) in enumerate(corpus):
        title = f"Paper {n}"
        text = title + "\n"
        mentions, sents = [], [(0, len(title))]
        for kind, idx, label in sentences:
            start = len(text)
            if kind == "use":
                form, usual = VOCABULARY[idx]
                text += "We use "
                mentions.append(Mention(len(text), len(text) + len(form), label or usual, form, len(sents)))
                text += form + " here."
            else:
                long, short = DEFINITIONS[idx]
                text += "We study "
                mentions.append(Mention(len(text), len(text) + len(long), "METHOD", long, len(sents)))
                text += long + " ("
                mentions.append(Mention(len(text), len(text) + len(short), "METHOD", short, len(sents)))
                text += short + ")."
            sents.append((start, len(text)))
            text += " "
        text = text[:-1]
        pid = f"p{n}"
        papers[pid] = Paper(pid, title, text[len(title) + 1 :], date=date)
        exts.append(Extraction(pid, sents, mentions, find_abbreviations(text, sents[1:])))
    return papers, exts


def mapping(res, exts):
    return [[res.concept_of(e.paper_id, i) for i in range(len(e.mentions))] for e in exts]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.randoms(use_true_random=False))
def test_deterministic_and_order_independent(corpus, rnd):
    papers, exts = build(corpus)
    first = resolve(exts, papers)
    shuffled = list(exts)
    rnd.shuffle(shuffled)
    second = resolve(shuffled, papers)
    assert first.concepts == second.concepts
    assert first.relations == second.relations and first.evidence == second.evidence
    assert mapping(first, exts) == mapping(second, exts)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora)
# found by this property: a 1:1 type tie that a lexicon hit on "CIFAR-10" decided, lost once
# every mention read "CIFAR-10 dataset" (kg.resolve.generic_heads.headed_lexicon)
@example([("2021-03", [("use", 8, "DATASET"), ("use", 28, "DATASET")]), ("2021-03", [("use", 28, "METHOD")])])
def test_resolving_resolved_output_changes_nothing(corpus):
    papers, exts = build(corpus)
    first = resolve(exts, papers)
    relabelled = []
    for e in exts:  # every mention rewritten as its concept's canonical label; a concept labelled by
        # its acronym (most papers write the acronym) keeps its full forms as written: they carry its
        # definitions, which the acronym alone cannot
        mentions = [
            dataclasses.replace(m, text=first.concepts[c].label)
            if (c := first.concept_of(e.paper_id, i)) and (not is_acronym_form(first.concepts[c].label) or is_acronym_form(m.text)) else m
            for i, m in enumerate(e.mentions)
        ]
        relabelled.append(dataclasses.replace(e, mentions=mentions))
    second = resolve(relabelled, papers)
    assert mapping(second, exts) == mapping(first, exts)
    assert {c: (x.label, x.type, x.paper_count, x.mention_count) for c, x in first.concepts.items()} == {
        c: (x.label, x.type, x.paper_count, x.mention_count) for c, x in second.concepts.items()
    }
