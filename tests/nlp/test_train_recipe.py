"""The data-side rules of scripts/train_ner.py: dev carving, label reconciliation, masking."""

import importlib.util
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Span

from kg.nlp.corpus import UNKNOWN_LABEL, GoldEntity, GoldRecord

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def train_ner():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "scripts" / "train_ner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tdmsci_dev_split_is_a_fixed_function_of_the_id(train_ner):
    ids = [f"tdmsci-{i}" for i in range(2000)]
    dev = [i for i in ids if train_ner.tdmsci_is_dev(i)]
    assert dev == [i for i in ids if train_ner.tdmsci_is_dev(i)]
    assert 0.12 < len(dev) / len(ids) < 0.18  # about TDMSCI_DEV_PERCENT


def test_parse_weights_rejects_unknown_corpora(train_ner):
    assert train_ner.parse_weights("scierc=4,scier=1.5") == {"scierc": 4.0, "scier": 1.5}
    with pytest.raises(SystemExit, match="unknown corpus 'imdb'"):
        train_ner.parse_weights("imdb=2")


def test_guideline_labels_makes_broad_families_methods(train_ner):
    text = "Machine learning for machine translation with deep learning."
    record = GoldRecord("r", text, [GoldEntity(0, 16, "TASK"), GoldEntity(21, 40, "TASK"), GoldEntity(46, 59, "TASK")])
    labels = [(text[e.start : e.end], e.label) for e in train_ner.guideline_labels(record).entities]
    assert labels == [("Machine learning", "METHOD"), ("machine translation", "TASK"), ("deep learning", "METHOD")]


class FakeTeacher:
    """Tags fixed token spans, like a pipeline whose ``doc.ents`` hold kg's labels."""

    def __init__(self, spans):
        self.nlp = spacy.blank("en")
        self.spans = spans

    def pipe(self, texts, batch_size=64):
        for text in texts:
            doc = self.nlp(text)
            doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in self.spans]
            yield doc


def test_mask_missing_labels_marks_only_unannotated_labels(train_ner):
    # TDMSci annotates no METHOD: the teacher's METHOD becomes unknown, its TASK is ignored,
    # and a METHOD overlapping a gold span is left alone
    text = "We use BERT for question answering on SQuAD ."
    gold = [GoldEntity(16, 34, "TASK"), GoldEntity(38, 43, "DATASET")]
    teacher = FakeTeacher([(2, 3, "METHOD"), (4, 6, "TASK"), (7, 8, "METHOD")])
    (record,), masked = train_ner.mask_missing_labels([GoldRecord("r", text, gold)], "tdmsci", teacher)
    assert masked == 1
    assert [(text[e.start : e.end], e.label) for e in record.entities] == [
        ("question answering", "TASK"),
        ("SQuAD", "DATASET"),
        ("BERT", UNKNOWN_LABEL),
    ]
    # a corpus that annotates all four labels is left as it is
    same, n = train_ner.mask_missing_labels([GoldRecord("r", text, gold)], "scirex", teacher)
    assert n == 0 and same[0].entities == gold


def test_mask_missing_labels_turns_scierc_material_datasets_unknown(train_ner):
    text = "Results on Penn Treebank ."
    gold = [GoldEntity(11, 24, "ORIG:Material")]
    teacher = FakeTeacher([(2, 4, "DATASET")])
    (record,), masked = train_ner.mask_missing_labels([GoldRecord("r", text, gold)], "scierc", teacher)
    assert masked == 1 and record.entities == [GoldEntity(11, 24, UNKNOWN_LABEL)]


def test_without_dropped_spans_leaves_out_what_span_repair_drops(train_ner):
    text = "Training with a learning rate of 0.1 on real images and CIFAR-10 improves top-1 accuracy."
    spans = [("Training", "TASK"), ("learning rate", "METRIC"), ("real images", "DATASET"), ("CIFAR-10", "DATASET"), ("top-1 accuracy", "METRIC")]
    gold = [GoldEntity(text.index(t), text.index(t) + len(t), lab) for t, lab in spans]
    gold.append(GoldEntity(0, 8, "ORIG:Generic"))  # auxiliary labels are not judged by kg's rules
    kept = train_ner.without_dropped_spans(GoldRecord("r", text, gold), spacy.blank("en").tokenizer).entities
    assert [(text[e.start : e.end], e.label) for e in kept] == [
        ("CIFAR-10", "DATASET"),
        ("top-1 accuracy", "METRIC"),
        ("Training", "ORIG:Generic"),
    ]


def test_decay_turns_the_learn_rate_into_a_schedule_the_config_resolves(train_ner, tmp_path):
    from spacy.util import load_config
    from thinc.api import registry
    constant = train_ner.overrides(train_ner.parse_args(["--learn-rate", "0.002"]), tmp_path)
    assert constant["training.optimizer.learn_rate"] == 0.002
    decayed = train_ner.overrides(train_ner.parse_args(["--decay", "--steps", "1000"]), tmp_path)
    schedule = decayed["training.optimizer.learn_rate"]
    assert schedule["total_steps"] == 1000 and schedule["initial_rate"] == 0.001
    config = load_config(train_ner.CONFIG, overrides={"training.optimizer.learn_rate": schedule}, interpolate=False)
    opt = registry.resolve({"o": config["training"]["optimizer"]})["o"]
    rates = []
    for _ in range(1000):
        rates.append(opt.learn_rate)
        opt.step_schedules()
    assert rates[0] < rates[train_ner.DECAY_WARMUP] == pytest.approx(0.001, rel=0.01)
    assert rates[-1] < 0.00001


def test_silver_records_make_unsure_teacher_mentions_unknown(train_ner, tmp_path):
    import json

    text = "BERT on SQuAD\nWe report F1."
    rows = [{"id": "a", "text": text, "source": "silver", "entities": [
        {"start": 0, "end": 4, "label": "METHOD", "score": 0.97},
        {"start": 8, "end": 13, "label": "DATASET", "score": 0.41},
        {"start": 24, "end": 26, "label": "METRIC"},  # no score: taken as sure
    ]}]
    path = tmp_path / "silver.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (record,) = train_ner.load_train_records(tmp_path, "silver", None, 0, silver_file=path, silver_min_score=0.5)
    assert [(text[e.start : e.end], e.label) for e in record.entities] == [("BERT", "METHOD"), ("SQuAD", UNKNOWN_LABEL), ("F1", "METRIC")]
    assert train_ner.load_train_records(tmp_path, "silver", 0, 0, silver_file=path) == []


def test_guideline_and_silver_are_corpora_with_all_four_labels(train_ner, tmp_path):
    from kg.models import LABELS

    assert train_ner.parse_weights("guideline=3,silver=1") == {"guideline": 3.0, "silver": 1.0}
    assert train_ner.CORPUS_LABELS["guideline"] == LABELS == train_ner.CORPUS_LABELS["silver"]
    assert train_ner.corpus_file(tmp_path, "guideline") == ROOT / "data" / "guideline" / "guideline_train.jsonl"
    with pytest.raises(SystemExit, match="--silver-file"):
        train_ner.corpus_file(tmp_path, "silver")
    records = train_ner.load_train_records(tmp_path, "guideline", None, 0)
    assert len(records) == 200 and sum(len(r.entities) for r in records) > 3000
