"""A small averaged-perceptron classifier of relations between two entities of a sentence.

Trained by ``scripts/train_relations.py`` on SciERC's training relations (Luan et al. 2018) and
shipped inside the pipeline as ``kg/nlp/model/kg_relations/model.json.gz``, the file of the
``kg_relations`` component (a few hundred kB, CPU-fast: one dictionary lookup
per feature). It labels every pair of entities of a sentence with at most
:data:`MAX_ENTITIES_BETWEEN` entities between them as ``NONE`` or one of SciERC's labels in
either direction. Its features: the words between the two entities (each word, first, last,
bigrams, the whole gap when short), the entity labels, the entities' last words (and the
whole entity when short), two words before and after, the gap length, and the output of kg's
hand-written rules (:func:`kg.nlp.relation_rules.pair_relations`) on adjacent pairs.

Dev figures (``scripts/eval_relations.py``) are in docs/resolution.md.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from kg.nlp.relation_rules import TOKEN, pair_relations

#: The packaged model: the ``kg_relations`` component's file in the shipped pipeline.
MODEL_PATH = Path(__file__).resolve().parent / "model" / "kg_relations" / "model.json.gz"
#: Pairs further apart (in entities) than this are never related by the classifier.
MAX_ENTITIES_BETWEEN = 4
NONE = "NONE"

#: Characters of context read before the left and after the right entity (two words fit).
_CONTEXT_CHARS = 40


@lru_cache(maxsize=1 << 16)
def _tokens(text: str) -> tuple[str, ...]:
    """Lower-cased word and punctuation tokens (cached: a sentence's entity texts and gaps
    recur in many of its pairs)."""
    return tuple(TOKEN.findall(text.lower()))


def candidate_pairs(ents: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, int]]:
    """``(i, j, entities between)`` for the pairs of one sentence's entities (sorted by start)."""
    out = []
    for i in range(len(ents)):
        for j in range(i + 1, min(len(ents), i + 2 + MAX_ENTITIES_BETWEEN)):
            out.append((i, j, j - i - 1))
    return out


def pair_features(text: str, sentence: tuple[int, int], ents: Sequence[tuple[int, int, str]], i: int, j: int) -> list[str]:
    """The features of the pair ``ents[i]`` (left) / ``ents[j]`` (right) of one sentence.

    Example
    -------
    >>> t = "We use BERT for question answering."
    >>> f = pair_features(t, (0, len(t)), [(7, 11, "METHOD"), (16, 34, "TASK")], 0, 1)
    >>> "bseq:for" in f and "T:METHOD|TASK" in f and "rulelab:USED-FOR|>" in f
    True
    """
    a, b = ents[i], ents[j]
    between = _tokens(text[a[1] : b[0]])
    left, right = _tokens(text[a[0] : a[1]]), _tokens(text[b[0] : b[1]])
    before = _tokens(text[max(sentence[0], a[0] - _CONTEXT_CHARS) : a[0]])[-2:]
    after = _tokens(text[b[1] : min(sentence[1], b[1] + _CONTEXT_CHARS)])[:2]
    n_between = j - i - 1
    f = ["bias", f"T:{a[2]}|{b[2]}", f"nb:{min(n_between, 3)}", f"gl:{min(len(between), 8)}"]
    f += [f"bw:{w}" for w in sorted(set(between))]
    if between:
        f += [f"bf:{between[0]}", f"bl:{between[-1]}", f"bfl:{between[0]}|{between[-1]}"]
        f += [f"Tb:{a[2]}|{b[2]}|{w}" for w in {between[0], between[-1]}]
    else:
        f.append("bempty")
    if len(between) <= 4:
        f.append("bseq:" + " ".join(between))
    f += [f"bbi:{x}_{y}" for x, y in zip(between, between[1:])]
    if left:
        f.append(f"hi:{left[-1]}")
    if right:
        f.append(f"hj:{right[-1]}")
    if len(left) <= 2:
        f.append("ei:" + " ".join(left))
    if len(right) <= 2:
        f.append("ej:" + " ".join(right))
    f += [f"pre:{w}" for w in before] + [f"post:{w}" for w in after]
    if n_between == 0:
        for h, t, label, rule, _conf in pair_relations(text, [a, b]):
            direction = ">" if h < t else "<"
            f += [f"rule:{rule.split('/')[0]}|{direction}", f"rulelab:{label}|{direction}"]
    return f


class AveragedPerceptron:
    """Multi-class averaged perceptron (Collins 2002) over string features.

    ``weights[feature][class]``; prediction is the class with the highest summed weight
    (ties: ``NONE`` first, then alphabetical, so it is deterministic).
    """

    def __init__(self, weights: dict[str, dict[str, float]] | None = None, classes: Iterable[str] = ()):
        self.weights: dict[str, dict[str, float]] = weights or {}
        self.classes = sorted(set(classes))
        self._rows: dict[str, tuple[float, ...]] | None = None

    def _dense(self) -> dict[str, tuple[float, ...]]:
        """Weights as one row per feature, aligned with ``classes`` (built once, for speed)."""
        if self._rows is None:
            index = {c: k for k, c in enumerate(self.classes)}
            rows = {}
            for f, by_class in self.weights.items():
                row = [0.0] * len(self.classes)
                for c, w in by_class.items():
                    row[index[c]] = w
                rows[f] = tuple(row)
            self._rows = rows
        return self._rows

    def scores(self, features: Iterable[str]) -> dict[str, float]:
        rows = self._dense()
        found = [rows[f] for f in features if f in rows]
        if not found:
            return dict.fromkeys(self.classes, 0.0)
        return dict(zip(self.classes, map(sum, zip(*found))))

    def _predict_sparse(self, w, features: Iterable[str]) -> tuple[str, float]:
        totals = dict.fromkeys(self.classes, 0.0)
        for f in features:
            if f in w:
                for c, v in w[f].items():
                    totals[c] += v
        best = min(totals, key=lambda c: (-totals[c], c != NONE, c))
        return best, totals[best] - totals.get(NONE, 0.0)

    def predict(self, features: Iterable[str]) -> tuple[str, float]:
        """``(class, margin over NONE)``."""
        s = self.scores(features)
        best = min(s, key=lambda c: (-s[c], c != NONE, c))
        return best, s[best] - s.get(NONE, 0.0)

    def train(self, examples: Sequence[tuple[list[str], str]], epochs: int, seed: int) -> None:
        """Averaged perceptron training; deterministic given ``examples``' order and ``seed``."""
        self.classes = sorted({y for _, y in examples})
        self._rows = None
        w: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        total: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        stamp: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.weights = w
        t = 0

        def update(f: str, c: str, delta: float) -> None:
            total[f][c] += (t - stamp[f][c]) * w[f][c]
            stamp[f][c] = t
            w[f][c] += delta

        order = list(range(len(examples)))
        rng = random.Random(seed)
        for _ in range(epochs):
            rng.shuffle(order)
            for k in order:
                feats, y = examples[k]
                t += 1
                guess, _ = self._predict_sparse(w, feats)
                if guess != y:
                    for f in feats:
                        update(f, y, 1.0)
                        update(f, guess, -1.0)
        averaged: dict[str, dict[str, float]] = {}
        for f in sorted(w):
            for c in sorted(w[f]):
                value = (total[f][c] + (t - stamp[f][c]) * w[f][c]) / max(t, 1)
                if abs(value) >= 1e-4:
                    averaged.setdefault(f, {})[c] = round(value, 4)
        self.weights = averaged
        self._rows = None

    def to_json(self, meta: dict) -> bytes:
        return json.dumps({"meta": meta, "classes": self.classes, "weights": self.weights}, sort_keys=True, separators=(",", ":")).encode("utf-8")


@lru_cache(maxsize=2)
def load_model(path: str | None = None) -> tuple[AveragedPerceptron, dict]:
    """The model at ``path`` (default the packaged one) and its metadata (with ``version``).

    Raises FileNotFoundError when there is no model file.
    """
    p = Path(path) if path else MODEL_PATH
    return parse_model(p.read_bytes())


def parse_model(data: bytes) -> tuple[AveragedPerceptron, dict]:
    """The model in the bytes of a model file (gzip-compressed JSON) and its metadata; the
    ``version`` is the sha256 of the JSON (it names the model in every relation's rule)."""
    raw = gzip.decompress(data)
    parsed = json.loads(raw)
    meta = dict(parsed.get("meta", {}))
    meta["version"] = hashlib.sha256(raw).hexdigest()[:8]
    return AveragedPerceptron(parsed["weights"], parsed["classes"]), meta


def confidence(margin: float, scale: float) -> float:
    """A score in (0.5, 1) from the margin over NONE (logistic; not a calibrated probability)."""
    return round(1.0 / (1.0 + math.exp(-margin / max(scale, 1e-9))), 3)


def classify_sentence(model: AveragedPerceptron, meta: dict, text: str, sentence: tuple[int, int], ents: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str, str, float]]:
    """``(head, tail, label, rule, confidence)`` for the related pairs of one sentence."""
    rule = f"model:relations-ap/{meta.get('version', '?')}"
    out = []
    for i, j, _n in candidate_pairs(ents):
        label, margin = model.predict(pair_features(text, sentence, ents, i, j))
        if label == NONE:
            continue
        head, tail = (i, j) if label[0] == ">" else (j, i)
        out.append((head, tail, label[1:], rule, confidence(margin, meta.get("margin_scale", 1.0))))
    return out
