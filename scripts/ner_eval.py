#!/usr/bin/env python
"""Dev figures of a pipeline on every dev corpus, and its most frequent errors on one of them.

Runs :func:`kg.nlp.evaluate.evaluate_file` (what ``kg eval`` runs) on SciERC, SciER and SciNLP
dev and on TDMSci's carved dev split, and prints one line per corpus (strict and overlap
micro-F1) or, with ``--tables``, the full per-label tables. ``--errors N`` lists the N most
frequent false positives and false negatives (strict) on ``--errors-on`` (default SciERC dev),
and ``--json FILE`` saves everything.

Example::

    .venv/bin/python scripts/ner_eval.py                                  # the packaged model
    .venv/bin/python scripts/ner_eval.py --model training/v1/model/model-best --errors 20
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from kg.nlp import load_pipeline  # noqa: E402
from kg.nlp.corpus import read_records  # noqa: E402
from kg.nlp.evaluate import evaluate_file, format_table, gold_labels  # noqa: E402


#: kg's own dev set: arXiv abstracts annotated by GUIDELINE.md (scripts/guideline_data.py).
GUIDELINE_DEV = ROOT / "data" / "guideline" / "guideline_dev.jsonl"


def dev_files(data: Path, work: Path) -> dict[str, Path]:
    """The dev sets: the released ones and TDMSci's carved split (written if absent)."""
    from train_ner import tdmsci_is_dev, write_jsonl

    tdmsci = work / "tdmsci_dev.jsonl"
    if not tdmsci.exists():
        write_jsonl([r for r in read_records(data / "train" / "tdmsci.jsonl") if tdmsci_is_dev(r.id)], tdmsci)
    return {
        "scierc": data / "dev" / "scierc.jsonl",
        "scier": data / "dev" / "scier.jsonl",
        "scinlp": data / "dev" / "scinlp.jsonl",
        "tdmsci": tdmsci,
        **({"guideline": GUIDELINE_DEV} if GUIDELINE_DEV.is_file() else {}),
    }


def frequent_errors(path: Path, model: str | None, n: int) -> dict[str, list[tuple[str, int]]]:
    """The ``n`` most frequent strict false positives and false negatives, as "text (LABEL)"."""
    records = list(read_records(path))
    labels = set(gold_labels(records))
    nlp = load_pipeline(model)
    fp, fn = Counter(), Counter()
    for record, doc in zip(records, nlp.pipe(r.text for r in records)):
        gold = {(e.start, e.end, e.label) for e in record.entities if e.label in labels}
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in labels}
        for s, e, lab in pred - gold:
            fp[f"{record.text[s:e]} ({lab})"] += 1
        for s, e, lab in gold - pred:
            fn[f"{record.text[s:e]} ({lab})"] += 1
    return {"false_positives": fp.most_common(n), "false_negatives": fn.most_common(n)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=ROOT / "training")
    ap.add_argument("--corpora", nargs="*", default=None)
    ap.add_argument("--tables", action="store_true")
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument("--errors-on", default="scierc")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--assemble", action="store_true", help="--model is a training checkpoint: assemble the full pipeline around it first")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=JSON", help="config overrides for --assemble, e.g. components.kg_span_repair.drop_heads=true")
    ap.add_argument("--gazetteer", type=Path, default=None, help="phrases for kg_gazetteer with --assemble")
    args = ap.parse_args(argv)
    if args.assemble:
        from train_ner import assemble

        from kg.nlp import register_components

        register_components()
        phrases = json.loads(args.gazetteer.read_text()) if args.gazetteer else []
        nlp = assemble(Path(args.model), {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}, phrases)
        target = Path(args.model).parent / ("assembled-" + "-".join(args.set + [str(args.gazetteer)]).replace("/", "_"))
        nlp.to_disk(target)
        args.model = str(target)
    files = dev_files(args.data, args.work)
    results = {}
    for name, path in files.items():
        if args.corpora and name not in args.corpora:
            continue
        res = evaluate_file(path, model=args.model)
        results[name] = res
        if args.tables:
            print(format_table(res) + "\n")
        s, o = res["strict"]["micro"], res["overlap"]["micro"]
        print(f"{name:<8} strict P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} | overlap F1 {o['f1']:.3f}", flush=True)
    # the mean over the four public corpora, comparable with every earlier figure; the guideline
    # set is reported on its own line above
    four = [r["strict"]["micro"]["f1"] for name, r in results.items() if name != "guideline"]
    macro = sum(four) / max(len(four), 1)
    print(f"{'macro':<8} strict F1 {macro:.3f} (scierc, scier, scinlp, tdmsci)")
    out = {"dev": results, "macro_strict_f1": round(macro, 4)}
    if args.errors:
        errors = frequent_errors(files[args.errors_on], args.model, args.errors)
        out["errors"] = {args.errors_on: errors}
        for kind, rows in errors.items():
            print(f"\n{kind} on {args.errors_on}:")
            for text, count in rows:
                print(f"  {count:>3}  {text}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
