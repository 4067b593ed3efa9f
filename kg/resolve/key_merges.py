"""Keys that are one name although they differ: a typo, an acronym in another case, and the
long form of "LONG (ACR) head" beside "LONG head".

Each step joins keys in the resolver's :class:`~kg.resolve.union_find.UnionFind` (its only
effect), under the rule named in :mod:`kg.resolve.merges`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from kg.resolve.forms import Forms
from kg.resolve.normalize import MARK, has_digit, is_plain
from kg.resolve.typos import typo_merges
from kg.resolve.union_find import UnionFind


def merge_typos(forms: Forms, key_runs: Mapping[str, tuple[str, ...]], uf: UnionFind) -> None:
    """Join each typo to its target (:func:`~kg.resolve.typos.typo_merges`). Mutates ``uf``."""
    for typo, target in typo_merges(key_runs, forms.count, forms.plain, forms.papers, forms.spellings):
        uf.merge(typo, target, "typo", "one edit apart, nothing else as close, the typo rare beside its target")


def merge_acronym_case(forms: Forms, uf: UnionFind) -> None:
    """A form that differs from an acronym-marked key only in case and cannot be an ordinary
    word (it has a digit or an inner capital: "Cifar10", "MNist") joins it; "can" never joins
    "CAN". Mutates ``uf``."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in forms.count:
        if forms.count[key]:
            groups[key.replace(MARK, "")].append(key)
    for stripped, keys in sorted(groups.items()):
        marked = sorted(k for k in keys if MARK in k)
        if len(keys) < 2 or not marked:
            continue
        for key in sorted(k for k in keys if MARK not in k):
            spellings = [f for f in forms.spellings[key] if f]
            if spellings and all(has_digit(f) or not is_plain(f) for f in spellings):
                uf.merge(key, marked[0], "acronym-case", "an acronym written in another case, with a digit or inner capital")


def merge_split_heads(forms: Forms, uf: UnionFind) -> None:
    """"LF (SF) networks": LF and "LF networks" are one name. Mutates ``uf``."""
    for paper_defs in forms.definitions.values():
        for d in paper_defs.values():
            if d.head_key:
                uf.merge(d.head_key, d.long_key, "split-head", "written 'LONG (ACR) head' in a paper")
