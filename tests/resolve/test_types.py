"""One concept, one type (papers vote, with a margin), lexicon votes, and concept confidence."""

from __future__ import annotations

from itertools import product

import pytest

from kg.models import LABELS, Extraction, Mention, Paper
from kg.resolve import resolve
from kg.resolve.confidence import concept_confidence
from kg.resolve.hiding import hide_low_confidence
from kg.resolve.lexicon import LEXICON_PATH, type_lexicon
from kg.resolve.types import TYPE_MARGIN, decide_type

from .helpers import concepts_by_form, corpus

M, D, T, X = "METHOD", "DATASET", "TASK", "METRIC"


def test_smote_one_paper_repeating_dataset_is_outvoted_by_the_papers_saying_method():
    # one paper writes SMOTE four times as a DATASET; three papers once each as a METHOD:
    # counted by mentions DATASET wins (4 of 7), counted by papers METHOD does (3 of 4)
    text = "SMOTE helps. We apply SMOTE. SMOTE again. And SMOTE."
    docs = [("bad", "Imbalance", text, [("SMOTE", D)])]
    docs += [(f"p{i}", "Imbalance", "We oversample with SMOTE.", [("SMOTE", M)]) for i in range(3)]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers, lexicon={})
    assert concepts_by_form(res, exts)["SMOTE"] == {"method/smote"}
    smote = res.concepts["method/smote"]
    assert smote.type == M and smote.type_votes == {M: 3, D: 1} and not smote.ambiguous_type
    assert (smote.paper_count, smote.mention_count) == (4, 7)


def test_an_even_split_is_one_concept_flagged_ambiguous():
    papers, exts = corpus(
        ("a", "T", "We use Foo here.", [("Foo", M)]),
        ("b", "T", "We use Foo here.", [("Foo", D)]),
    )
    res = resolve(exts, papers, lexicon={})
    assert list(res.concepts) == ["method/foo"]
    assert res.concepts["method/foo"].ambiguous_type and res.concepts["method/foo"].type_votes == {M: 1, D: 1}


def test_a_paper_whose_mentions_disagree_votes_for_its_majority():
    papers, exts = corpus(("a", "T", "Foo here. Foo there. Foo there too.", [("Foo", M)]))
    ext = exts[0]
    ext.mentions[2] = Mention(ext.mentions[2].start, ext.mentions[2].end, T, "Foo", ext.mentions[2].sentence)
    res = resolve(exts, papers, lexicon={})
    assert res.concepts["method/foo"].type_votes == {M: 1} and not res.concepts["method/foo"].ambiguous_type


@pytest.mark.parametrize("votes", [dict(zip(LABELS, v)) for v in product(range(4), repeat=4) if sum(v)])
def test_decide_type_against_its_definition(votes):
    """Brute force over every vote of up to 3 papers per label: the type is a label with most
    votes, decided exactly when it has TYPE_MARGIN of them; a lexicon never adds a label."""
    d = decide_type(votes)
    top = max(votes.values())
    assert votes[d.type] == top and d.type == next(l for l in LABELS if votes[l] == top)
    assert d.ambiguous == (top < TYPE_MARGIN * sum(votes.values()))
    for lex in LABELS:
        t = decide_type(votes, lexicon_label=lex)
        if not d.ambiguous or votes[lex] == 0:
            assert t.type == d.type and t.ambiguous == d.ambiguous  # decided, or a label the model never gave
        else:
            assert t.type in (d.type, lex) and votes[t.type] >= top - 1 and t.lexicon == lex
            if votes[lex] == top:
                assert t.type == lex


def test_lexicon_breaks_a_tie_but_never_forces_a_label():
    tie = corpus(("a", "T", "We test on SQuAD here.", [("SQuAD", M)]), ("b", "T", "We test on SQuAD here.", [("SQuAD", D)]))
    res = resolve(tie[1], tie[0], lexicon={})
    assert list(res.concepts) == ["method/squad"] and res.concepts["method/squad"].ambiguous_type
    res = resolve(tie[1], tie[0])  # the packaged lexicon lists SQuAD as a dataset
    assert list(res.concepts) == ["dataset/squad"] and not res.concepts["dataset/squad"].ambiguous_type
    assert res.concepts["dataset/squad"].type_votes == {M: 1, D: 1}  # the model's votes, as they were
    only_method = corpus(("a", "T", "We test on SQuAD here.", [("SQuAD", M)]))
    assert list(resolve(only_method[1], only_method[0]).concepts) == ["method/squad"]
    decided = corpus(*[(f"p{i}", "T", "We test on SQuAD here.", [("SQuAD", M if i else D)]) for i in range(3)])
    assert list(resolve(decided[1], decided[0]).concepts) == ["method/squad"]  # 2 of 3: decided without the lexicon


def test_packaged_lexicon_is_small_attributed_and_consistent():
    lexicon = type_lexicon()
    assert 5_000 < len(lexicon) < 30_000 and set(lexicon.values()) <= set(LABELS)
    readme = (LEXICON_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in readme and "Papers with Code" in readme and "build_type_lexicon.py" in readme


def test_lexicon_rows_are_checked(tmp_path):
    bad = tmp_path / "lex.tsv"
    bad.write_text("name\tlabel\nImageNet\tDATASET\nFoo\tTHING\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lex.tsv:3"):
        type_lexicon(bad)
    two = tmp_path / "two.tsv"
    two.write_text("name\tlabel\nFoo Bar\tDATASET\nfoo-bar\tTASK\nBaz Set\tDATASET\n", encoding="utf-8")
    assert list(type_lexicon(two).values()) == ["DATASET"]  # the lists disagree on Foo Bar: no entry


def _scored(pid: str, scores: list[float], name: str = "Foo") -> tuple[Paper, Extraction]:
    text = " ".join(f"{name} {i}." for i in range(len(scores)))
    mentions, sentences, at = [], [], 0
    for i, s in enumerate(scores):
        sentences.append((at, at + len(f"{name} {i}.")))
        mentions.append(Mention(at, at + len(name), M, name, i, score=s))
        at += len(f"{name} {i}.") + 1
    paper = Paper(pid, text, "")
    return paper, Extraction(pid, [(0, len(text))] if not sentences else sentences, mentions)


def test_concept_confidence_combines_papers_and_best_scores():
    items = [_scored("a", [0.2, 0.9]), _scored("b", [0.6]), _scored("c", [0.3], name="Bar")]
    papers = {p.id: p for p, _ in items}
    res = resolve([e for _, e in items], papers, lexicon={})
    foo, bar = res.concepts["method/foo"], res.concepts["method/bar"]
    assert foo.confidence == pytest.approx(1 - (1 - 0.5 * 0.9) * (1 - 0.5 * 0.6), abs=1e-4)
    assert bar.confidence == pytest.approx(0.15, abs=1e-4)
    assert concept_confidence([1.0]) == 0.5 and concept_confidence([1.0] * 3) == 0.875


def test_hiding_low_confidence_singletons_removes_them_from_the_resolution():
    items = [_scored("a", [0.9]), _scored("b", [0.1]), _scored("c", [0.3], name="Bar"), _scored("d", [0.95], name="Baz")]
    papers = {p.id: p for p, _ in items}
    exts = [e for _, e in items]
    res = resolve(exts, papers, lexicon={})
    kept, hidden = hide_low_confidence(res, 0.4)
    # Foo: two papers (kept whatever its scores), Bar: one paper at 0.15 (hidden), Baz: 0.475 (kept)
    assert hidden == ["method/bar"] and set(kept.concepts) == {"method/foo", "method/baz"}
    assert kept.concept_of("c", 0) is None
    assert kept.concept_of("a", 0) == res.concept_of("a", 0) == "method/foo" and kept.concept_of("d", 0) == "method/baz"
    assert hide_low_confidence(res, None) == (res, []) and hide_low_confidence(res, 0.0) == (res, [])
