"""Wrong merges seen in the 80k arXiv build (session 9), each reproduced on a small synthetic
corpus shaped like the real one."""

from __future__ import annotations

from kg.resolve import resolve
from tests.resolve.helpers import concepts_by_form, corpus

M, D, MET, T = "METHOD", "DATASET", "METRIC", "TASK"


def _imagenet_corpus(nette_papers: int):
    docs = [(f"in{i}", "T", "We pretrain on ImageNet.", [("ImageNet", D)]) for i in range(60)]
    docs.append(("in-plain", "T", "We pretrain on Imagenet.", [("Imagenet", D)]))  # so a typo may join it
    for i in range(nette_papers):  # the subset's own spelling varies, as at 80k (6 ImageNette, 5 Imagenette)
        name = "ImageNette" if i % 2 else "Imagenette"
        docs.append((f"nt{i}", "T", f"We evaluate on {name}, a ten-class subset.", [(name, D)]))
    return corpus(*docs)


def test_a_capitalised_name_several_papers_write_is_no_typo():
    # 80k: "ImageNette" (11 papers) was a one-edit typo of ImageNet (520 papers)
    papers, exts = _imagenet_corpus(5)
    forms = concepts_by_form(resolve(exts, papers), exts)
    assert forms["ImageNette"] == forms["Imagenette"]
    assert forms["ImageNette"] != forms["ImageNet"]
    assert not [m for m in resolve(exts, papers).merges if m.rule == "typo"]


def test_a_capitalised_look_alike_of_two_papers_is_still_a_typo():
    papers, exts = _imagenet_corpus(2)
    forms = concepts_by_form(resolve(exts, papers), exts)
    assert forms["ImageNette"] == forms["Imagenette"] == forms["ImageNet"]


def test_a_bracket_listing_names_defines_none_of_them():
    # 80k: "Vision Transformers (ToMe, ToFu, PiToMe, and MCTF)" made ToMe (token merging) an alias
    # of transformer, through the detector's loose pair ToMe / Transformers
    docs = [(f"tr{i}", "T", "We train Transformers on text.", [("Transformers", M)]) for i in range(8)]
    docs += [(f"tm{i}", "T", "We speed up ViTs with token merging (ToMe). ToMe is fast.", [("token merging", M), ("ToMe", M)]) for i in range(2)]
    docs.append(("list", "T", "Token reduction methods for Vision Transformers (ToMe, ToFu, PiToMe, and MCTF) differ. ToMe is unstable.",
                 [("Vision Transformers", M), ("ToMe", M), ("ToFu", M), ("PiToMe", M), ("MCTF", M)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["ToMe"] == forms["token merging"]
    transformer = forms["Transformers"] | forms["Vision Transformers"]
    assert not [c for c in transformer if "ToMe" in res.concepts[c].aliases]


def test_a_long_form_with_an_optional_part_defines_the_name_without_it():
    # 80k: one paper's "Vision-Language(-Action) Models (VLMs)" was keyed as "Vision-Language-Action
    # Models"; the VLM expansions were voted together with it, and VLA (vision-language-action,
    # 41 papers) became part of vision-language models
    docs = [(f"a{i}", "T", "We study vision-language-action (VLA) models for robots. VLA models act.",
             [("vision-language-action", M), ("VLA", M), ("VLA models", M)]) for i in range(3)]
    docs += [(f"m{i}", "T", "We study vision-language models (VLMs). VLMs see.",
              [("vision-language models", M), ("VLMs", M)]) for i in range(3)]
    docs += [(f"u{i}", "T", "VLA policies fail. We fix VLA.", [("VLA", M)]) for i in range(3)]
    docs.append(("opt", "T", "We adapt Vision-Language(-Action) Models (VLMs) to driving. VLMs plan.",
                 [("Vision-Language(-Action) Models", M), ("VLMs", M)]))
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    forms = concepts_by_form(res, exts)
    assert forms["VLA"] == forms["vision-language-action"]
    assert forms["VLA"].isdisjoint(forms["vision-language models"])
    assert forms["VLMs"] == forms["vision-language models"]


def test_a_dataset_named_after_its_task_stays_a_dataset_where_it_is_not_defined():
    # 80k: three papers write "medical question answering (MedQA)"; fifty evaluate on the MedQA
    # dataset without defining it, and the corpus' expansion made all of them the task
    docs = [(f"def{i}", "T", "We study medical question answering (MedQA). MedQA is hard.",
             [("medical question answering", T), ("MedQA", T), ("MedQA", T)]) for i in range(3)]
    docs += [(f"task{i}", "T", "We address medical question answering with LLMs.", [("medical question answering", T)]) for i in range(6)]
    docs += [(f"ds{i}", "T", "We evaluate on MedQA and PubMedQA.", [("MedQA", D), ("PubMedQA", D)]) for i in range(12)]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    by_paper = {e.paper_id: [res.concept_of(e.paper_id, i) for i in range(len(e.mentions))] for e in exts}
    task = res.concept_of("task0", 0)
    assert res.concepts[task].type == T
    assert all(by_paper[f"ds{i}"][0] != task for i in range(12))
    assert res.concepts[by_paper["ds0"][0]].type == D
    assert by_paper["def0"][1] == task  # the paper's own definition still applies in that paper


def test_an_acronym_and_its_expansion_of_one_type_still_join_across_papers():
    docs = [(f"def{i}", "T", "We use graph neural networks (GNNs). GNNs work.",
             [("graph neural networks", M), ("GNNs", M), ("GNNs", M)]) for i in range(3)]
    docs += [(f"use{i}", "T", "GNNs are popular.", [("GNNs", M)]) for i in range(6)]
    papers, exts = corpus(*docs)
    res = resolve(exts, papers)
    assert len({res.concept_of(e.paper_id, i) for e in exts for i in range(len(e.mentions))}) == 1
