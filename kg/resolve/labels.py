"""Canonical labels, concept ids and date ordering for resolved concepts."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

from kg.resolve.normalize import is_acronym_form


def choose_label(aliases: Mapping[str, int], reliable: Mapping[str, int], long_forms: Iterable[str] = ()) -> str:
    """The canonical label of a concept: its most frequent full form, in its most usual casing.

    Parameters
    ----------
    aliases : surface form -> mentions.
    reliable : surface form -> mentions whose casing means something (not in a title, not at
        the start of a sentence, where words are capitalised anyway).
    long_forms : long forms the concept's acronym was defined with (used when the concept was
        only ever mentioned by its acronym).

    Full forms (not acronyms) win over acronyms; among full forms the case-insensitive group
    with most mentions wins (ties: shorter, then alphabetical); within the group, the spelling
    with most reliable mentions, then most mentions.

    Example
    -------
    >>> choose_label({"GNNs": 9, "Graph Neural Networks": 2, "graph neural networks": 1}, {"graph neural networks": 1})
    'graph neural networks'
    >>> choose_label({"SNN": 3}, {}, ["spiking neural networks"])
    'spiking neural networks'
    """
    full = {f: n for f, n in aliases.items() if not is_acronym_form(f)}
    if not full:
        defined = Counter(f for f in long_forms if f)
        if defined:
            return sorted(defined.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
        full = dict(aliases)
    groups: dict[str, list[str]] = {}
    for form in full:
        groups.setdefault(form.casefold(), []).append(form)
    best_group = min(groups.values(), key=lambda forms: (-sum(full[f] for f in forms), len(forms[0]), forms[0].casefold()))
    return min(best_group, key=lambda f: (-reliable.get(f, 0), -full[f], f))


def choose_acronym(aliases: Mapping[str, int]) -> str | None:
    """The concept's acronym: its most frequent acronym alias, singular preferred ("GNN" over "GNNs")."""
    acronyms = [f for f in aliases if is_acronym_form(f)]
    if not acronyms:
        return None

    def plural(f: str) -> bool:
        return len(f) > 2 and f.endswith("s") and f[-2].isupper()

    singular = {f[:-1] for f in acronyms if plural(f)} & set(acronyms)
    return min(acronyms, key=lambda f: (f[:-1] in singular and plural(f), -aliases[f], len(f), f))


def slug(label: str) -> str:
    """The id-safe form of a label: ASCII, lower case, words joined by hyphens ("+" -> "plus").

    Example
    -------
    >>> slug("Kolmogorov-Arnold Network (KAN)"), slug("PointNet++"), slug("naïve Bayes")
    ('kolmogorov-arnold-network-kan', 'pointnet-plus-plus', 'naive-bayes')
    """
    text = label.replace("+", " plus ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not text:  # a label with no Latin letter or digit: a short stable hash instead
        text = "x" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:10]
    return text[:80].rstrip("-")


def date_sort_key(date: str) -> tuple[int, int, int, int]:
    """Sort key for ISO dates of any precision kg keeps (see :class:`kg.models.Paper`).

    ``YYYY`` < ``YYYY-MM`` < ``YYYY-MM-DD`` within the same period (a less precise date sorts
    first: it may be the earliest); year-less dates (``--MM-DD``, from listings without a year)
    sort by month and day but never against dated ones (see :func:`date_range`).

    Example
    -------
    >>> sorted(["2021-03-05", "2021", "2020-12"], key=date_sort_key)
    ['2020-12', '2021', '2021-03-05']
    """
    if date.startswith("--"):
        parts = date[2:].split("-")
        return (0, 0, _int(parts[0]), _int(parts[1]) if len(parts) > 1 else 0)
    parts = date.split("-")
    return (1, _int(parts[0]), _int(parts[1]) if len(parts) > 1 else 0, _int(parts[2]) if len(parts) > 2 else 0)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def date_range(dates: Iterable[str | None]) -> tuple[str | None, str | None]:
    """``(first_seen, last_seen)``: the earliest and latest dated papers; when no paper has a
    year, the earliest and latest year-less dates (month and day only) instead.

    Example
    -------
    >>> date_range(["2022-05", "--08-05", "2021-01-04", None])
    ('2021-01-04', '2022-05')
    >>> date_range(["--08-05", "--07-29"])
    ('--07-29', '--08-05')
    """
    dated = [d for d in dates if d]
    with_year = [d for d in dated if not d.startswith("--")]
    pool = with_year or dated
    if not pool:
        return None, None
    ordered = sorted(set(pool), key=lambda d: (date_sort_key(d), d))
    return ordered[0], ordered[-1]
