"""The accurate extractor: piece tags, windows, the ONNX component and ``--extractor accurate``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.nlp import ACCURATE_MODEL, EXTRACTORS, load_pipeline, model_for
from kg.nlp.encoder_tags import TAGS, decode_tags, piece_tags, windows

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
TOKENIZER = ACCURATE_MODEL / "kg_encoder_ner" / "tokenizer.json"

needs_model = pytest.mark.skipif(not (ACCURATE_MODEL / "config.cfg").is_file(), reason="accurate model not built")


@st.composite
def word_id_lists(draw):
    lengths = draw(st.lists(st.integers(1, 5), min_size=0, max_size=60))
    return [w for w, n in enumerate(lengths) for _ in range(n)]


@given(word_id_lists(), st.integers(6, 20), st.integers(0, 5))
@settings(max_examples=300, deadline=None)
def test_windows_cover_every_piece_and_start_on_words(word_ids, size, overlap):
    wins = windows(word_ids, size, overlap)
    covered = set()
    for lo, hi in wins:
        assert 0 < hi - lo <= size
        assert lo == 0 or word_ids[lo] != word_ids[lo - 1]  # starts on a word (words here are <= 5 pieces)
        covered.update(range(lo, hi))
    assert covered == set(range(len(word_ids)))
    assert [lo for lo, _ in wins] == sorted({lo for lo, _ in wins})  # strictly advancing


def test_windows_without_overlap_partition():
    wins = windows([0, 0, 1, 2, 2, 3, 4, 4, 4], 4)
    assert wins == [(0, 3), (3, 6), (6, 9)]


@pytest.mark.skipif(not TOKENIZER.is_file() or not DATA.is_dir(), reason="needs the accurate model and ../shared/data")
@pytest.mark.parametrize("corpus", ["scierc", "scier", "scinlp"])
def test_gold_spans_survive_tagging_and_decoding(corpus):
    """Oracle: the real tokenizer's offsets, tagged from gold and decoded, give the gold spans back."""
    from tokenizers import Tokenizer

    from kg.nlp.corpus import flat_entities, read_records

    tok = Tokenizer.from_file(str(TOKENIZER))
    tok.no_truncation()
    lost = total = 0
    for rec in list(read_records(DATA / "dev" / f"{corpus}.jsonl"))[:300]:
        gold = [(e.start, e.end, e.label) for e in flat_entities(e for e in rec.entities if e.label in ("METHOD", "DATASET", "METRIC", "TASK"))]
        enc = tok.encode(rec.text, add_special_tokens=False)
        decoded = decode_tags(piece_tags(enc.offsets, gold), enc.offsets, enc.word_ids)
        lost += len(set(gold) - set(decoded))
        total += len(gold)
    assert total > 50 and lost == 0


def test_decode_widens_to_words_and_opens_on_inside_tags():
    tid = {t: i for i, t in enumerate(TAGS)}
    offsets = [(0, 4), (4, 7), (8, 10), (11, 15)]  # "Mamba2 is good": "mamb", "##a2"
    word_ids = [0, 0, 1, 2]
    assert decode_tags([tid["O"], tid["I-METHOD"], tid["O"], tid["B-TASK"]], offsets, word_ids) == [(0, 7, "METHOD"), (11, 15, "TASK")]


def test_model_for_chooses_directories():
    assert model_for("accurate") == str(EXTRACTORS["accurate"])
    assert model_for("accurate", "/x") == "/x"
    assert model_for(None) is None
    with pytest.raises(ValueError):
        model_for("medium")


@needs_model
def test_accurate_pipeline_finds_mentions_with_exact_offsets():
    nlp = load_pipeline(ACCURATE_MODEL)
    assert "kg_encoder_ner" in nlp.pipe_names and "ner" not in nlp.pipe_names
    text = ("Graph Neural Networks for Node Classification\nWe train graph neural networks (GNNs) and BERT "
            "on ImageNet and report accuracy and F1 for node classification.")
    doc = nlp(text)
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert ents, "no mentions found"
    for s, e, _ in ents:
        assert text[s:e] == text[s:e].strip() and text[s:e]
    found = {(text[s:e], lab) for s, e, lab in ents}
    assert ("ImageNet", "DATASET") in found
    assert ("accuracy", "METRIC") in found
    scores = [e._.score for e in doc.ents if e._.score is not None]
    assert scores and all(0.0 < s <= 1.0 for s in scores)


@needs_model
def test_accurate_pipeline_windows_long_texts_and_empty_ones():
    nlp = load_pipeline(ACCURATE_MODEL)
    sentence = "We evaluate ResNet-50 on ImageNet and CIFAR-10 with top-1 accuracy. "
    text = sentence * 60  # about 1,000 pieces: many windows
    doc = nlp(text)
    starts = {e.start_char for e in doc.ents if e.text == "ImageNet"}
    expected = {i * len(sentence) + sentence.index("ImageNet") for i in range(60)}
    assert len(starts & expected) >= 55  # the same sentence is read the same way in every window
    assert list(nlp("").ents) == []
    assert list(nlp("   \n  ").ents) == []


@needs_model
@pytest.mark.slow
def test_kg_extract_with_the_accurate_extractor(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "We fine-tune BERT on SQuAD and report exact match and F1."}) + "\n")
    out = tmp_path / "out.jsonl"
    res = subprocess.run([sys.executable, "-m", "kg", "extract", str(src), "--extractor", "accurate", "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    row = json.loads(out.read_text().splitlines()[0])
    texts = {(e["text"], e["label"]) for e in row["entities"]}
    assert ("SQuAD", "DATASET") in texts
    assert any(lab == "METHOD" and "BERT" in t for t, lab in texts)
