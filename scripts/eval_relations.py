"""Precision, recall and F1 of kg's relation extraction on SciERC's annotated relations.

Two settings (the classifier of kg.nlp.relation_classifier when installed, and the rules
alone for comparison):

* ``gold`` (default): the gold entities of each abstract (all SciERC types, including the
  ``ORIG:*`` ones, since relations connect them) are given; only the relations are predicted;
* ``predicted``: end to end, the entities come from kg's spaCy pipeline (``kg.nlp.load_pipeline``);
  a relation counts only when both predicted spans match gold spans exactly.

A predicted relation is correct when its head span, tail span and label equal a gold one.
kg writes a metric that evaluates a method or task as ``X MEASURED-BY M``; SciERC writes
``M EVALUATE-FOR X``, so MEASURED-BY is turned around before scoring.

Usage::

    .venv/bin/python scripts/eval_relations.py [--data ../shared/data/dev/scierc.jsonl]
        [--setting gold|predicted|both] [--json out.json]
"""

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from kg.nlp.relation_classifier import load_model
from kg.nlp.relations import doc_relations

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "scierc.jsonl"
SCIERC_LABELS = ("USED-FOR", "EVALUATE-FOR", "COMPARE", "HYPONYM-OF", "PART-OF", "FEATURE-OF", "CONJUNCTION")

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")


def read_records(path: Path) -> list[dict]:
    """SciERC records of the shared format; a bad line stops with its file and line number."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{lineno}: not JSON: {exc}") from None
    return records


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: a full stop, question or exclamation mark followed by blanks and a capital."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def flat_entities(entities: list[dict]) -> list[tuple[int, int, str]]:
    """Non-overlapping entities, longest first where spans nest (as a flat NER would give)."""
    chosen: list[tuple[int, int, str]] = []
    for e in sorted(entities, key=lambda e: (-(e["end"] - e["start"]), e["start"])):
        if all(e["end"] <= s or e["start"] >= t for s, t, _ in chosen):
            chosen.append((e["start"], e["end"], e["label"]))
    return sorted(chosen)


def to_scierc(head: tuple[int, int], tail: tuple[int, int], label: str) -> tuple:
    """A predicted relation in SciERC's convention (MEASURED-BY turned into EVALUATE-FOR)."""
    if label == "MEASURED-BY":
        return (tail, head, "EVALUATE-FOR")
    return (head, tail, label)


def predict(text: str, ents: list[tuple[int, int, str]], sentences: list[tuple[int, int]], use_model: bool = True) -> set[tuple]:
    relations, _ = doc_relations(text, sentences, ents, load_model() if use_model else None)
    out = set()
    for h, t, label, _rule, _conf in relations:
        out.add(to_scierc(ents[h][:2], ents[t][:2], label))
    return out


def gold_relations(record: dict) -> set[tuple]:
    return {(tuple(r["head"]), tuple(r["tail"]), r["label"]) for r in record.get("relations", [])}


def score(pairs: list[tuple[set, set]]) -> dict:
    """Per-label and micro precision/recall/F1 over ``[(predicted, gold)]`` per record."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for pred, gold in pairs:
        for rel in pred:
            (tp if rel in gold else fp)[rel[2]] += 1
        for rel in gold - pred:
            fn[rel[2]] += 1
    table = {}
    for label in list(SCIERC_LABELS) + ["micro"]:
        if label == "micro":
            t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        else:
            t, p, n = tp[label], fp[label], fn[label]
        prec = t / (t + p) if t + p else 0.0
        rec = t / (t + n) if t + n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        table[label] = {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4), "tp": t, "fp": p, "fn": n}
    return table


def evaluate_gold(records: list[dict], use_model: bool = True) -> dict:
    pairs = []
    for r in records:
        ents = flat_entities(r["entities"])
        pairs.append((predict(r["text"], ents, split_sentences(r["text"]), use_model), gold_relations(r)))
    return score(pairs)


def evaluate_predicted(records: list[dict], model: str | None = None) -> dict:
    from kg.nlp import load_pipeline

    nlp = load_pipeline(model)
    pairs = []
    for r, doc in zip(records, nlp.pipe(r["text"] for r in records)):
        ents = [(e.start_char, e.end_char) for e in doc.ents]
        pred = set()
        for h, t, label, _rule, _conf in doc._.relations or []:
            pred.add(to_scierc(ents[h], ents[t], label))
        pairs.append((pred, gold_relations(r)))
    return score(pairs)


def format_table(title: str, table: dict) -> str:
    lines = [title, f"{'label':<14}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for label, row in table.items():
        lines.append(f"{label:<14}{row['p']:>8.3f}{row['r']:>8.3f}{row['f1']:>8.3f}{row['tp']:>6}{row['fp']:>6}{row['fn']:>6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--setting", choices=("gold", "predicted", "both"), default="gold")
    ap.add_argument("--model", default=None, help="spaCy pipeline directory for --setting predicted")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    records = read_records(args.data)
    result = {}
    if args.setting in ("gold", "both"):
        result["gold_entities_rules"] = evaluate_gold(records, use_model=False)
        print(format_table(f"{args.data.name}: relations given gold entities, rules only", result["gold_entities_rules"]))
        result["gold_entities"] = evaluate_gold(records)
        print(format_table(f"{args.data.name}: relations given gold entities, classifier (kg's default)", result["gold_entities"]))
    if args.setting in ("predicted", "both"):
        result["predicted_entities"] = evaluate_predicted(records, args.model)
        print(format_table(f"{args.data.name}: relations end to end (predicted entities)", result["predicted_entities"]))
    if args.json:
        from kg.output import atomic_write_text

        atomic_write_text(args.json, json.dumps(result, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
