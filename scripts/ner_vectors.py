#!/usr/bin/env python
"""Static word vectors for kg's NER, learned from the raw text of the training corpora.

No download: the vectors are a truncated SVD of the positive pointwise mutual information
(PPMI) matrix of word co-occurrences (Levy, Goldberg & Dagan 2015, "Improving distributional
similarity with lessons learned from word embeddings": window 4 with 1/distance weights,
context-distribution smoothing 0.75, eigenvalue weighting 0.5), computed with SciPy on the
text of every ``train/*.jsonl`` file except TDMSci's carved dev split. Words are lower-cased,
and the vectors are keyed on spaCy's ``LOWER`` attribute.

The output is a spaCy pipeline directory holding only the vectors, for ``[initialize]
vectors``; ``scripts/train_ner.py --vectors DIR`` uses it. Deterministic (fixed SVD start).

Example::

    .venv/bin/python scripts/ner_vectors.py --out training/vectors --rows 20000 --dim 96
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def corpus_token_ids(data: Path, rows: int, min_count: int) -> tuple[list[str], list[np.ndarray]]:
    """The vocabulary (most frequent lower-cased words) and each text as an id array (-1: other)."""
    import spacy

    from kg.nlp.corpus import read_records
    from train_ner import tdmsci_is_dev

    tokenizer = spacy.blank("en").tokenizer
    texts = []
    for path in sorted((data / "train").glob("*.jsonl")):
        for r in read_records(path):
            if path.stem == "tdmsci" and tdmsci_is_dev(r.id):
                continue
            texts.append([t.lower_ for t in tokenizer(r.text) if not t.is_space])
    counts = Counter(w for t in texts for w in t)
    vocab = [w for w, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= min_count][:rows]
    index = {w: i for i, w in enumerate(vocab)}
    return vocab, [np.array([index.get(w, -1) for w in t], dtype=np.int64) for t in texts]


def ppmi_svd(ids: list[np.ndarray], n: int, dim: int, window: int = 4, alpha: float = 0.75, seed: int = 0) -> np.ndarray:
    """Row-normalised ``n x dim`` word vectors from windowed co-occurrence counts."""
    stream = np.concatenate([np.append(a, -1) for a in ids])  # -1 also separates texts
    rows, cols, weights = [], [], []
    for d in range(1, window + 1):
        a, b = stream[:-d], stream[d:]
        ok = (a >= 0) & (b >= 0)
        for r, c in ((a[ok], b[ok]), (b[ok], a[ok])):
            rows.append(r)
            cols.append(c)
            weights.append(np.full(len(r), 1.0 / d))
    m = sparse.coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
    total = m.sum()
    word = np.asarray(m.sum(axis=1)).ravel()
    ctx = np.asarray(m.sum(axis=0)).ravel() ** alpha
    ctx = ctx / ctx.sum()
    m = m.tocoo()
    pmi = np.log((m.data / total) / ((word[m.row] / total) * ctx[m.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=(n, n))
    v0 = np.random.default_rng(seed).standard_normal(n)
    u, s, _ = svds(ppmi, k=dim, v0=v0)
    order = np.argsort(-s)
    vectors = u[:, order] * np.sqrt(s[order])
    # fix the sign of each dimension (SVD leaves it arbitrary) so reruns agree exactly
    vectors *= np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(dim)])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-8)).astype(np.float32)


def write_vectors(vocab: list[str], vectors: np.ndarray, out: Path) -> None:
    """Save a spaCy pipeline directory holding only these vectors (keyed on LOWER)."""
    import spacy
    from spacy.training.initialize import convert_vectors

    with tempfile.TemporaryDirectory() as tmp:
        txt = Path(tmp) / "vectors.txt"
        with txt.open("w", encoding="utf-8") as fh:
            fh.write(f"{len(vocab)} {vectors.shape[1]}\n")
            for word, vec in zip(vocab, vectors):
                if word.strip() and " " not in word:
                    fh.write(word + " " + " ".join(f"{x:.5f}" for x in vec) + "\n")
        nlp = spacy.blank("en")
        convert_vectors(nlp, txt, truncate=0, prune=-1, mode="default", attr="LOWER")
        out.parent.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "vectors")
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--dim", type=int, default=96)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--window", type=int, default=4)
    args = ap.parse_args(argv)
    t0 = time.time()
    vocab, ids = corpus_token_ids(args.data, args.rows, args.min_count)
    print(f"{sum(len(a) for a in ids)} tokens, {len(vocab)} words ({time.time() - t0:.0f}s)", flush=True)
    vectors = ppmi_svd(ids, len(vocab), args.dim, args.window)
    write_vectors(vocab, vectors, args.out)
    print(f"wrote {args.out} ({time.time() - t0:.0f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
