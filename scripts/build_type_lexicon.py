"""Derive kg's type lexicon (``kg/data/lexicons/type_lexicon.tsv``) from ``../shared/lexicons/``.

The shared lists (Papers with Code tasks, datasets and benchmark names, metric strings; CSO
topic labels; provenance in ``../shared/lexicons/PROVENANCE.txt``) are noisy: benchmark
settings ("ImageNet - 10 steps"), sentence fragments, common words used as names ("Places"),
one-letter metrics. The resolver uses the result only as an extra vote when a concept's type
vote is undecided (:mod:`kg.resolve.lexicon`), so this script keeps only entries that look like
names a paper would write, and drops:

* entries shorter than 3 letters or digits or with fewer than 2 letters ("16k"), longer than 6 words, or holding characters of
  settings and fragments (``( ) [ ] : / % # < > = ? ! * , ;``, " - ", " vs ", "@");
* names the typed lists disagree on (the same matching form under two labels);
* TASK names altogether (they still count for the filter above): Papers with Code lists many
  methods as tasks ("Retrieval Augmented Generation", "Transfer Learning", "Network Pruning",
  "Model Selection"), and as votes they turned such METHOD concepts into tasks: all 6 type
  changes they made on the bundled sample and the 1 on the guideline dev set (which it made
  wrong) were METHOD -> TASK (docs/resolution.md);
* DATASET and METRIC names that are also CSO topic labels (a research topic, not a name:
  "question answering" listed as a benchmark);
* single words that are common English in the corpus: written in lower case inside sentences of
  the arXiv abstracts more often than as the list writes them ("Places", "Wild", "Time"), and
  lower-case single-word DATASET and METRIC names the corpus writes as plain words ("cars").

Usage::

    .venv/bin/python scripts/build_type_lexicon.py [--lexicons ../shared/lexicons]
        [--corpus ../shared/corpora/arxiv_ml.jsonl.gz] [--out kg/data/lexicons/type_lexicon.tsv]

The output is sorted and deterministic for the same inputs; it prints what each filter removed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.resolve.labels import label_fold  # noqa: E402
from kg.resolve.normalize import clean_form  # noqa: E402

SOURCES = (  # file, label, columns holding names
    ("pwc_tasks.tsv", "TASK", ("name",)),
    ("pwc_datasets.tsv", "DATASET", ("name", "variants")),
    ("pwc_benchmark_datasets.tsv", "DATASET", ("name",)),
    ("pwc_metrics.tsv", "METRIC", ("name",)),
)
#: Labels written to the lexicon (TASK names are read only to find names the lists disagree on).
EMITTED = ("DATASET", "METRIC")
BAD_CHARS = re.compile(r"[()\[\]:/%#<>=?!*,;@]| - | vs\.? ", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
MAX_WORDS = 6


def read_typed(folder: Path) -> list[tuple[str, str]]:
    """``(name, label)`` of every typed list entry, variants split on " | "."""
    out = []
    for name, label, columns in SOURCES:
        with open(folder / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                for col in columns:
                    for part in (row.get(col) or "").split(" | "):
                        part = clean_form(part)
                        if part:
                            out.append((part, label))
    return out


def read_cso(folder: Path) -> set[str]:
    with open(folder / "cso_topic_labels.csv", encoding="utf-8", newline="") as fh:
        return {label_fold(row[0]) for row in csv.reader(fh) if row and row[0] != "Label"}


def shaped_like_a_name(name: str) -> bool:
    """Long enough, short enough, and no characters of settings or fragments."""
    return sum(ch.isalnum() for ch in name) >= 3 and sum(ch.isalpha() for ch in name) >= 2 and len(name.split()) <= MAX_WORDS and not BAD_CHARS.search(name)


def corpus_words(path: Path) -> Counter:
    """Exact-case word counts inside sentences (not a sentence's first word) of the corpus' abstracts."""
    counts: Counter = Counter()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            abstract = json.loads(line).get("abstract") or ""
            for sentence in re.split(r"(?<=[.!?])\s+", abstract):
                words = WORD.findall(sentence)
                counts.update(words[1:])
    return counts


def common_word(name: str, label: str, words: Counter) -> bool:
    """A single word the corpus writes in lower case more often than the list writes it (a
    lower-case DATASET or METRIC name: at all, 5 times)."""
    if " " in name:
        return False
    lower = words.get(name.lower(), 0)
    if name.islower():
        return label != "TASK" and lower >= 5
    return lower >= 5 and lower > words.get(name, 0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lexicons", type=Path, default=ROOT.parent / "shared" / "lexicons")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "arxiv_ml.jsonl.gz")
    ap.add_argument("--out", type=Path, default=ROOT / "kg" / "data" / "lexicons" / "type_lexicon.tsv")
    args = ap.parse_args()

    typed = read_typed(args.lexicons)
    removed: Counter = Counter()
    kept: dict[str, dict[str, str]] = defaultdict(dict)  # fold -> label -> the first spelling seen
    for name, label in typed:
        if not shaped_like_a_name(name):
            removed["shape"] += 1
            continue
        kept[label_fold(name)].setdefault(label, name)
    disputed = {fold for fold, labels in kept.items() if len(labels) > 1}
    removed["in two typed lists"] = len(disputed)
    cso = read_cso(args.lexicons)
    words = corpus_words(args.corpus)
    rows = []
    for fold, labels in kept.items():
        if fold in disputed:
            continue
        (label, name), = labels.items()
        if label not in EMITTED:
            removed[f"{label} (not emitted)"] += 1
            continue
        if label in ("DATASET", "METRIC") and fold in cso:
            removed["DATASET/METRIC that is a CSO topic"] += 1
            continue
        if common_word(name, label, words):
            removed["common word in the corpus"] += 1
            continue
        rows.append((name, label))
    rows.sort(key=lambda r: (r[1], label_fold(r[0]), r[0]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write("name\tlabel\n")
        for name, label in rows:
            fh.write(f"{name}\t{label}\n")
    tmp.replace(args.out)
    print(f"read {len(typed)} typed entries; kept {len(rows)} names ({dict(Counter(l for _, l in rows))})")
    for reason, n in removed.items():
        print(f"  removed ({reason}): {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
