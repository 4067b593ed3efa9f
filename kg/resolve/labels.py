"""Canonical labels, concept ids and date ordering for resolved concepts."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from collections import Counter
from collections.abc import Container, Iterable, Mapping

from kg.resolve.normalize import is_acronym_form


#: A concept is labelled by an acronym (and not by its most used full form) when the acronym is
#: written in at least this many times as many papers: "KITTI", "BLEU", "YOLO", whose expansions
#: few papers write; "graph neural networks" stays beside a somewhat more frequent "GNNs".
ACRONYM_FACTOR = 2


def label_fold(form: str) -> str:
    """How forms are compared when counting papers for a label: case folded, hyphens as spaces.

    Example
    -------
    >>> label_fold("Fine-Tuning") == label_fold("fine tuning"), label_fold("LLaMA") == label_fold("Llama")
    (True, True)
    """
    return " ".join(form.casefold().replace("-", " ").split())


def choose_label(
    aliases: Mapping[str, int],
    reliable: Mapping[str, int],
    long_forms: Iterable[str] = (),
    avoid: Iterable[str] = (),
    lower_words: Container[str] = frozenset(),
    papers: Mapping[str, int] | None = None,
    acronym_factor: float = ACRONYM_FACTOR,
) -> str:
    """The canonical label of a concept: the form most of its papers use, in its most usual casing.

    Parameters
    ----------
    aliases : surface form -> mentions.
    reliable : surface form -> mentions whose casing means something (not in a title, not at
        the start of a sentence, where words are capitalised anyway).
    long_forms : long forms the concept's acronym was defined with, one per defining paper
        (used when the concept is mentioned by acronyms only).
    avoid : aliases that make poor labels whenever another alias exists (a name with a generic
        head, "CIFAR-10 dataset"; an odd casing of an acronym, "MNist").
    lower_words : words seen in lower case inside sentences somewhere in the corpus; a label
        seen only at sentence starts ("Structural optimization") gets its first letter lowered
        when its first word is one of them (never "Bayesian ...", never a one-word name).
    papers : :func:`label_fold` group -> papers writing a form of it (default: mentions).
    acronym_factor : ``ACRONYM_FACTOR``; ``math.inf`` gives the full form a concept's id is made
        from (see :func:`id_form`).

    Forms are grouped by :func:`label_fold`; a group is an acronym group when most of its
    mentions are acronym-shaped. The label is the full-form group written in most papers (ties:
    more mentions, more reliable mentions, shorter, alphabetical), unless an acronym group is
    written in ``ACRONYM_FACTOR`` times as many papers; with no full form, the defined long form
    when ``ACRONYM_FACTOR`` times its defining papers exceed the acronym's papers. Within the
    group, the spelling with most reliable mentions, then most mentions, then not sentence-cased.

    Example
    -------
    >>> choose_label({"GNNs": 9, "Graph Neural Networks": 2, "graph neural networks": 1}, {"graph neural networks": 1}, papers={"gnns": 3, "graph neural networks": 3})
    'graph neural networks'
    >>> choose_label({"SNN": 3}, {}, ["spiking neural networks"], papers={"snn": 1})
    'spiking neural networks'
    >>> choose_label({"CIFAR-10": 9, "CIFAR-10 dataset": 2}, {}, avoid=["CIFAR-10 dataset"])
    'CIFAR-10'
    >>> choose_label({"Structural optimization": 2}, {}, lower_words={"structural"})
    'structural optimization'
    >>> choose_label({"KITTI": 400, "Karlsruhe Institute of Technology": 3}, {"KITTI": 390}, papers={"kitti": 225, "karlsruhe institute of technology": 3})
    'KITTI'
    >>> choose_label({"parametric PDEs": 2, "partial differential equations": 9, "PDEs": 30}, {}, papers={"parametric pdes": 2, "partial differential equations": 8, "pdes": 12})
    'partial differential equations'
    """
    if len(aliases) == 1 and not long_forms:  # most concepts: one form, nothing to vote on
        (best,) = aliases
        return _lowered(best, reliable, lower_words)
    avoid = set(avoid)
    if any(f not in avoid for f in aliases):
        aliases = {f: n for f, n in aliases.items() if f not in avoid}
    groups: dict[str, list[str]] = {}
    for form in aliases:
        groups.setdefault(label_fold(form), []).append(form)
    papers = papers if papers is not None else {g: sum(aliases[f] for f in forms) for g, forms in groups.items()}
    full, short = _ranked_groups(groups, aliases, reliable, papers)
    if not full:
        defined = Counter(f for f in long_forms if f)
        n_short = papers.get(short[0][0], 0) if short else 0
        if defined and ACRONYM_FACTOR * sum(defined.values()) > n_short:
            return sorted(defined.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
        best_group = short[0][1]
    elif short and papers.get(short[0][0], 0) >= acronym_factor * max(1, papers.get(full[0][0], 0)):
        best_group = short[0][1]
    else:
        best_group = full[0][1]
    best = min(best_group, key=lambda f: (-reliable.get(f, 0), -aliases[f], _sentence_cased(f), f))
    return _lowered(best, reliable, lower_words)


def _ranked_groups(groups: Mapping[str, list[str]], aliases: Mapping[str, int], reliable: Mapping[str, int], papers: Mapping[str, int]) -> tuple[list, list]:
    """The full-form and the acronym groups (``(label_fold group, forms)``) of
    :func:`choose_label`, each best first: written in more papers, then more mentions, more
    reliable mentions, shorter, alphabetical. A group is an acronym group when most of its
    mentions are acronym-shaped."""

    def rank(item: tuple[str, list[str]]):
        g, forms = item
        return (-papers.get(g, 0), -sum(aliases[f] for f in forms), -sum(reliable.get(f, 0) for f in forms), len(g), g)

    def acronym_group(forms: list[str]) -> bool:
        return 2 * sum(aliases[f] for f in forms if is_acronym_form(f)) > sum(aliases[f] for f in forms)

    full = sorted(((g, fs) for g, fs in groups.items() if not acronym_group(fs)), key=rank)
    short = sorted(((g, fs) for g, fs in groups.items() if acronym_group(fs)), key=rank)
    return full, short


def _lowered(best: str, reliable: Mapping[str, int], lower_words: Container[str]) -> str:
    """``best`` with its first letter lowered when it was seen only at sentence starts
    ("Structural optimization") and its first word is written in lower case elsewhere."""
    if not reliable.get(best) and _sentence_cased(best) and best.split()[0].lower() in lower_words:
        return best[0].lower() + best[1:]
    return best


def id_form(label: str, *label_args, **label_kwargs) -> str:
    """The form a concept's id is made from: its label, except that an acronym label is replaced
    by the full form that would be the label without the acronym rule (``KITTI`` keeps the id of
    its expansion). So the id does not change when the label switches between a concept's
    acronym and its full form, or changes case, as a corpus grows; ``label_args`` are those of
    :func:`choose_label`.

    Example
    -------
    >>> id_form("KITTI", {"KITTI": 9, "Karlsruhe Institute of Technology": 1}, {}, papers={"kitti": 9, "karlsruhe institute of technology": 1})
    'Karlsruhe Institute of Technology'
    >>> id_form("graph neural networks", {"GNNs": 9, "graph neural networks": 5}, {})
    'graph neural networks'
    """
    if not is_acronym_form(label):
        return label
    return choose_label(*label_args, **label_kwargs, acronym_factor=float("inf"))


def _sentence_cased(form: str) -> bool:
    """A capital first word and lower-case others: how a name looks at a sentence start."""
    words = form.split()
    first = words[0]
    return (
        len(words) > 1
        and first[:1].isupper()
        and first[1:].islower()
        and all(w.islower() or not any(c.isalpha() for c in w) for w in words[1:])  # not "Language-Image"
    )


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


@lru_cache(maxsize=1 << 14)
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
    def order(d: str) -> tuple:
        return (date_sort_key(d), d)

    return min(pool, key=order), max(pool, key=order)
