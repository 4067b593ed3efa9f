"""Names followed by a generic head: "CIFAR-10 dataset" is "CIFAR-10", "GNN models" is "GNN".

Which headed names are read as their bare name (:func:`generic_heads`), and which make poor
labels (:func:`poor_labels`). See ../shared/GUIDELINE.md, span rules, and docs/resolution.md.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping

from kg.resolve.forms import Forms
from kg.resolve.normalize import MARK, form_key, has_digit, is_acronym_form, is_plain
from kg.resolve.union_find import UnionFind

#: Generic heads (as stemmed runs) dropped after a name, with the type the name must mostly
#: have: "CIFAR-10 dataset" is "CIFAR-10", "ResNet architecture" is "ResNet" (see
#: ../shared/GUIDELINE.md, span rules), but "PDE datasets" is not "PDE". Dataset and method
#: heads need a proper name before them ("deep learning models" stays); task heads do not
#: ("classification tasks" is "classification").
GENERIC_HEADS = {
    **{h: "DATASET" for h in ("dataset", "benchmark", "corpus", "databas")},
    **{h: "METHOD" for h in ("architectur", "model", "algorithm", "method", "techniqu", "framework", "approach",
                             "schem", "library", "toolkit", "packag", "optimizer")},
    **{h: "TASK" for h in ("task", "problem")},
}


def proper_name(spellings: Mapping[str, int]) -> bool:
    """Whether a key is written as a name: a digit or an inner capital in at least half of its
    mentions ("CIFAR-10", "ResNet", "GNN"; not "deep learning", nor a sentence-initial "Deep",
    nor "diffusion", which one paper of hundreds writes "DIFFusion").

    Example
    -------
    >>> proper_name({"ResNet": 3, "resnet": 1}), proper_name({"diffusion": 99, "DIFFusion": 1})
    (True, False)
    """
    proper = total = 0
    for f, n in spellings.items():
        if f:
            total += n
            if has_digit(f) or not is_plain(f):
                proper += n
    return total > 0 and 2 * proper >= total


def generic_heads(forms: Forms, key_runs: Mapping[str, tuple[str, ...]], uf: UnionFind) -> dict[str, str]:
    """``{"NAME dataset" key: NAME key}`` for names followed by a generic head ("CIFAR-10
    dataset", "ResNet architecture", "GNN models", "classification tasks") where NAME is a
    name of the corpus whose cluster (NAME with its spelling variants) mostly has the head's
    type and, for dataset and method heads, is written as a proper name somewhere; such a
    mention is resolved as NAME (acronym definitions included). Judging the cluster rather
    than the one spelling keeps resolution idempotent; a key counts as a proper name by most of
    its mentions (:func:`proper_name`), so one odd spelling does not make a word a name."""
    votes: dict[str, Counter] = defaultdict(Counter)
    proper: dict[str, bool] = defaultdict(bool)
    for key, n in forms.count.items():
        if n:
            root = uf.find(key)
            votes[root].update(forms.labels[key])
            proper[root] = proper[root] or proper_name(forms.spellings[key])
    out = {}
    for key, r in key_runs.items():
        if not forms.count.get(key):
            continue
        for head_type, rest in _bare_names(r):
            if rest not in forms.count:
                continue
            root = uf.find(rest)
            if head_type != "TASK" and not proper[root]:
                continue
            if votes[root] and min(votes[root].items(), key=lambda kv: (-kv[1], kv[0]))[0] == head_type:
                out[key] = rest
                break
    return out


def _bare_names(runs: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """``(head's type, bare key)`` for each generic head (one run, then two) that ends the key
    of ``runs`` after something: ``("cifar10", "dataset")`` gives ``("DATASET", "cifar10")``."""
    for h in (1, 2):
        head = "".join(runs[-h:])
        if len(runs) > h and head in GENERIC_HEADS:
            yield GENERIC_HEADS[head], "".join(runs[:-h])


def headed_lexicon(lexicon: Mapping[str, str], key_runs: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Lexicon labels for names followed by a generic head that the lexicon does not list but
    whose bare name it lists with the head's type: "CIFAR-10 dataset" gets "CIFAR-10"'s DATASET.

    Without it a concept's lexicon vote depended on which spelling its papers wrote: "CIFAR-10"
    and "CIFAR-10 dataset" in one paper (lexicon hit) and "CIFAR-10 dataset" in another tied 1:1
    and the hit made it a DATASET, but the same papers rewritten with the canonical label
    "CIFAR-10 dataset" lost the hit and made it a METHOD (found by
    tests/resolve/test_properties.py's idempotence property).

    Example
    -------
    >>> headed_lexicon({"cifar10": "DATASET", "gnn": "METHOD"},
    ...                {"cifar10dataset": ("cifar10", "dataset"), "gnndataset": ("gnn", "dataset")})
    {'cifar10dataset': 'DATASET'}
    """
    out = {}
    for key, r in key_runs.items():
        if key in lexicon:
            continue
        for head_type, rest in _bare_names(r):
            if lexicon.get(rest) == head_type:
                out[key] = head_type
                break
    return out


def poor_labels(aliases: Mapping[str, int], generic: Mapping[str, str], papers: Mapping[str, int] | None = None) -> list[str]:
    """Aliases that make poor labels: names with a generic head ("CIFAR-10 dataset") whose bare
    name is written in at least as many papers (``papers``: key -> papers; None: always), and
    spellings of an acronym that are not acronym-shaped ("MNist" beside "MNIST"). A headed name
    that more papers write than its bare name stays a candidate: "diffusion models" (758 papers
    of the first 20,000 arXiv abstracts) beside "diffusion" (40), which one paper's "DIFFusion"
    makes a proper name.

    Example
    -------
    >>> poor_labels({"MNIST": 9, "MNist": 1}, {})
    ['MNist']
    """
    acronym_letters = {form_key(f).replace(MARK, "") for f in aliases if is_acronym_form(f)}
    return [
        f for f in aliases
        if _headed_below_its_name(form_key(f), generic, papers)
        or (not is_acronym_form(f) and form_key(f).replace(MARK, "") in acronym_letters)
    ]


def _headed_below_its_name(key: str, generic: Mapping[str, str], papers: Mapping[str, int] | None) -> bool:
    """Whether ``key`` is a name with a generic head whose bare name is written in at least as
    many papers as it."""
    rest = generic.get(key)
    if rest is None:
        return False
    return papers is None or papers.get(rest, 0) >= papers.get(key, 0)
