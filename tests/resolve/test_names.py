"""Names a researcher recognises (issue 21): strict long forms, labels by papers, typo merges only
between forms rare beside each other, and the merges report."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from kg.resolve import resolve
from kg.nlp.abbreviations import find_abbreviations
from kg.resolve.acronyms import strict_just_before, strict_long_form
from kg.resolve.labels import choose_label, label_fold
from kg.resolve.normalize import form_key, runs
from kg.resolve.typos import _typo_between, editable_positions, rare_beside, typo_merges

from .helpers import concepts_by_form, corpus, sentences_of

M, D, MET = "METHOD", "DATASET", "METRIC"


# --- strict Schwartz & Hearst long forms ---------------------------------------------------------

@pytest.mark.parametrize("short, long", [
    ("F1", "fog detection by 331%"),
    ("U-Net", "universal applicability across diverse architectures"),
    ("METEOR", "multi-encoder collaborative token pruning"),
    ("BERTScore", "baselines and some zero-shot llms in prediction f1 and rationale fidelity"),
    ("CIDEr", "causal inference distiller"),
    ("GAIA", "generative ai architectures"),
])
def test_bad_long_forms_of_the_issue_are_not_strict(short, long):
    assert strict_long_form(short, long) is None


@pytest.mark.parametrize("short, long, expected", [
    ("KITTI", "Karlsruhe Institute of Technology and Toyota Technological Institute", None),
    ("YOLO", "you only look once", None),
    ("GPT-2", "generative pre-trained transformer 2", None),
    ("LLaMA", "large language model meta ai", None),
    ("ViT", "Vision Transformer", None),
    ("S-KAN", "Selectable KAN", None),
    ("XAI", "xgboost algorithm and explainable artificial intelligence", "explainable artificial intelligence"),
    ("SOTA", "fully supervised state of the art", "state of the art"),
])
def test_good_long_forms_pass(short, long, expected):
    assert strict_long_form(short, long) == (expected or long)


def _words(text):
    return [(m.start(), m.group()) for m in re.finditer(r"[^\W\d_]+|\d+", text)]


def _brute_force(short: str, long: str, strict: bool = True) -> str | None:
    """Every assignment of the short form's units to characters of the long form, checked one
    by one against the rules as the docstring states them; the latest first word wins."""
    body = short[:-1] if len(short) > 2 and short.endswith("s") and short[-2].isupper() else short
    units = re.findall(r"\d+|[^\W\d_]", body)
    words = _words(long)
    slots = [(w, i) for w, (_, word) in enumerate(words) for i in range(len(word))]
    best = None
    for combo in itertools.combinations(range(len(slots)), len(units)):
        places = [slots[c] for c in combo]
        ok = True
        for u, (unit, (w, i)) in enumerate(zip(units, places)):
            word = words[w][1]
            if unit.isdigit():
                ok = word == unit and i == 0 and (u == 0 or places[u - 1][0] < w)
            else:
                c = word[i]
                if c.lower() != unit.lower() or c.isdigit():
                    ok = False
                elif u == 0:
                    ok = i == 0 or (unit.lower() == "x" and i == 1 and word[:2].lower() == "ex")
                else:
                    anchor = i == 0 or c.isupper() or (unit.lower() == "x" and i == 1 and word[0] in "eE")
                    free = unit.islower() or not strict
                    ok = anchor or (free and places[u - 1][0] == w)
            if not ok:
                break
        if ok and (best is None or places[0][0] > best):
            best = places[0][0]
    if best is None:
        return None
    start = words[best][0]
    head = long[:start].split(" ")[-1]  # the rest of a space-delimited compound
    return long[start - len(head):].strip()


def test_strict_long_form_matches_brute_force():
    rng = random.Random(21)
    alphabet = ["ab", "Ab", "ba", "aB", "b2", "2", "ex", "x", "bab"]
    for _ in range(1500):
        long = "".join(rng.choice(alphabet) + rng.choice([" ", " ", "-", "% "]) for _ in range(rng.randint(1, 4))).strip("-% ")
        short = "".join(rng.choice(["A", "B", "a", "b", "2", "X"]) for _ in range(rng.randint(1, 3)))
        for strict in (True, False):
            assert strict_long_form(short, long, strict) == _brute_force(short, long, strict), (short, long, strict)


# --- labels by papers ----------------------------------------------------------------------------

def test_label_is_the_full_form_group_most_papers_write_brute_force():
    rng = random.Random(7)
    forms = ["graph networks", "Graph Networks", "graph-networks", "neural graphs", "Neural Graphs", "network of graphs"]
    for _ in range(300):
        chosen = rng.sample(forms, rng.randint(1, len(forms)))
        aliases = {f: rng.randint(1, 9) for f in chosen}
        papers = {}
        for f in chosen:
            papers[label_fold(f)] = max(papers.get(label_fold(f), 0), rng.randint(1, 9))
        label = choose_label(aliases, {}, papers=papers)
        assert papers[label_fold(label)] == max(papers.values())


def test_acronym_labels_a_concept_that_papers_mostly_call_by_it():
    docs = [(f"k{i}", "T", "We evaluate on KITTI. Results on KITTI improve.", [("KITTI", D), ("KITTI", D)]) for i in range(4)]
    docs += [(f"def{i}", "T", "We use the Karlsruhe Institute of Technology and Toyota Technological Institute (KITTI) benchmark.",
              [("Karlsruhe Institute of Technology and Toyota Technological Institute", D), ("KITTI", D)]) for i in range(2)]  # two papers agree
    docs += [(f"g{i}", "T", "We study graph neural networks (GNNs). GNNs are fast.", [("graph neural networks", M), ("GNNs", M), ("GNNs", M)]) for i in range(2)]
    docs.append(("g9", "T", "GNNs are fast.", [("GNNs", M)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    labels = {c.label for c in res.concepts.values()}
    assert "KITTI" in labels
    assert "graph neural networks" in labels  # 2 papers write it, 3 write GNNs: not twice as many
    kitti = next(c for c in res.concepts.values() if c.label == "KITTI")
    assert "Karlsruhe Institute of Technology and Toyota Technological Institute" in kitti.aliases


def test_a_paper_that_names_its_own_method_like_a_metric_keeps_it_to_itself():
    docs = [(f"m{i}", "T", "We report BLEU and METEOR scores.", [("BLEU", MET), ("METEOR", MET)]) for i in range(6)]
    docs.append(("own", "T", "We propose Multi-Encoder collaboraTivE tOken pRuning (METEOR). METEOR is fast.",
                 [("Multi-Encoder collaboraTivE tOken pRuning", M), ("METEOR", M), ("METEOR", M)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    own = {res.concept_of("own", i) for i in range(3)}
    others = {res.concept_of(f"m{i}", 1) for i in range(6)}
    assert len(own) == 1 and len(others) == 1 and own != others
    metric = res.concepts[others.pop()]
    assert (metric.label, metric.type) == ("METEOR", MET)
    assert forms["Multi-Encoder collaboraTivE tOken pRuning"] == own


def test_a_digit_never_defines_an_acronym():
    docs = [(f"f{i}", "T", "We report the F1 score.", [("F1", MET)]) for i in range(3)]
    docs.append(("fog", "T", "It improves fog detection by 331% (F1) overall.", [("fog detection", M), ("F1", MET)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    f1 = {res.concept_of(f"f{i}", 0) for i in range(3)} | {res.concept_of("fog", 1)}
    assert len(f1) == 1 and res.concepts[f1.pop()].label == "F1"


def test_a_loose_long_form_gives_way_to_the_strict_one_just_before_it():
    # issue 21: "AA" became an alias of accuracy: the detector's shortest long form of
    # "average accuracy (AA)" is "accuracy" (its inner "a" taken for the second A); the words
    # before it spell AA one word per letter, so the definition is "average accuracy". A loose
    # long form with no such reading before it still binds in its paper ("accuracy (ACC)").
    docs = [("aa", "T", "On the benchmark, eX2L achieves an average accuracy (AA) of 82.24% and AA rises.",
             [("average accuracy", MET), ("AA", MET)]),
            ("acc", "T", "We report the classification accuracy (ACC). ACC is high.", [("accuracy", MET), ("ACC", MET)])]
    docs += [(f"a{i}", "T", "We report accuracy.", [("accuracy", MET)]) for i in range(5)]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["AA"] == forms["average accuracy"] != forms["accuracy"]
    assert forms["ACC"] == forms["accuracy"]
    assert "AA" not in res.concepts[forms["accuracy"].pop()].aliases


@pytest.mark.parametrize("text, short, expected", [
    ("eX2L achieves an average accuracy (AA) of 82%", "AA", "average accuracy"),
    # the title's last word is no letter of the abstract's first definition
    ("Safety of Multimodal Foundation Models\nMultimodal foundation models (MMFMs) are large.", "MMFMs", None),
    # nor is a function word ("Augmentative and Alternative Communication" spells AAC without "and")
    ("Augmentative and Alternative Communication (AAC) helps.", "AAC", None),
    ("We report a classification accuracy (ACC).", "ACC", None),
])
def test_strict_reading_just_before_a_loose_long_form(text, short, expected):
    (ab,) = [a for a in find_abbreviations(text, sentences_of(text)) if a.short == short]
    assert strict_long_form(ab.short, ab.long) is None  # the detector's long form is loose
    assert strict_just_before(ab.short, text, ab.long_start, ab.long_end) == expected


def test_a_common_word_with_one_odd_spelling_keeps_its_generic_head():
    # issue 21: "diffusion" was the label of the concept 758 papers call "diffusion models": one
    # paper's "DIFFusion" made the word a proper name, so "diffusion models" was read as the
    # name "diffusion" with a generic head, and a name with a generic head was never a label.
    # It is one when more papers write it than its bare name; "ResNet architecture" is still
    # ResNet, labelled ResNet.
    docs = [(f"d{i}", "T", "We train diffusion models on images.", [("diffusion models", M)]) for i in range(6)]
    docs += [(f"x{i}", "T", "Diffusion is strong. We use diffusion here.", [("Diffusion", M), ("diffusion", M)]) for i in range(2)]
    docs.append(("odd", "T", "We propose DIFFusion for images.", [("DIFFusion", M)]))
    docs += [(f"r{i}", "T", "We use the ResNet architecture and ResNet.", [("ResNet architecture", M), ("ResNet", M)]) for i in range(2)]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    (models,) = forms["diffusion models"]
    assert res.concepts[models].label == "diffusion models"
    assert forms["ResNet architecture"] == forms["ResNet"]
    assert res.concepts[forms["ResNet"].pop()].label == "ResNet"


def test_one_odd_spelling_does_not_split_an_acronym_from_its_long_form():
    # 20k abstracts: one paper's "SegmentAnything" made "Segment Anything" a proper name, so
    # "Segment Anything Model" was read as it with a generic head while SAM followed its
    # definition: two concepts, both labelled "Segment Anything Model". A key is a proper name
    # when at least half of its mentions are written as one.
    docs = [(f"d{i}", "T", "We use the Segment Anything Model (SAM). SAM is fast.", [("Segment Anything Model", M), ("SAM", M)]) for i in range(3)]
    docs += [(f"m{i}", "T", "We use the Segment Anything Model here.", [("Segment Anything Model", M)]) for i in range(3)]
    docs += [(f"s{i}", "T", "We build on Segment Anything for masks.", [("Segment Anything", M)]) for i in range(2)]
    docs.append(("odd", "T", "We build on SegmentAnything for masks.", [("SegmentAnything", M)]))
    papers, exts = corpus(*docs)
    forms = concepts_by_form(resolve(exts, papers), exts)
    assert forms["SAM"] == forms["Segment Anything Model"]


# --- typo merges only between forms rare beside each other ---------------------------------------

def test_two_frequent_look_alikes_stay_apart_a_one_paper_typo_joins():
    docs = [(f"w{i}", "T", "We crawl Wikipedia pages.", [("Wikipedia", D)]) for i in range(6)]
    docs += [(f"m{i}", "T", "We crawl Wikimedia pages.", [("Wikimedia", D)]) for i in range(2)]
    docs += [(f"s{i}", "T", "We train with stochastic gradient descent.", [("stochastic gradient descent", M)]) for i in range(2)]
    docs.append(("typo", "T", "We train with stochastic gradient decent.", [("stochastic gradient decent", M)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["Wikipedia"] != forms["Wikimedia"]
    assert forms["stochastic gradient decent"] == forms["stochastic gradient descent"]
    rows = [m for m in res.merges if m.rule == "typo"]
    assert [(m.form, m.into, m.papers, m.into_papers) for m in rows] == [("stochastic gradient decent", "stochastic gradient descent", 1, 2)]


def test_a_one_paper_proper_name_differing_by_a_word_is_no_typo():
    # issue 21: "Wikimedia" (one paper) became an alias of Wikipedia; its differing part "media"
    # is a word the corpus writes, so it is a name of its own. A proper-name typo still joins.
    docs = [(f"w{i}", "T", "We crawl Wikipedia pages.", [("Wikipedia", D)]) for i in range(6)]
    docs.append(("m", "T", "We crawl Wikimedia Commons pages.", [("Wikimedia", D)]))
    docs.append(("s", "T", "We study social media posts.", [("social media", D)]))
    docs.append(("t", "T", "We crawl Wikipeida pages.", [("Wikipeida", D)]))
    docs += [(f"g{i}", "T", "We train with stochastic gradient descent.", [("stochastic gradient descent", M)]) for i in range(2)]
    docs.append(("typo", "T", "Stochastic gradient decent is used.", [("Stochastic gradient decent", M)]))
    papers, exts = corpus(*docs)
    forms = concepts_by_form(resolve(exts, papers), exts)
    assert forms["Wikimedia"] != forms["Wikipedia"]
    assert forms["Wikipeida"] == forms["Wikipedia"]
    assert forms["Stochastic gradient decent"] == forms["stochastic gradient descent"]


def _typo_brute_force(key_runs, counts, plain, papers):
    """typo_merges without the deletion index: every pair of keys compared."""
    eligible = {k: editable_positions(r) for k, r in key_runs.items()
                if len(k) >= 8 and plain.get(k) and not any(ch.isdigit() for ch in k)}
    eligible = {k: p for k, p in eligible.items() if p}
    out = set()
    for q, qp in eligible.items():
        near = {t for t, tp in eligible.items() if t != q and _typo_between(q, qp, t, tp)}
        if len(near) != 1:
            continue
        (t,) = near
        if ((counts[t], t) > (counts[q], q) or (counts[t] == counts[q] and t < q)) and rare_beside(papers[q], papers[t]):
            out.add((q, t))
    return sorted(out)


def test_typo_merges_match_brute_force():
    rng = random.Random(3)
    words = ["wikipedia", "wikimedia", "wikipedea", "gradient", "gradiant", "descent", "decent", "learning", "learnings"]
    for _ in range(60):
        forms = {" ".join(rng.sample(words, rng.randint(1, 2))) for _ in range(12)}
        key_runs = {form_key(f): runs(f) for f in forms}
        counts = {k: rng.randint(1, 30) for k in key_runs}
        papers = {k: min(counts[k], rng.randint(1, 30)) for k in key_runs}
        plain = {k: True for k in key_runs}
        assert typo_merges(key_runs, counts, plain, papers) == _typo_brute_force(key_runs, counts, plain, papers)


# --- the merges report ----------------------------------------------------------------------------

def test_every_acronym_merge_is_reported():
    docs = [("p1", "T", "We study graph neural networks (GNNs). GNNs are fast.", [("graph neural networks", M), ("GNNs", M), ("GNNs", M)]),
            ("p2", "T", "GNNs are fast.", [("GNNs", M)])]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    rules = {(m.rule, m.form, m.papers) for m in res.merges}
    assert ("acronym-paper", "GNNs", 1) in rules and ("acronym-corpus", "GNNs", 1) in rules


# --- ids do not follow the label between an acronym and its full form ------------------------------

def test_id_stays_when_the_label_switches_to_the_acronym():
    define = [(f"d{i}", "T", "We use the bilingual evaluation understudy (BLEU) score.", [("bilingual evaluation understudy", MET), ("BLEU", MET)]) for i in range(2)]
    few = [(f"b{i}", "T", "We report BLEU.", [("BLEU", MET)]) for i in range(1)]
    many = [(f"b{i}", "T", "We report BLEU.", [("BLEU", MET)]) for i in range(8)]
    small, large = resolve(*reversed(corpus(*define, *few))), resolve(*reversed(corpus(*define, *many)))
    (a,), (b,) = small.concepts.values(), large.concepts.values()
    assert (a.label, b.label) == ("bilingual evaluation understudy", "BLEU")
    assert a.id == b.id == "metric/bilingual-evaluation-understudy"
