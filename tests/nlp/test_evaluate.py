"""Scoring (kg eval): strict and overlap matching, ignored labels, the CLI."""

import json

import pytest
import spacy

from kg.cli import main
from kg.nlp import register_components
from kg.nlp.evaluate import evaluate_file, format_table, score_spans


def test_strict_and_overlap_counts():
    gold = [(0, 4, "METHOD"), (10, 20, "TASK"), (30, 35, "METRIC")]
    pred = [(0, 4, "METHOD"), (12, 20, "TASK"), (30, 35, "TASK"), (40, 44, "DATASET")]
    result = score_spans([(gold, pred)], ["METHOD", "TASK", "METRIC"])
    strict, overlap = result["strict"], result["overlap"]
    assert strict["micro"]["tp"] == 1 and strict["micro"]["pred"] == 3 and strict["micro"]["gold"] == 3
    assert strict["METHOD"]["f1"] == 1.0 and strict["TASK"]["f1"] == 0.0
    # overlap: the shortened TASK counts, the mislabelled METRIC span does not; DATASET is ignored
    assert overlap["micro"]["tp"] == 2 and overlap["micro"]["tp_gold"] == 2
    assert overlap["TASK"]["precision"] == 0.5 and overlap["TASK"]["recall"] == 1.0
    assert overlap["METRIC"]["recall"] == 0.0


@pytest.fixture()
def ruler_model(tmp_path):
    """A real (rule-based) pipeline directory: sentences, an entity ruler, output labels."""
    register_components()
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_sentences")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "METHOD", "pattern": "BERT"},
            {"label": "DATASET", "pattern": "SQuAD"},
            {"label": "X_GENERIC", "pattern": "approach"},
            {"label": "TASK", "pattern": [{"LOWER": "question"}, {"LOWER": "answering"}]},
        ]
    )
    nlp.add_pipe("kg_output_labels")
    path = tmp_path / "model"
    nlp.to_disk(path)
    return path


@pytest.fixture()
def gold_file(tmp_path):
    text = "BERT does question answering on SQuAD. Our approach beats BERT."
    ents = [
        {"start": 0, "end": 4, "label": "METHOD"},
        {"start": 10, "end": 28, "label": "TASK"},
        {"start": 43, "end": 51, "label": "ORIG:Generic"},
        {"start": 58, "end": 62, "label": "TASK"},  # a deliberate disagreement
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"id": "1", "text": text, "entities": ents}) + "\n", encoding="utf-8")
    return path


def test_evaluate_file_runs_the_pipeline_and_ignores_unannotated_labels(ruler_model, gold_file):
    result = evaluate_file(gold_file, model=ruler_model)
    assert result["labels"] == ["METHOD", "TASK"]  # no DATASET gold: SQuAD is not scored
    micro = result["strict"]["micro"]
    assert (micro["tp"], micro["pred"], micro["gold"]) == (2, 3, 3)
    assert result["strict"]["METHOD"]["precision"] == 0.5
    assert result["pipeline"].startswith("kg-ner ")
    table = format_table(result)
    assert "METHOD" in table and "micro" in table and "DATASET" not in table.split("\n", 1)[1]


def test_evaluate_file_with_explicit_labels(ruler_model, gold_file):
    result = evaluate_file(gold_file, model=ruler_model, labels=["DATASET", "METHOD"])
    assert result["labels"] == ["METHOD", "DATASET"]
    assert result["strict"]["DATASET"]["pred"] == 1 and result["strict"]["DATASET"]["gold"] == 0
    with pytest.raises(ValueError, match="unknown label"):
        evaluate_file(gold_file, model=ruler_model, labels=["Material"])


def test_kg_eval_cli(ruler_model, gold_file, tmp_path, capsys):
    assert main(["eval", str(gold_file), "--model", str(ruler_model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["strict"]["micro"]["f1"] == pytest.approx(2 / 3, abs=1e-3)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "abc", "entities": [{"start": 2, "end": 9, "label": "TASK"}]}\n')
    assert main(["eval", str(bad), "--model", str(ruler_model)]) == 2
    assert f"{bad}:1" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.jsonl"), "--model", str(ruler_model)]) == 5
