"""Train kg's relation classifier on SciERC's training relations; write the packaged model.

Every pair of entities in a sentence with at most ``MAX_ENTITIES_BETWEEN`` entities between
them is one example, labelled ``NONE`` or ``>LABEL`` / ``<LABEL`` (the gold relation, left to
right or right to left). Entities are SciERC's gold entities, all types (the ``ORIG:*`` ones
too), flattened the way a flat NER would see them (longest span where spans nest). An
averaged perceptron (:mod:`kg.nlp.relation_classifier`) is trained for ``--epochs`` passes in
an order fixed by ``--seed``: the same data and seed give the same file, byte for byte.

Usage::

    .venv/bin/python scripts/train_relations.py [--train ../shared/data/train/scierc.jsonl]
        [--epochs 12] [--seed 13] [--out kg/nlp/model/kg_relations/model.json.gz]

Then ``scripts/eval_relations.py`` measures it on SciERC dev.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path

from kg.nlp.relation_classifier import MAX_ENTITIES_BETWEEN, MODEL_PATH, NONE, AveragedPerceptron, candidate_pairs, pair_features

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_relations import flat_entities, read_records, split_sentences  # noqa: E402

DEFAULT_TRAIN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "train" / "scierc.jsonl"


def examples(records: list[dict]) -> list[tuple[list[str], str]]:
    """``(features, label)`` for every candidate pair of every sentence."""
    out = []
    for r in records:
        text = r["text"]
        ents = flat_entities(r["entities"])
        gold = {(tuple(x["head"]), tuple(x["tail"])): x["label"] for x in r.get("relations", [])}
        for s0, s1 in split_sentences(text):
            local = [e for e in ents if s0 <= e[0] < s1]
            for i, j, _n in candidate_pairs(local):
                a, b = local[i][:2], local[j][:2]
                label = NONE
                if (a, b) in gold:
                    label = ">" + gold[(a, b)]
                elif (b, a) in gold:
                    label = "<" + gold[(b, a)]
                out.append((pair_features(text, (s0, s1), local, i, j), label))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    data = examples(read_records(args.train))
    model = AveragedPerceptron()
    model.train(data, epochs=args.epochs, seed=args.seed)
    margins = []
    for feats, y in data:
        guess, margin = model.predict(feats)
        if guess == y and y != NONE:
            margins.append(margin)
    # logistic scale that maps the median margin of correct training predictions to 0.9
    scale = statistics.median(margins) / 2.1972 if margins else 1.0
    meta = {
        "trained_on": args.train.name,
        "examples": len(data),
        "epochs": args.epochs,
        "seed": args.seed,
        "max_entities_between": MAX_ENTITIES_BETWEEN,
        "margin_scale": round(scale, 4),
    }
    payload = gzip.compress(model.to_json(meta), mtime=0)
    from kg.output import atomic_open

    with atomic_open(args.out, "wb", encoding=None) as fh:
        fh.write(payload)
    print(f"{len(data)} examples, {len(model.weights)} features -> {args.out} ({len(payload) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
