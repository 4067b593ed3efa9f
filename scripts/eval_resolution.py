"""Measure kg's concept resolution against hand-made alias groups (``aliases_dev.json``).

The gold file lists groups of surface forms that name one concept (``merge``) and pairs that
look alike but must stay apart (``keep_apart``). The forms are resolved *as they occur in the
papers*: every occurrence of every form in the papers' texts becomes a mention (longest form
first, no overlaps, whole words only, case-sensitive), each paper also gets the abbreviation
pairs kg's detector (``kg_abbreviations``) finds in it, and ``kg.resolve.resolve`` runs over
these extractions exactly as ``kg build`` runs it.

Mention types: ``--labels ner`` (default when the trained pipeline is installed) takes the
label kg's NER gives that exact span, else the label the NER gives the same form most often in
the corpus, else METHOD; ``--labels single`` gives every mention METHOD (resolution alone,
without typing noise).

Figures: pairwise merge precision and recall over pairs of forms that belong to gold groups
(a form's concept is the concept most of its occurrences resolve to), and keep-apart
violations (a pair counts as violated when any occurrence of one shares a concept with any
occurrence of the other). Forms that never occur are reported and left out.

Usage::

    .venv/bin/python scripts/eval_resolution.py [--gold ../shared/data/aliases_dev.json]
        [--papers kg/data/sample] [--labels ner|single] [--show-errors] [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from kg.models import Extraction, Mention, Paper
from kg.nlp.abbreviations import find_abbreviations
from kg.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "aliases_dev.json"

_SENTENCE_END = re.compile(r"\n|(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def load_gold(path: Path) -> tuple[list[list[str]], list[tuple[str, str]]]:
    """``(merge groups, keep-apart pairs)`` of an aliases file; a malformed file stops with its path."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        groups = [list(g) for g in data["merge"]]
        apart = [tuple(p) for p in data["keep_apart"]]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SystemExit(f"{path}: not an aliases file ({exc})") from None
    if any(len(p) != 2 for p in apart):
        raise SystemExit(f"{path}: every keep_apart entry must be a pair")
    return groups, apart


def load_papers(inputs: list[Path]) -> list[Paper]:
    from kg.ingest import IngestReport, iter_papers

    return list(iter_papers(inputs, report=IngestReport()))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: the title line, then breaks after . ! ? before a capital or digit."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def find_occurrences(text: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of the forms (the alternation is ordered longest first)."""
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def forms_pattern(forms: list[str]) -> re.Pattern:
    ordered = sorted(set(forms), key=lambda f: (-len(f), f))
    alternation = "|".join(re.escape(f) for f in ordered)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?!\w)")


def ner_labeller(papers: list[Paper]):
    """``label(paper_id, start, end, form)`` from kg's trained NER, or None when it is not installed."""
    try:
        from kg.nlp import load_pipeline

        nlp = load_pipeline()
    except (FileNotFoundError, OSError, ImportError):
        return None
    exact: dict[tuple[str, int, int], str] = {}
    by_form: dict[str, Counter] = defaultdict(Counter)
    for paper, doc in zip(papers, nlp.pipe((p.text for p in papers), batch_size=32)):
        for ent in doc.ents:
            exact[(paper.id, ent.start_char, ent.end_char)] = ent.label_
            by_form[ent.text][ent.label_] += 1

    def label(paper_id: str, start: int, end: int, form: str) -> str:
        if (paper_id, start, end) in exact:
            return exact[(paper_id, start, end)]
        if by_form.get(form):
            return min(by_form[form].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return "METHOD"

    return label


def build_extractions(papers: list[Paper], forms: list[str], labeller=None) -> list[Extraction]:
    """One extraction per paper: the gold forms' occurrences as mentions, plus detected abbreviations."""
    pattern = forms_pattern(forms)
    out = []
    for paper in papers:
        text = paper.text
        sentences = split_sentences(text)
        mentions = []
        si = 0
        for start, end in find_occurrences(text, pattern):
            while si + 1 < len(sentences) and sentences[si][1] <= start:
                si += 1
            form = text[start:end]
            label = labeller(paper.id, start, end, form) if labeller else "METHOD"
            mentions.append(Mention(start, end, label, form, si, source="eval"))
        out.append(Extraction(paper.id, sentences, mentions, find_abbreviations(text, sentences)))
    return out


def evaluate(papers: list[Paper], groups: list[list[str]], apart: list[tuple[str, str]], labeller=None) -> dict:
    """Merge precision/recall and keep-apart violations of ``kg.resolve`` on these papers."""
    forms = sorted({f for g in groups for f in g} | {f for p in apart for f in p})
    extractions = build_extractions(papers, forms, labeller)
    resolution = resolve(extractions, {p.id: p for p in papers})
    concepts_of: dict[str, Counter] = defaultdict(Counter)
    for ext in extractions:
        for i, m in enumerate(ext.mentions):
            cid = resolution.concept_of(ext.paper_id, i)
            if cid is not None:
                concepts_of[m.text][cid] += 1
    majority = {f: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for f, c in concepts_of.items()}
    group_of = {}
    for gi, g in enumerate(groups):
        for f in g:
            group_of[f] = gi
    present = sorted(f for f in group_of if f in majority)
    tp = fp = fn = 0
    false_merges, missed = [], []
    for a, b in itertools.combinations(present, 2):
        same_gold = group_of[a] == group_of[b]
        same_pred = majority[a] == majority[b]
        if same_pred and same_gold:
            tp += 1
        elif same_pred:
            fp += 1
            false_merges.append((a, b, majority[a]))
        elif same_gold:
            fn += 1
            missed.append((a, b, majority[a], majority[b]))
    violations = []
    checked = 0
    for a, b in apart:
        if a in concepts_of and b in concepts_of:
            checked += 1
            shared = set(concepts_of[a]) & set(concepts_of[b])
            if shared:
                violations.append((a, b, sorted(shared)))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "papers": len(papers),
        "mentions": sum(len(e.mentions) for e in extractions),
        "forms_in_groups": len(group_of),
        "forms_found": len(present),
        "forms_missing": sorted(f for f in group_of if f not in majority),
        "gold_pairs": tp + fn,
        "merge_precision": round(precision, 4),
        "merge_recall": round(recall, 4),
        "true_merges": tp,
        "false_merges": false_merges,
        "missed_merges": missed,
        "keep_apart_checked": checked,
        "keep_apart_violations": violations,
        "concepts": len(resolution.concepts),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--papers", type=Path, nargs="*", default=None, help="paper files or folders (default: the bundled sample)")
    ap.add_argument("--labels", choices=("ner", "single"), default="ner")
    ap.add_argument("--show-errors", action="store_true", help="list false and missed merges")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    from kg.ingest import SAMPLE_DIR

    groups, apart = load_gold(args.gold)
    papers = load_papers(args.papers or [SAMPLE_DIR])
    labeller = ner_labeller(papers) if args.labels == "ner" else None
    if args.labels == "ner" and labeller is None:
        print("(no trained NER installed: every mention is labelled METHOD)", file=sys.stderr)
    result = evaluate(papers, groups, apart, labeller)
    result["labels"] = "ner" if labeller else "single"
    print(f"{args.gold.name} on {result['papers']} papers, {result['mentions']} mentions, labels: {result['labels']}")
    print(f"forms found {result['forms_found']}/{result['forms_in_groups']}; gold pairs {result['gold_pairs']}")
    print(f"merge precision {result['merge_precision']:.3f}  recall {result['merge_recall']:.3f}")
    print(f"keep-apart violations {len(result['keep_apart_violations'])} of {result['keep_apart_checked']} pairs found")
    if args.show_errors:
        for a, b, c in result["false_merges"]:
            print(f"  false merge: {a!r} + {b!r} -> {c}")
        for a, b, ca, cb in result["missed_merges"]:
            print(f"  missed: {a!r} ({ca}) / {b!r} ({cb})")
        for a, b, shared in result["keep_apart_violations"]:
            print(f"  violation: {a!r} / {b!r} share {shared}")
        if result["forms_missing"]:
            print("  not in the papers: " + ", ".join(result["forms_missing"]))
    if args.json:
        from kg.output import atomic_write_text

        atomic_write_text(args.json, json.dumps(result, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
