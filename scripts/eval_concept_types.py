"""Concept types with and without lexicon votes, and how mention scores relate to correctness.

On an annotated file (default: the guideline dev set, gold spans with all four labels):

* the extractor's mentions are resolved twice, with the packaged lexicon and without
  (``resolve(..., lexicon={})``); for each concept that has at least one mention matching a
  gold span exactly, the gold type is the majority gold label of those spans (ties: the order of
  ``kg.models.LABELS``), and the concept-type accuracy is the share of such concepts whose type
  is the gold type; "mention label accuracy" is the same per gold-matched mention, for the
  NER's own label and for its concept's type;
* precision of the mentions by score bin (strict: span and label), which is what a
  ``--min-confidence`` on the encoder's scores removes.

With ``--sample`` it also resolves the bundled sample (extraction cache in ``--cache-dir``) with
and without lexicon votes and lists the concepts whose type changes.

Usage::

    .venv/bin/python scripts/eval_concept_types.py [--extractor fast|accurate] [--gold FILE]
        [--sample --cache-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import extract_papers  # noqa: E402
from kg.models import LABELS, Paper  # noqa: E402
from kg.nlp import model_for  # noqa: E402
from kg.nlp.corpus import read_records  # noqa: E402
from kg.resolve import resolve  # noqa: E402

BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001)


def _papers_of(records) -> list[Paper]:
    out = []
    for i, r in enumerate(records):
        title, _, abstract = r.text.partition("\n")
        out.append(Paper(id=f"record:{i}", title=title, abstract=abstract, source_id=r.id))
    return out


def type_accuracy(records, papers, extractions, lexicon) -> dict:
    res = resolve(extractions, {p.id: p for p in papers}, lexicon=lexicon)
    gold_votes: dict[str, Counter] = defaultdict(Counter)
    mention_ner = mention_concept = mentions = 0
    for record, ext in zip(records, extractions):
        gold = {(e.start, e.end): e.label for e in record.entities}
        for i, m in enumerate(ext.mentions):
            cid = res.concept_of(ext.paper_id, i)
            label = gold.get((m.start, m.end))
            if cid is None or label is None:
                continue
            gold_votes[cid][label] += 1
            mentions += 1
            mention_ner += m.label == label
            mention_concept += res.concepts[cid].type == label
    right = 0
    for cid, votes in gold_votes.items():
        gold_type = min(votes, key=lambda lab: (-votes[lab], LABELS.index(lab)))
        right += res.concepts[cid].type == gold_type
    return {
        "resolution": res,
        "concepts": len(res.concepts),
        "judged": len(gold_votes),
        "accuracy": right / len(gold_votes) if gold_votes else 0.0,
        "right": right,
        "mentions": mentions,
        "ner_label_accuracy": mention_ner / mentions if mentions else 0.0,
        "concept_type_accuracy": mention_concept / mentions if mentions else 0.0,
        "ambiguous": sum(c.ambiguous_type for c in res.concepts.values()),
    }


def changed_types(with_lex, without_lex) -> list[tuple[str, str, str, dict]]:
    """``(label, type without, type with, votes)`` of the clusters whose type the lexicon changed."""
    by_label_without = {(c.label, frozenset(c.aliases)): c for c in without_lex.concepts.values()}
    out = []
    for c in with_lex.concepts.values():
        other = by_label_without.get((c.label, frozenset(c.aliases)))
        if other is not None and other.type != c.type:
            out.append((c.label, other.type, c.type, c.type_votes, c.paper_count))
    return sorted(out, key=lambda r: (-r[4], r[0]))


def score_bins(records, extractions) -> list[tuple[str, int, float]]:
    counts = [[0, 0] for _ in BINS[:-1]]
    for record, ext in zip(records, extractions):
        gold = {(e.start, e.end, e.label) for e in record.entities}
        for m in ext.mentions:
            b = next(i for i in range(len(BINS) - 1) if BINS[i] <= m.score < BINS[i + 1])
            counts[b][0] += 1
            counts[b][1] += (m.start, m.end, m.label) in gold
    return [(f"[{BINS[i]:.2f}, {min(BINS[i + 1], 1.0):.2f}{']' if BINS[i + 1] > 1 else ')'}", n, ok / n if n else 0.0)
            for i, (n, ok) in enumerate(counts) if n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--extractor", choices=("fast", "accurate"), default="fast")
    ap.add_argument("--gold", type=Path, default=ROOT / "data" / "guideline" / "guideline_dev.jsonl")
    ap.add_argument("--sample", action="store_true", help="also compare types on the bundled sample")
    ap.add_argument("--cache-dir", type=Path, default=None, help="extraction cache for --sample")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    model = model_for(args.extractor)

    records = list(read_records(args.gold))
    papers = _papers_of(records)
    extractions = list(extract_papers(papers, model=model, jobs=args.jobs, cache_dir=None))
    print(f"## {args.gold.name}, extractor {args.extractor}: {len(records)} records, "
          f"{sum(len(e.mentions) for e in extractions)} mentions\n")
    print("| lexicon votes | concepts | judged (gold-matched) | concept-type accuracy | ambiguous | mention: NER label right | mention: concept type right |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    results = {}
    for name, lexicon in (("without", {}), ("with", None)):
        r = results[name] = type_accuracy(records, papers, extractions, lexicon)
        print(f"| {name} | {r['concepts']} | {r['judged']} | {r['accuracy']:.3f} ({r['right']}) | {r['ambiguous']} | "
              f"{r['ner_label_accuracy']:.3f} | {r['concept_type_accuracy']:.3f} |")
    changed = changed_types(results["with"]["resolution"], results["without"]["resolution"])
    print(f"\nconcept types the lexicon changed: {len(changed)}")
    for label, old, new, votes, n in changed[:20]:
        print(f"- {label}: {old} -> {new} (votes {votes}, {n} papers)")
    print("\n| mention score | mentions | strict precision |\n|---|---:|---:|")
    for name, n, p in score_bins(records, extractions):
        print(f"| {name} | {n} | {p:.3f} |")

    if args.sample:
        from kg.ingest import SAMPLE_DIR, iter_papers

        sample = list(iter_papers([SAMPLE_DIR]))
        exts = list(extract_papers(sample, model=model, jobs=args.jobs, cache_dir=args.cache_dir))
        by_id = {p.id: p for p in sample}
        without = resolve(exts, by_id, lexicon={})
        with_lex = resolve(exts, by_id)
        changed = changed_types(with_lex, without)
        print(f"\n## bundled sample ({len(sample)} papers), extractor {args.extractor}: {len(with_lex.concepts)} concepts, "
              f"ambiguous without / with lexicon: {sum(c.ambiguous_type for c in without.concepts.values())} / "
              f"{sum(c.ambiguous_type for c in with_lex.concepts.values())}; types changed by the lexicon: {len(changed)}")
        for label, old, new, votes, n in changed[:30]:
            print(f"- {label}: {old} -> {new} (votes {votes}, {n} papers)")
        for name in ("Qwen3", "Gemini 2.5 Pro", "SMOTE"):
            hits = [c for c in with_lex.concepts.values() if name.casefold() in {a.casefold() for a in c.aliases}]
            for c in hits:
                print(f"  {name}: {c.id} type {c.type} votes {c.type_votes} ambiguous {c.ambiguous_type} confidence {c.confidence}")
        singles = [c for c in with_lex.concepts.values() if c.paper_count == 1]
        for threshold in (0.3, 0.4, 0.45):
            print(f"  singletons below {threshold}: {sum(c.confidence < threshold for c in singles)} of {len(singles)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
