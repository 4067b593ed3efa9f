#!/usr/bin/env python
"""Tune the accurate extractor's decoding on the dev sets: arg-max or BIO-constrained Viterbi, and ``o_bias``.

The encoder over-predicts on corpora annotated more sparsely than kg's guideline (recall well
above precision on every dev set). Scaling the probability of O by ``exp(o_bias)`` before the
arg-max moves that balance. This script runs the ONNX encoder once per dev record, then
decodes with each candidate bias and scores the raw spans (strict micro-F1, the labels each
corpus annotates); it prints a table and, with ``--write``, stores the bias with the best mean
over the five dev sets (four public corpora + the guideline set) in the component's cfg.json.

Example::

    .venv/bin/python scripts/tune_encoder.py --model kg/nlp/model_accurate --write
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from kg.nlp import ACCURATE_MODEL, load_pipeline  # noqa: E402
from kg.nlp.corpus import read_records  # noqa: E402
from kg.nlp.encoder_tags import decode_tags  # noqa: E402
from kg.nlp.evaluate import gold_labels, score_spans  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ACCURATE_MODEL)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=ROOT / "training")
    ap.add_argument("--biases", default="-0.5,0,0.5,1")
    ap.add_argument("--decodes", default="argmax,viterbi")
    ap.add_argument("--corpora", nargs="*", default=None)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    from ner_eval import dev_files

    nlp = load_pipeline(args.model)
    comp = nlp.get_pipe("kg_encoder_ner")
    biases = [(d, float(b)) for d in args.decodes.split(",") for b in args.biases.split(",")]
    table: dict = {b: {} for b in biases}
    for name, path in dev_files(args.data, args.work).items():
        if args.corpora and name not in args.corpora:
            continue
        recs = list(read_records(path))
        labels = gold_labels(recs)
        outs = comp.probabilities([r.text for r in recs])
        for b in biases:
            comp.cfg["decode"], comp.cfg["o_bias"] = b
            pairs = [([(e.start, e.end, e.label) for e in r.entities], decode_tags(comp.tags(p).tolist(), enc.offsets, enc.word_ids))
                     for r, (enc, p) in zip(recs, outs)]
            table[b][name] = round(score_spans(pairs, labels)["strict"]["micro"]["f1"], 4)
        print(name, {b: table[b][name] for b in biases}, flush=True)
    for b in biases:
        table[b]["mean"] = round(sum(table[b].values()) / len(table[b]), 4)
    best = max(biases, key=lambda b: table[b]["mean"])
    for b in biases:
        print(b, table[b])
    print("best", best)
    if args.write:
        cfg_path = args.model / "kg_encoder_ner" / "cfg.json"
        cfg = json.loads(cfg_path.read_text())
        cfg["decode"], cfg["o_bias"] = best
        cfg_path.write_text(json.dumps(cfg, indent=1, sort_keys=True) + "\n")
        print(f"o_bias {best} written to {cfg_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
