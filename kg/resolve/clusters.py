"""Which cluster of keys each mention belongs to, once the union-find is final.

A mention usually belongs to its own key's cluster; the mention rules send some elsewhere,
depending on the paper: an acronym to its paper's definition or the corpus' expansion, "CTR
prediction" to "click-through rate prediction", "CIFAR-10 dataset" to "CIFAR-10"
(:func:`mention_cluster`). Every such move is counted for the merges report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from kg.models import Extraction
from kg.resolve.acronym_votes import Acronyms
from kg.resolve.acronyms import Definition
from kg.resolve.forms import Forms
from kg.resolve.normalize import MARK, runs
from kg.resolve.union_find import UnionFind


def mention_cluster(key: str, defs: Mapping[str, Definition], key_runs: Mapping[str, tuple[str, ...]], acronyms: Acronyms, uf: UnionFind, known: Mapping[str, int]) -> str:
    """The cluster a mention with ``key`` belongs to, given its paper's definitions.

    In order: an acronym goes to its paper's long form, else to the corpus' unambiguous one; a
    name that starts with a defined acronym followed by plain words ("CTR prediction") is read
    with the acronym spelled out ("click-through rate prediction") when that name occurs in
    the corpus; a proper name followed by a generic head ("GNN models", "CIFAR-10 dataset") is
    read as the name; then the spelled-out reading even when it does not occur.
    """
    d = defs.get(key)
    if d is not None:
        return uf.find(d.long_key)
    chosen = acronyms.choice.get(key)
    if chosen is not None:
        return uf.find(chosen)
    spelled = None
    r = key_runs.get(key, ())
    if len(r) > 1 and r[0].startswith(MARK) and all(x.isalpha() for x in r[1:]):
        long_text = defs[r[0]].long_text if r[0] in defs else acronyms.choice_text.get(r[0])
        if long_text is not None:
            spelled = "".join(runs(long_text, stem_last=False) + r[1:])
            if known.get(spelled):
                return uf.find(spelled)
    rest = acronyms.generic.get(key)
    if rest is not None:
        return mention_cluster(rest, defs, key_runs, acronyms, uf, known)
    return uf.find(spelled or key)


def mention_rule(key: str, defs: Mapping[str, Definition] | None, acronyms: Acronyms) -> str:
    """The rule of :func:`mention_cluster` that sent a mention away from its own cluster.

    Example
    -------
    >>> mention_rule("bleu", None, Acronyms(set(), {"bleu": "bilingual evaluation understudy"}, {}))
    'acronym-corpus'
    """
    if defs and key in defs:
        return "acronym-paper" if defs[key].strict else "acronym-paper-loose"
    if key in acronyms.choice:
        return "acronym-corpus"
    if key in acronyms.generic:
        return "generic-head"
    return "acronym-spelled"


class _PlainCluster(dict):
    """``key -> cluster`` of a mention in a paper that defines no acronym (the same in every such
    paper once the union-find is final), computed on first use; ``moved`` gets ``key -> (rule,
    key, cluster)`` when a mention rule sends the key away from its own cluster, else None
    (look a key up here first); ``roots`` gets ``key -> its own cluster``."""

    def __init__(self, key_runs, acronyms: Acronyms, uf: UnionFind, known: Mapping[str, int]) -> None:
        super().__init__({None: None})
        self.key_runs, self.acronyms, self.uf, self.known = key_runs, acronyms, uf, known
        self.roots: dict[str, str] = {}
        self.moved: dict = {None: None}

    def __missing__(self, key: str) -> str:
        c = self[key] = mention_cluster(key, {}, self.key_runs, self.acronyms, self.uf, self.known)
        root = self.roots.get(key)
        if root is None:
            root = self.roots[key] = self.uf.find(key)
        self.moved[key] = (mention_rule(key, None, self.acronyms), key, c) if c != root else None
        return c


def mention_clusters(exts: Sequence[Extraction], forms: Forms, key_runs: Mapping[str, tuple[str, ...]], acronyms: Acronyms, uf: UnionFind) -> tuple[dict[str, list[str | None]], Counter]:
    """The cluster of every mention (paper id -> one cluster per mention, None: not resolved)
    and the moves of the mention rules (``(rule, key, cluster) -> papers``, for the merges
    report). A key's cluster is computed once for all papers without a definition that
    changes it (:class:`_PlainCluster`), and again only in the papers whose definitions do."""
    clusters: dict[str, list[str | None]] = {}
    redirected: Counter = Counter()  # (rule, key, cluster) -> papers where a mention rule moved key
    plain_cluster = _PlainCluster(key_runs, acronyms, uf, forms.count)
    plain_moved = plain_cluster.moved
    # keys whose cluster a paper's definitions may change besides the defined acronyms themselves:
    # names after a generic head, and "CTR prediction" (its first run an acronym)
    spelled_first = {key: r[0] for key, r in key_runs.items() if len(r) > 1 and r[0].startswith(MARK) and all(x.isalpha() for x in r[1:])}
    maybe_defined = set(spelled_first) | set(acronyms.generic)
    for ext in exts:
        keys = forms.keys[ext.paper_id]
        defs = forms.definitions.get(ext.paper_id)
        row = list(map(plain_cluster.__getitem__, keys))  # each key's cluster in a paper without definitions
        moved = set(map(plain_moved.__getitem__, keys))
        moved.discard(None)
        if defs:  # the keys this paper's definitions change
            present = set(keys)
            special = present.intersection(defs)
            special.update(k for k in present.intersection(maybe_defined) if k in acronyms.generic or spelled_first.get(k) in defs)
            if special:
                row = _defined_row(keys, row, special, defs, key_runs, acronyms, uf, forms.count, plain_cluster, moved)
        clusters[ext.paper_id] = row
        redirected.update(moved)
    return clusters, redirected


def _defined_row(keys, row, special, defs, key_runs, acronyms: Acronyms, uf: UnionFind, known, plain_cluster: _PlainCluster, moved: set) -> list[str | None]:
    """``row`` (the clusters of one paper's mentions, as in a paper without definitions) with
    the ``special`` keys, those the paper's definitions ``defs`` change, sent where they say;
    ``moved`` (the paper's mention-rule moves) is updated to match."""
    roots = plain_cluster.roots
    plain_moved = plain_cluster.moved
    cluster_here = {}
    for key in special:
        moved.discard(plain_moved[key])
        c = cluster_here[key] = mention_cluster(key, defs, key_runs, acronyms, uf, known)
        root = roots.get(key)
        if root is None:
            root = roots[key] = uf.find(key)
        if c != root:
            moved.add((mention_rule(key, defs, acronyms), key, c))
    return [cluster_here.get(key, c) for key, c in zip(keys, row)]
