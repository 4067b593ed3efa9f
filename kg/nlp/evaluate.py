"""Scoring the extractor against gold annotations (``kg eval``).

Two matchings, per label and micro-averaged:

* **strict**: a prediction is right when its span and label equal a gold entity's;
* **overlap**: a prediction is right when it shares at least one character with a gold entity
  of the same label (precision counts such predictions, recall such gold entities).

Only kg's four labels are scored, and only those the gold file annotates: ``ORIG:*`` gold
labels are ignored, and so are predictions of a label the file has no gold entity of (SciERC
does not annotate DATASET, so a DATASET prediction on SciERC is neither right nor wrong). The
full pipeline runs on each record's text, exactly as ``kg extract`` would.

Example
-------
>>> from kg.nlp.evaluate import prf
>>> prf(tp=8, n_pred=10, n_gold=16)
(0.8, 0.5, 0.6153846153846154)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kg.models import LABELS
from kg.nlp.corpus import GoldRecord, read_records

Span3 = tuple[int, int, str]


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _overlaps(a: Span3, b: Span3) -> bool:
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def score_spans(pairs: Iterable[tuple[Sequence[Span3], Sequence[Span3]]], labels: Sequence[str]) -> dict[str, Any]:
    """Strict and overlap scores over ``(gold, predicted)`` span lists, one pair per text.

    Spans are ``(start, end, label)``; labels outside ``labels`` are ignored on both sides.
    Returns ``{"strict": {label: {...}, "micro": {...}}, "overlap": {...}}`` where each cell
    has ``precision``, ``recall``, ``f1``, ``tp``, ``pred`` and ``gold`` (overlap cells count
    ``tp`` on the prediction side and ``tp_gold`` on the gold side).
    """
    wanted = set(labels)
    counts = {mode: {lab: {"tp": 0, "tp_gold": 0, "pred": 0, "gold": 0} for lab in labels} for mode in ("strict", "overlap")}
    for gold, pred in pairs:
        g = {s for s in gold if s[2] in wanted}
        p = {s for s in pred if s[2] in wanted}
        for s in g:
            counts["strict"][s[2]]["gold"] += 1
            counts["overlap"][s[2]]["gold"] += 1
            counts["overlap"][s[2]]["tp_gold"] += any(_overlaps(s, q) for q in p)
        for s in p:
            counts["strict"][s[2]]["pred"] += 1
            counts["overlap"][s[2]]["pred"] += 1
            counts["strict"][s[2]]["tp"] += s in g
            counts["overlap"][s[2]]["tp"] += any(_overlaps(s, q) for q in g)
        for s in g & p:
            counts["strict"][s[2]]["tp_gold"] += 1
    result: dict[str, Any] = {}
    for mode, per_label in counts.items():
        table = {}
        total = {"tp": 0, "tp_gold": 0, "pred": 0, "gold": 0}
        for lab, c in per_label.items():
            table[lab] = _cell(c)
            for k in total:
                total[k] += c[k]
        table["micro"] = _cell(total)
        result[mode] = table
    return result


def _cell(c: dict[str, int]) -> dict[str, Any]:
    p = c["tp"] / c["pred"] if c["pred"] else 0.0
    r = c["tp_gold"] / c["gold"] if c["gold"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), **c}


def gold_labels(records: Iterable[GoldRecord]) -> list[str]:
    """kg's labels that occur in the gold records, in :data:`kg.models.LABELS` order."""
    seen = {e.label for r in records for e in r.entities}
    return [lab for lab in LABELS if lab in seen]


def evaluate_file(gold_path: str | Path, model: str | Path | None = None, labels: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the pipeline on every record of ``gold_path`` and score ``doc.ents`` against the gold.

    Parameters
    ----------
    gold_path
        A JSONL file in ``../shared/data`` format.
    model
        A pipeline directory; None for the packaged one.
    labels
        Labels to score; default: kg's labels present in the file.

    Returns
    -------
    dict
        ``file``, ``records``, ``labels``, ``pipeline`` (its version string), ``seconds``,
        ``records_per_second``, and the ``strict`` / ``overlap`` tables of :func:`score_spans`.

    Raises
    ------
    kg.nlp.corpus.CorpusError
        On a malformed record (the message names the file and line).
    ValueError
        When a requested label is not one of kg's four.
    """
    from kg.nlp import load_pipeline, pipeline_version

    records = list(read_records(gold_path))
    if labels:
        unknown = [lab for lab in labels if lab not in LABELS]
        if unknown:
            raise ValueError(f"unknown label(s) {', '.join(unknown)}; kg's labels are {', '.join(LABELS)}")
        labels = [lab for lab in LABELS if lab in labels]
    else:
        labels = gold_labels(records)
    nlp = load_pipeline(model)
    t0 = time.perf_counter()
    docs = nlp.pipe((r.text for r in records), batch_size=64)
    pairs = []
    for record, doc in zip(records, docs):
        gold = [(e.start, e.end, e.label) for e in record.entities]
        pred = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        pairs.append((gold, pred))
    seconds = time.perf_counter() - t0
    result = score_spans(pairs, labels)
    result.update(
        file=str(gold_path),
        records=len(records),
        labels=list(labels),
        pipeline=pipeline_version(model),
        seconds=round(seconds, 3),
        records_per_second=round(len(records) / seconds, 1) if seconds else None,
    )
    return result


def format_table(result: dict[str, Any]) -> str:
    """The result of :func:`evaluate_file` as a fixed-width text table."""
    lines = [
        f"{result.get('file', '')}: {result.get('records', 0)} records, pipeline {result.get('pipeline', '?')}",
        "",
        f"{'label':<8} {'gold':>6} {'pred':>6} | {'strict P':>8} {'R':>6} {'F1':>6} | {'overlap P':>9} {'R':>6} {'F1':>6}",
        "-" * 72,
    ]
    for lab in [*result["labels"], "micro"]:
        s, o = result["strict"][lab], result["overlap"][lab]
        if lab == "micro":
            lines.append("-" * 72)
        lines.append(
            f"{lab:<8} {s['gold']:>6} {s['pred']:>6} | {s['precision']:>8.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} |"
            f" {o['precision']:>9.3f} {o['recall']:>6.3f} {o['f1']:>6.3f}"
        )
    return "\n".join(lines)
