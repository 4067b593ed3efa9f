"""scripts/check_names.py on a hand-made build output."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("kg_check_names", Path(__file__).resolve().parents[2] / "scripts" / "check_names.py")
check_names = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = check_names
_spec.loader.exec_module(check_names)


def test_labels_written_by_one_paper_are_reported(tmp_path, capsys):
    nodes = [
        {"id": "dataset/kitti", "kind": "concept", "type": "DATASET", "label": "Karlsruhe Institute of Technology",
         "aliases": [["KITTI", 12], ["Karlsruhe Institute of Technology", 1]], "paper_count": 12, "mention_count": 13},
        {"id": "metric/bleu", "kind": "concept", "type": "METRIC", "label": "BLEU", "aliases": [["BLEU", 10]], "paper_count": 10, "mention_count": 10},
    ]
    (tmp_path / "graph.json").write_text(json.dumps({"nodes": nodes}))
    rows = [{"paper": f"p{i}", "text": "KITTI", "concept": "dataset/kitti", "sentence": "On KITTI."} for i in range(11)]
    rows.append({"paper": "p11", "text": "Karlsruhe Institute of Technology (KITTI)", "concept": "dataset/kitti", "sentence": "x"})
    rows += [{"paper": f"q{i}", "text": "BLEU", "concept": "metric/bleu", "sentence": "BLEU."} for i in range(10)]
    (tmp_path / "mentions.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert check_names.main([str(tmp_path), "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 concepts: **50.00%**" in out
    assert "| dataset/kitti | 12 | Karlsruhe Institute of Technology (1) | KITTI (11) |" in out


def test_a_folder_without_outputs_is_an_error(tmp_path, capsys):
    assert check_names.main([str(tmp_path)]) == 2
    assert "missing graph.json, mentions.jsonl" in capsys.readouterr().err
