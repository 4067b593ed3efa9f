"""BIO tags over word pieces for the encoder extractor: labelling, windows and decoding.

Pure functions shared by the training script (``scripts/train_encoder.py``) and the run-time
component (``kg.nlp.encoder``), so that what is learned and what is decoded are one scheme.
Tags are per word piece (not per word): the first piece of a mention is ``B-LABEL``, the rest
``I-LABEL``; decoding maps pieces back to exact character offsets through the tokenizer's
offsets and widens a span to whole words (a mention never starts or ends inside a word).

Example
-------
>>> offsets = [(0, 5), (6, 12), (12, 15), (16, 18)]      # "Graph Neural net ##s" style pieces
>>> tags = piece_tags(offsets, [(0, 15, "METHOD")])
>>> [TAGS[t] for t in tags]
['B-METHOD', 'I-METHOD', 'I-METHOD', 'O']
>>> decode_tags(tags, offsets, [0, 1, 1, 2])
[(0, 15, 'METHOD')]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from kg.models import LABELS

#: Tag inventory: O, then B-/I- for each of kg's labels in :data:`kg.models.LABELS` order.
TAGS: tuple[str, ...] = ("O", *(f"{p}-{lab}" for lab in LABELS for p in "BI"))
TAG_ID = {t: i for i, t in enumerate(TAGS)}


def piece_tags(offsets: Sequence[tuple[int, int]], entities: Sequence[tuple[int, int, str]]) -> list[int]:
    """Tag id per piece for gold ``(start, end, label)`` entities (flat, non-overlapping).

    A piece belongs to an entity when its midpoint lies inside the entity's characters.
    """
    tags = [0] * len(offsets)
    for start, end, label in entities:
        first = True
        for i, (s, e) in enumerate(offsets):
            if e <= s:
                continue
            mid = (s + e) / 2
            if start <= mid < end:
                tags[i] = TAG_ID[("B-" if first else "I-") + label]
                first = False
    return tags


def windows(word_ids: Sequence[int | None], size: int, overlap: int = 0) -> list[tuple[int, int]]:
    """``(lo, hi)`` piece ranges of at most ``size`` pieces that start and end on word boundaries.

    Consecutive windows share about ``overlap`` pieces. A single word longer than ``size``
    pieces is cut.

    >>> windows([0, 0, 1, 2, 2, 3], 3)
    [(0, 3), (3, 6)]
    >>> windows([0, 1, 2, 3, 4, 5], 4, overlap=2)
    [(0, 4), (2, 6)]
    """
    n = len(word_ids)
    if n <= size:
        return [(0, n)] if n else []
    starts = [i for i in range(n) if i == 0 or word_ids[i] != word_ids[i - 1]]
    out: list[tuple[int, int]] = []
    lo = 0
    while True:
        hi = min(lo + size, n)
        if hi < n:
            cut = max((s for s in starts if lo < s <= hi), default=hi)
            hi = cut if cut > lo else hi
        out.append((lo, hi))
        if hi >= n:
            return out
        nxt = max((s for s in starts if lo < s <= hi - overlap), default=hi) if overlap else hi
        lo = nxt if nxt > lo else hi


def decode_tags(tags: Sequence[int], offsets: Sequence[tuple[int, int]], word_ids: Sequence[int | None]) -> list[tuple[int, int, str]]:
    """Character spans from piece tags, widened to whole words; an ``I`` without ``B`` opens a span.

    >>> decode_tags([TAG_ID["I-TASK"], TAG_ID["O"], TAG_ID["B-METRIC"]], [(0, 3), (4, 6), (7, 9)], [0, 1, 2])
    [(0, 3, 'TASK'), (7, 9, 'METRIC')]
    """
    raw: list[list] = []
    for i, t in enumerate(tags):
        tag = TAGS[t]
        if tag == "O":
            continue
        label = tag[2:]
        if tag[0] == "I" and raw and raw[-1][1] == i - 1 and raw[-1][2] == label:
            raw[-1][1] = i
        else:
            raw.append([i, i, label])
    spans: list[tuple[int, int, str]] = []
    n = len(tags)
    for a, b, label in raw:
        while a > 0 and word_ids[a - 1] is not None and word_ids[a - 1] == word_ids[a]:
            a -= 1
        while b + 1 < n and word_ids[b + 1] is not None and word_ids[b + 1] == word_ids[b]:
            b += 1
        start, end = offsets[a][0], offsets[b][1]
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end, label))
    return spans


@lru_cache(maxsize=1)
def _transitions():
    """Log-score of each tag after each tag (0 or -inf: an ``I-X`` only after ``B-X``/``I-X``)
    and of each tag at the start; computed once, read by every :func:`viterbi_tags` call."""
    import numpy as np

    n = len(TAGS)
    ok = np.ones((n, n), dtype=bool)  # ok[prev, cur]
    for cur, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            for prev, ptag in enumerate(TAGS):
                ok[prev, cur] = ptag[2:] == tag[2:] and ptag != "O"
    start = np.array([-np.inf if t.startswith("I-") else 0.0 for t in TAGS])
    return np.where(ok, 0.0, -np.inf), start


def viterbi_tags(log_probs, o_bias: float = 0.0) -> list[int]:
    """The most probable tag sequence that is valid BIO (an ``I-X`` only after ``B-X``/``I-X``).

    ``log_probs`` is a ``(pieces, tags)`` array of per-piece log probabilities; ``o_bias`` is
    added to O's. Arg-max decoding instead opens a span on an orphan ``I`` and splits a name
    where one inner piece falls below the threshold; constrained decoding keeps spans whole.

    >>> import numpy as np
    >>> p = np.full((3, len(TAGS)), 0.01); p[:, 0] = 0.2
    >>> p[0, TAG_ID["B-TASK"]] = 0.5; p[1, TAG_ID["I-TASK"]] = 0.3; p[1, 0] = 0.35; p[2, TAG_ID["I-TASK"]] = 0.6
    >>> [TAGS[t] for t in p.argmax(-1)]
    ['B-TASK', 'O', 'I-TASK']
    >>> [TAGS[t] for t in viterbi_tags(np.log(p))]
    ['B-TASK', 'I-TASK', 'I-TASK']
    """
    import numpy as np

    lp = np.array(log_probs, dtype=np.float64)
    if not len(lp):
        return []
    lp[:, 0] += o_bias
    trans, start = _transitions()
    score = lp[0] + start
    back = np.zeros(lp.shape, dtype=np.int64)
    for i in range(1, len(lp)):
        cand = score[:, None] + trans  # prev x cur
        back[i] = cand.argmax(0)
        score = cand.max(0) + lp[i]
    path = [int(score.argmax())]
    for i in range(len(lp) - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]
