#!/usr/bin/env python
"""Silver labels for distillation: the accurate extractor's mentions on unlabeled arXiv abstracts.

The fast CNN learns from gold corpora plus these labels (``scripts/train_ner.py --silver-file``),
so that it imitates the encoder on in-domain text (issue 18's distillation).

Which abstracts: a seeded random sample of ``../shared/corpora/arxiv_ml.jsonl.gz`` in file order,
leaving out

* every abstract of the guideline pool (``data/guideline/pool.jsonl``: its dev abstracts are how
  the result is judged, its train abstracts are learned from as gold), and
* any abstract that contains the text of a dev record (SciERC, SciER, SciNLP dev files, TDMSci's
  carved dev split) of 60 characters or more, so no dev sentence is learned from.

Output, one line per abstract, in the shared corpus format that ``kg.nlp.corpus.read_records``
reads: ``{"id", "text", "entities": [{"start", "end", "label", "score"}], "source": "silver"}``,
``text`` being kg's ``title + "\\n" + abstract``. Labelling runs ``kg extract --extractor
accurate`` (the shipped int8 model, span rules included) in a subprocess per ``--jobs``
share; a rerun reuses finished shares (the run can be cut off at any time).

Example::

    .venv/bin/python scripts/silver_labels.py --n 12000 --jobs 2 --out training/silver/silver-12000.jsonl
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

CORPUS = ROOT.parent / "shared" / "corpora" / "arxiv_ml.jsonl.gz"
POOL = ROOT / "data" / "guideline" / "pool.jsonl"
MIN_DEV_TEXT = 60


def dev_texts(data: Path) -> list[str]:
    """The dev records' texts (whitespace collapsed) long enough to identify a leak."""
    from kg.nlp.corpus import read_records
    from train_ner import tdmsci_is_dev

    texts = []
    for corpus in ("scierc", "scier", "scinlp"):
        texts += [r.text for r in read_records(data / "dev" / f"{corpus}.jsonl")]
    texts += [r.text for r in read_records(data / "train" / "tdmsci.jsonl") if tdmsci_is_dev(r.id)]
    return sorted({" ".join(t.split()) for t in texts if len(" ".join(t.split())) >= MIN_DEV_TEXT})


def draw(n: int, seed: int, data: Path) -> tuple[list[dict], dict]:
    """``n`` abstracts ``{"id", "text"}`` (seeded, in corpus order) and counts of what was left out."""
    pool = {json.loads(line)["id"] for line in POOL.read_text(encoding="utf-8").splitlines() if line.strip()}
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    leaks = dev_texts(data)
    picked, skipped = [], {"guideline_pool": 0, "contains_dev_text": 0, "empty": 0}
    for i in order:
        if len(picked) >= n:
            break
        row = rows[i]
        if row["id"] in pool:
            skipped["guideline_pool"] += 1
            continue
        if not (row.get("title") or "").strip() or not (row.get("abstract") or "").strip():
            skipped["empty"] += 1
            continue
        text = f"{row['title']}\n{row['abstract']}"
        flat = " ".join(text.split())
        if any(t in flat for t in leaks):
            skipped["contains_dev_text"] += 1
            continue
        picked.append({"id": row["id"], "text": text})
    picked.sort(key=lambda r: r["id"])
    return picked, skipped


def label_share(share: list[dict], path: Path) -> None:
    """Run ``kg extract --extractor accurate`` on one share, writing ``path`` atomically."""
    src = path.with_suffix(".in.jsonl")
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in share), encoding="utf-8")
    tmp = path.with_suffix(".part")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    kg = Path(sys.executable).with_name("kg")
    subprocess.run([str(kg), "extract", "-q", "--extractor", "accurate", "--jobs", "1", str(src), "--out", str(tmp)], check=True, env=env)
    tmp.replace(path)
    src.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=12000, help="abstracts to label")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--jobs", type=int, default=2, help="labelling processes (one thread each)")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    t0 = time.time()
    records, skipped = draw(args.n, args.seed, args.data)
    print(f"drew {len(records):,} abstracts; left out {skipped}", flush=True)
    # finished shares are reused only by a rerun of the same draw (same --n, --seed, --jobs)
    parts_dir = args.out.with_name(f"{args.out.stem}.n{args.n}-s{args.seed}.parts")
    parts_dir.mkdir(parents=True, exist_ok=True)
    shares = [records[i :: args.jobs] for i in range(args.jobs)]
    parts = [parts_dir / f"share-{i}-of-{args.jobs}.jsonl" for i in range(args.jobs)]
    procs = []
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(args.jobs) as pool:
        for share, part in zip(shares, parts):
            if not part.exists():  # finished shares of an earlier run are kept
                procs.append(pool.submit(label_share, share, part))
        for p in procs:
            p.result()
    texts = {r["id"]: r["text"] for r in records}
    n_ents = 0
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for part in parts:
            for line in part.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                ents = [{"start": e["start"], "end": e["end"], "label": e["label"], "score": round(e.get("score", 1.0), 4)} for e in row["entities"]]
                n_ents += len(ents)
                out.write(json.dumps({"id": row["id"], "text": texts[row["id"]], "entities": ents, "source": "silver"}, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    print(f"wrote {args.out}: {len(records):,} abstracts, {n_ents:,} mentions in {time.time() - t0:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
