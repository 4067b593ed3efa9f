"""Look-alike concepts are linked, not merged.

* ``A VARIANT-OF B`` when a name of ``A`` ends with a whole name of ``B`` (its head, in English
  noun phrases), preceded by more words, acronyms or letters: "S-KAN" / "ReLU-KAN" /
  "Convolutional KAN" of "KAN", "GOLD-NAS" of "NAS", "deep reinforcement learning" of
  "reinforcement learning"; or when it starts with a name of ``B`` followed only by a version
  (numbers, "+", single letters): "GPT-2" of "GPT", "ResNet-50" of "ResNet", "PointNet++" of
  "PointNet". "neural network training" is not a variant of "neural networks". Only the
  longest contained names are linked ("activation space selectable convolutional KAN" ->
  "convolutional KAN", not also "KAN": that link follows through "convolutional KAN").
* ``A RELATED-TO B`` when their names differ only in numbers ("CIFAR-100" / "CIFAR-10",
  "top-5 accuracy" / "top-1 accuracy", "ResNet-101" / "ResNet-50"): every concept of such a
  family points to the family's most widely used member.

Both are computed from the concepts' names alone (blocked by exact lookups of name parts, so the
work is linear in the number of names), within one concept type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MAX_RUNS = 16


@dataclass(frozen=True, slots=True, order=True)
class NameLink:
    """``source`` -> ``target`` of ``type``, shown by ``source``'s name ``source_key``."""

    source: str
    target: str
    type: str
    source_key: str


def _is_number(run: str) -> bool:
    return run.isdigit() or run == "+"


def _is_version(run: str) -> bool:
    """A number, "+", or a single letter: what a version adds ("GPT-2", "PointNet++", "CIFAR-10-C")."""
    return _is_number(run) or len(run.lstrip("^")) == 1


def variant_links(names: Mapping[str, tuple[str, Iterable[tuple[str, tuple[str, ...]]]]], rank: Mapping[str, tuple]) -> list[NameLink]:
    """VARIANT-OF and RELATED-TO links between concepts, sorted.

    Parameters
    ----------
    names : concept id -> ``(type, [(name key, name runs), ...])``.
    rank : concept id -> sort key, smallest = most widely used (the hub of a number family).

    Example
    -------
    >>> names = {"kan": ("METHOD", [("^kan", ("^kan",))]), "s-kan": ("METHOD", [("s^kan", ("s", "^kan"))]),
    ...          "c10": ("DATASET", [("^cifar10", ("^cifar", "10"))]), "c100": ("DATASET", [("^cifar100", ("^cifar", "100"))])}
    >>> [(l.source, l.type, l.target) for l in variant_links(names, {"c10": (0,), "c100": (1,), "kan": (0,), "s-kan": (1,)})]
    [('c100', 'RELATED-TO', 'c10'), ('s-kan', 'VARIANT-OF', 'kan')]
    """
    by_runs: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    by_skeleton: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for cid, (ctype, keys) in names.items():
        for _key, r in keys:
            by_runs[(ctype, r)].add(cid)
            if any(_is_number(x) for x in r) and not all(_is_number(x) for x in r):
                by_skeleton[(ctype, tuple("#" if _is_number(x) else x for x in r))].add(cid)
    links: dict[tuple[str, str, str], str] = {}
    for cid in sorted(names):
        ctype, keys = names[cid]
        for key, r in sorted(keys):
            if len(r) < 2 or len(r) > MAX_RUNS:
                continue
            found: list[tuple[int, int, str]] = []
            for i in range(len(r)):
                for j in range(i + 1, len(r) + 1):
                    if j - i == len(r):
                        continue
                    sub = r[i:j]
                    if all(_is_number(x) for x in sub):
                        continue
                    if j != len(r) and not (i == 0 and all(_is_version(x) for x in r[j:])):
                        continue  # B must be the head (the end) of A's name, or A = B + a version
                    for other in by_runs.get((ctype, sub), ()):
                        if other != cid:
                            found.append((i, j, other))
            for i, j, other in found:
                if any(a <= i and j <= b and (b - a) > (j - i) for a, b, _ in found):
                    continue  # a longer contained name covers this one
                links.setdefault((cid, other, "VARIANT-OF"), key)
    linked = {(a, b) for a, b, _ in links} | {(b, a) for a, b, _ in links}
    for (_ctype, _skeleton), members in sorted(by_skeleton.items()):
        if len(members) < 2:
            continue
        hub = min(members, key=lambda c: (rank.get(c, ()), c))
        for cid in sorted(members - {hub}):
            if (cid, hub) in linked:
                continue
            key = next(k for k, r in sorted(names[cid][1]) if tuple("#" if _is_number(x) else x for x in r) == _skeleton)
            links.setdefault((cid, hub, "RELATED-TO"), key)
    return sorted(NameLink(s, t, ty, k) for (s, t, ty), k in links.items())
