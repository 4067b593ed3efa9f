"""The guideline annotation set: draw abstracts, place annotated surface strings, score agreement.

Annotators (people, or anyone following ``../shared/GUIDELINE.md``) write, per abstract, the
*surface strings* of its mentions with their labels; this script places them as character
offsets, so nobody counts characters by hand, and flags what it cannot place unambiguously.

Subcommands
-----------
``sample``  draw the pool from ``../shared/corpora/arxiv_ml.jsonl.gz``: 80 abstracts from each
            primary category cs.LG, cs.CV, cs.CL, cs.AI (seeded), 30 of each for dev and the
            rest for train, 8 of each dev stratum marked for a second, independent pass;
            writes ``data/guideline/pool.jsonl`` and one ``batches/batch_N.jsonl`` per annotator.
``place``   read ``annotations/*.jsonl`` and write ``guideline_train.jsonl`` and
            ``guideline_dev.jsonl`` in the shared corpus format, plus ``placement_report.txt``.
``check``   place one annotation file and print what could not be placed (``--show``: the spans).
``agree``   strict F1 between the first and the second pass on the doubly annotated abstracts.

Annotation format (one JSON object per line)::

    {"id": "arXiv:...", "pass": 1, "mentions": [["graph neural networks", "METHOD"],
                                                ["GNNs", "METHOD"],
                                                ["accuracy", "METRIC", "top-1 accuracy"]]}

Each ``[surface, label]`` marks *every* whole-word occurrence of ``surface`` in the text
(``title + "\\n" + abstract``, kg's offsets contract), case-sensitively; "whole word" means the
characters around it are not letters or digits, so ``CNN`` matches in ``CNN-based`` but not in
``CNNs``. An optional third element restricts the string to occurrences inside that longer
context string (for a word that is a mention in one place and not in another). ``["x", "O"]``
(label O) marks occurrences that must *not* be annotated and wins over shorter matches.
Overlapping matches keep the longest (the guideline's flat rule); ties are reported.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "data" / "guideline"
CORPUS = ROOT.parent / "shared" / "corpora" / "arxiv_ml.jsonl.gz"
STRATA = ("cs.LG", "cs.CV", "cs.CL", "cs.AI")
PER_STRATUM, DEV_PER_STRATUM, DOUBLE_PER_STRATUM = 80, 30, 8
LABELS = ("METHOD", "DATASET", "METRIC", "TASK")
SEED = 20261206


def text_of(rec: dict) -> str:
    """kg's text of a paper: title, newline, abstract (``kg.models.paper_text``)."""
    return f"{rec['title']}\n{rec['abstract']}"


def sample(n_batches: int = 4) -> None:
    """Draw the pool and the annotators' batches (deterministic for the corpus and seed)."""
    by_stratum: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            cats = rec.get("categories") or []
            if cats and cats[0] in STRATA and 80 <= len(rec["abstract"].split()) <= 350:
                by_stratum[cats[0]].append(rec)
    rng = random.Random(SEED)
    pool = []
    for stratum in STRATA:
        chosen = rng.sample(by_stratum[stratum], PER_STRATUM)
        for i, rec in enumerate(chosen):
            split = "dev" if i < DEV_PER_STRATUM else "train"
            pool.append({"id": rec["id"], "title": rec["title"], "abstract": rec["abstract"], "stratum": stratum,
                         "split": split, "double": i < DOUBLE_PER_STRATUM})
    HERE.mkdir(parents=True, exist_ok=True)
    _write_jsonl(HERE / "pool.jsonl", pool)
    batches: list[list[dict]] = [[] for _ in range(n_batches)]
    for i, rec in enumerate(pool):
        batches[i % n_batches].append({**rec, "pass": 1})
    doubles = [(i % n_batches, rec) for i, rec in enumerate(pool) if rec["double"]]
    for owner, rec in doubles:  # the second pass goes to the next annotator, who never sees the first
        batches[(owner + 1) % n_batches].append({**rec, "pass": 2})
    (HERE / "batches").mkdir(exist_ok=True)
    for n, batch in enumerate(batches, 1):
        _write_jsonl(HERE / "batches" / f"batch_{n}.jsonl",
                     [{"id": r["id"], "pass": r["pass"], "text": text_of(r)} for r in batch])
    print(f"pool: {len(pool)} abstracts, {sum(r['split'] == 'dev' for r in pool)} dev, "
          f"{len(doubles)} doubly annotated; {n_batches} batches of {[len(b) for b in batches]}")


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    """Whole-word, case-sensitive occurrences of ``surface`` in ``text``.

    >>> occurrences("A CNN-based CNNs CNN.", "CNN")
    [(2, 5), (17, 20)]
    """
    if not surface:
        return []
    pat = re.compile(r"(?<![0-9A-Za-z])" + re.escape(surface) + r"(?![0-9A-Za-z])")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def place(text: str, mentions: list[list[str]]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Character spans for one abstract's annotated strings, and the problems found.

    Longest match wins where matches overlap (the guideline's flat rule); an ``O`` entry blocks
    the shorter matches it covers and is not emitted.

    >>> place("Graph neural networks (GNNs) beat GCN on Cora.", [["Graph neural networks", "METHOD"],
    ...       ["GNNs", "METHOD"], ["GCN", "METHOD"], ["Cora", "DATASET"], ["neural networks", "METHOD"]])
    ([(0, 21, 'METHOD'), (23, 27, 'METHOD'), (34, 37, 'METHOD'), (41, 45, 'DATASET')], [])
    """
    problems: list[str] = []
    cands: list[tuple[int, int, str]] = []
    for m in mentions:
        surface, label = m[0], m[1]
        if label not in LABELS and label != "O":
            problems.append(f"unknown label {label!r} for {surface!r}")
            continue
        spans = occurrences(text, surface)
        if len(m) > 2:
            ctx = [(s, e) for s, e in occurrences(text, m[2])] or [(s, s + len(m[2])) for s in _find_all(text, m[2])]
            if not ctx:
                problems.append(f"context not found: {m[2]!r}")
            spans = [(s, e) for s, e in spans if any(cs <= s and e <= ce for cs, ce in ctx)]
        if not spans:
            problems.append(f"not found: {surface!r} ({label})")
        cands.extend((s, e, label) for s, e in spans)
    # same span, two labels: a real ambiguity; keep the first given, report it
    by_span: dict[tuple[int, int], str] = {}
    for s, e, lab in cands:
        if (s, e) in by_span and by_span[(s, e)] != lab:
            problems.append(f"two labels for {text[s:e]!r}: {by_span[(s, e)]} and {lab}")
            continue
        by_span.setdefault((s, e), lab)
    chosen: list[tuple[int, int, str]] = []
    for (s, e), lab in sorted(by_span.items(), key=lambda kv: (-(kv[0][1] - kv[0][0]), kv[0][0])):
        if any(s < ce and cs < e for cs, ce, _ in chosen):
            continue
        chosen.append((s, e, lab))
    return sorted((s, e, lab) for s, e, lab in chosen if lab != "O"), problems


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def read_annotations() -> dict[tuple[str, int], list[list[str]]]:
    """``(id, pass) -> mentions`` from every file in ``annotations/`` (later lines win)."""
    out: dict[tuple[str, int], list[list[str]]] = {}
    for path in sorted((HERE / "annotations").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out[(row["id"], int(row.get("pass", 1)))] = [list(m) for m in row["mentions"]]
            except (ValueError, KeyError, TypeError) as exc:
                print(f"{path}:{n}: skipped: {exc}", file=sys.stderr)
    return out


def place_all() -> None:
    """Write the train and dev files in the shared corpus format, and the placement report."""
    pool = {r["id"]: r for r in map(json.loads, (HERE / "pool.jsonl").read_text(encoding="utf-8").splitlines())}
    ann = read_annotations()
    rows: dict[str, list[dict]] = {"train": [], "dev": []}
    report: list[str] = []
    counts: Counter = Counter()
    for pid, rec in pool.items():
        if (pid, 1) not in ann:
            report.append(f"{pid}: not annotated yet")
            continue
        text = text_of(rec)
        spans, problems = place(text, ann[(pid, 1)])
        report.extend(f"{pid}: {p}" for p in problems)
        counts.update(lab for _, _, lab in spans)
        rows[rec["split"]].append({"id": pid, "text": text,
                                   "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in spans],
                                   "source": "guideline"})
    for split, recs in rows.items():
        _write_jsonl(HERE / f"guideline_{split}.jsonl", recs)
    (HERE / "placement_report.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"train {len(rows['train'])}, dev {len(rows['dev'])} abstracts; mentions {dict(counts)}; "
          f"{len(report)} report lines")


def agreement() -> dict:
    """Strict micro P/R/F1 of the second pass against the first, on the doubly annotated abstracts."""
    pool = {r["id"]: r for r in map(json.loads, (HERE / "pool.jsonl").read_text(encoding="utf-8").splitlines())}
    ann = read_annotations()
    tp = n1 = n2 = 0
    per_label: Counter = Counter()
    ids = sorted(pid for pid, p in ann if p == 2 and (pid, 1) in ann)
    for pid in ids:
        text = text_of(pool[pid])
        a, _ = place(text, ann[(pid, 1)])
        b, _ = place(text, ann[(pid, 2)])
        sa, sb = set(a), set(b)
        tp += len(sa & sb)
        n1 += len(sa)
        n2 += len(sb)
        for s in sa & sb:
            per_label[s[2]] += 1
    p = tp / n2 if n2 else 0.0
    r = tp / n1 if n1 else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    result = {"abstracts": len(ids), "pass1_mentions": n1, "pass2_mentions": n2, "agreed": tp, "strict_f1": round(f, 3)}
    print(json.dumps(result))
    return result


def check(path: Path, show: bool = False) -> None:
    """Place one annotation file against the pool and print its problems (and spans with ``show``)."""
    pool = {r["id"]: r for r in map(json.loads, (HERE / "pool.jsonl").read_text(encoding="utf-8").splitlines())}
    n = 0
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["id"] not in pool:
            print(f"{path}:{line_no}: unknown id {row['id']}")
            continue
        text = text_of(pool[row["id"]])
        spans, problems = place(text, [list(m) for m in row["mentions"]])
        n += 1
        for p in problems:
            print(f"{path}:{line_no}: {row['id']} pass {row.get('pass', 1)}: {p}")
        if show:
            print(row["id"], " | ".join(f"{text[s:e]}/{lab[:3]}" for s, e, lab in spans))
    print(f"{n} abstracts checked")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("sample", "place", "agree", "check"))
    ap.add_argument("file", nargs="?", type=Path, help="for check: an annotation file")
    ap.add_argument("--show", action="store_true", help="for check: print the placed spans")
    args = ap.parse_args(argv)
    if args.command == "check":
        check(args.file, args.show)
        return 0
    {"sample": sample, "place": place_all, "agree": agreement}[args.command]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
