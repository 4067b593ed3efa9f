"""Resolution rules on small hand-written corpora (not the dev alias file)."""

from __future__ import annotations

import hashlib
import random

from kg.resolve import resolve

from .helpers import concepts_by_form, corpus

M, D, T, X = "METHOD", "DATASET", "TASK", "METRIC"


def test_acronym_plural_and_casing_join_the_full_form():
    papers, exts = corpus(
        ("p1", "Deep Belief Networks for Speech", "We train deep belief networks (DBNs) on audio. DBNs work.", [("Deep Belief Networks", M), ("deep belief networks", M), ("DBNs", M)]),
        ("p2", "A study", "A DBN is a stack of restricted machines.", [("DBN", M)]),
    )
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["DBN"] == forms["DBNs"] == forms["deep belief networks"] == forms["Deep Belief Networks"] == {"method/deep-belief-networks"}
    concept = res.concepts["method/deep-belief-networks"]
    assert concept.label == "deep belief networks"  # the full form, in its casing inside sentences
    assert concept.acronym == "DBN"
    assert concept.aliases == {"DBNs": 2, "Deep Belief Networks": 1, "DBN": 1, "deep belief networks": 1}
    assert (concept.paper_count, concept.mention_count) == (2, 5)


def test_a_mention_spanning_long_form_and_acronym_names_the_long_form():
    papers, exts = corpus(
        ("p1", "Graph Neural Networks (GNNs) for molecules", "GNNs predict properties.", [("Graph Neural Networks (GNNs)", M), ("GNNs", M)]),
        ("p2", "Scaling", "We scale graph neural networks and a Transformer (ViT) model.", [("graph neural networks", M), ("Transformer (ViT)", M)]),
    )
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["Graph Neural Networks (GNNs)"] == forms["GNNs"] == forms["graph neural networks"] == {"method/graph-neural-networks"}
    assert forms["Transformer (ViT)"] == {"method/transformer-vit"}  # the letters do not match: kept whole
    assert "Graph Neural Networks" in res.concepts["method/graph-neural-networks"].aliases


def test_one_acronym_two_expansions_stays_two_concepts():
    papers, exts = corpus(
        ("p1", "Spikes", "We study spiking neural networks (SNNs). SNNs use spikes.", [("spiking neural networks", M), ("SNNs", M)]),
        ("p2", "Sparsity", "We prune sparse neural networks (SNNs). SNNs are small.", [("sparse neural networks", M), ("SNNs", M)]),
        ("p3", "Unclear", "SNNs are popular.", [("SNNs", M)]),
    )
    res = resolve(exts, papers)
    assert res.concept_of("p1", 1) == res.concept_of("p1", 2) == res.concept_of("p1", 0) == "method/spiking-neural-networks"
    assert res.concept_of("p2", 1) == res.concept_of("p2", 0) == "method/sparse-neural-networks"
    assert res.concept_of("p3", 0) == "method/snns"  # ambiguous corpus-wide: its own concept


def test_undefined_acronym_follows_an_unambiguous_majority():
    docs = [(f"p{i}", "Spikes", "We study spiking neural networks (SNNs).", [("spiking neural networks", M), ("SNNs", M)]) for i in range(4)]
    docs.append(("q", "Sparsity", "We prune sparse neural networks (SNNs).", [("sparse neural networks", M), ("SNNs", M)]))
    docs.append(("z", "Unclear", "SNNs are popular.", [("SNNs", M)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    assert res.concept_of("z", 0) == "method/spiking-neural-networks"
    assert res.concept_of("q", 1) == "method/sparse-neural-networks"


def test_variants_are_linked_not_merged():
    papers, exts = corpus(
        ("p1", "Kolmogorov-Arnold Networks", "The Kolmogorov-Arnold Network (KAN) is new. We propose a Sparse KAN (S-KAN) and a Convolutional KAN.", [("Kolmogorov-Arnold Network", M), ("Kolmogorov-Arnold Networks", M), ("KAN", M), ("S-KAN", M), ("Sparse KAN", M), ("Convolutional KAN", M)]),
        ("p2", "Vision", "We train on CIFAR-10 and CIFAR-100 with GPT and GPT-2.", [("CIFAR-10", D), ("CIFAR-100", D), ("GPT", M), ("GPT-2", M)]),
    )
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["KAN"] == forms["Kolmogorov-Arnold Network"] == forms["Kolmogorov-Arnold Networks"]
    assert forms["S-KAN"] == forms["Sparse KAN"] != forms["KAN"]
    assert forms["CIFAR-10"] != forms["CIFAR-100"] and forms["GPT"] != forms["GPT-2"]
    links = {(r.source, r.type, r.target) for r in res.relations}
    kan = next(iter(forms["KAN"]))
    assert (next(iter(forms["S-KAN"])), "VARIANT-OF", kan) in links
    assert (next(iter(forms["Convolutional KAN"])), "VARIANT-OF", kan) in links
    assert ("method/gpt-2", "VARIANT-OF", "method/gpt") in links
    assert {("dataset/cifar-100", "RELATED-TO", "dataset/cifar-10"), ("dataset/cifar-10", "RELATED-TO", "dataset/cifar-100")} & links
    for rel in res.relations:  # every link points to evidence that quotes the variant's name
        assert rel.evidence and rel.count >= 1 and rel.papers >= 1
        for eid in rel.evidence:
            ev = res.evidence[eid]
            quote = papers[ev.paper_id].text[slice(*ev.spans[0])]
            assert quote in res.concepts[rel.source].aliases
            (start, end), = ev.spans  # the id's closed form, the same as the build's evidence
            assert eid == ev.id == hashlib.sha1(f"{ev.paper_id}|{start}-{end}|{ev.method}".encode("utf-8")).hexdigest()[:16]


def test_typo_merges_only_when_alone():
    papers, exts = corpus(
        ("p1", "Optimisers", "We use stochastic gradient descent. Stochastic gradient descent is fast.", [("stochastic gradient descent", M), ("Stochastic gradient descent", M)]),
        ("p2", "Typos", "We use Stochastic Gradient Decent here.", [("Stochastic Gradient Decent", M)]),
        ("p3", "Pooling", "Max pooling and min pooling differ.", [("Max pooling", M), ("min pooling", M)]),
    )
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["Stochastic Gradient Decent"] == forms["stochastic gradient descent"]
    assert forms["Max pooling"] != forms["min pooling"]  # short words differ in meaning


def test_initials_fallback_only_when_unique():
    papers, exts = corpus(
        ("p1", "Learning in context", "We study in-context learning in large models.", [("in-context learning", M)]),
        ("p2", "ICL", "ICL is popular.", [("ICL", M)]),
        ("p3", "Reps", "We compare reinforcement learning and representation learning. RL is hard.", [("reinforcement learning", M), ("representation learning", M), ("RL", M)]),
    )
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["ICL"] == forms["in-context learning"]
    assert forms["RL"] not in (forms["reinforcement learning"], forms["representation learning"])


def test_type_votes_one_concept_per_name():
    docs = [(f"p{i}", "T", "We use dropout here.", [("dropout", M)]) for i in range(4)]
    docs.append(("q", "T", "We use dropout here.", [("dropout", T)]))
    docs += [(f"r{i}", "T", "We study parsing here.", [("parsing", T if i % 2 else M)]) for i in range(4)]
    docs += [(f"s{i}", "T", "We study SQuAD here.", [("SQuAD", (M, T, D)[i % 3])]) for i in range(6)]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers, lexicon={})
    assert res.concept_of("q", 0) == "method/dropout"  # 4 of 5 papers: one concept of the voted type
    assert not res.concepts["method/dropout"].ambiguous_type
    assert {res.concept_of(f"r{i}", 0) for i in range(4)} == {"method/parsing"}  # a tie: the first type of LABELS, flagged
    assert res.concepts["method/parsing"].ambiguous_type
    assert {res.concept_of(f"s{i}", 0) for i in range(6)} == {"method/squad"}  # no majority: still one concept, flagged
    assert res.concepts["method/squad"].type_votes == {M: 2, D: 2, T: 2} and res.concepts["method/squad"].ambiguous_type


def test_dates_first_and_last_seen():
    docs = [
        ("a", "T", "We use BERT.", [("BERT", M)], "2019-05"),
        ("b", "T", "We use BERT.", [("BERT", M)], "2018"),
        ("c", "T", "We use BERT.", [("BERT", M)], "--08-05"),
        ("d", "T", "We use ELMo.", [("ELMo", M)], "--08-05"),
        ("e", "T", "We use ELMo.", [("ELMo", M)], "--01-30"),
    ]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    bert, elmo = res.concepts["method/bert"], res.concepts["method/elmo"]
    assert (bert.first_seen, bert.last_seen) == ("2018", "2019-05")  # year-less dates do not compete
    assert (elmo.first_seen, elmo.last_seen) == ("--01-30", "--08-05")


def test_input_order_does_not_matter():
    papers, exts = corpus(
        ("p1", "Spikes", "We study spiking neural networks (SNNs). SNNs use spikes.", [("spiking neural networks", M), ("SNNs", M)]),
        ("p2", "Sparsity", "We prune sparse neural networks (SNNs).", [("sparse neural networks", M), ("SNNs", M)]),
        ("p3", "CAN", "The CAN model is a can of worms on CIFAR-10.", [("CAN", M), ("can", M), ("CIFAR-10", D)]),
    )
    base = resolve(exts, papers)
    shuffled = list(exts)
    random.Random(3).shuffle(shuffled)
    again = resolve(shuffled, dict(reversed(list(papers.items()))))
    assert base.concepts == again.concepts
    assert base.relations == again.relations
    for ext in exts:
        for i in range(len(ext.mentions)):
            assert base.concept_of(ext.paper_id, i) == again.concept_of(ext.paper_id, i)
    assert base.concept_of("p3", 1) != base.concept_of("p3", 2)  # "CAN" is not "can"


def test_unknown_mentions_and_labels():
    papers, exts = corpus(("p1", "T", "We use BERT.", [("BERT", "ORIG:Generic")]))
    res = resolve(exts, papers)
    assert res.concept_of("p1", 0) is None and res.concept_of("p1", 99) is None and res.concept_of("nope", 0) is None
    assert res.concepts == {}
