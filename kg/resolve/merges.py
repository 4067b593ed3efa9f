"""Why two forms are one concept: the merges report (``merges.tsv`` in a build's output).

Forms whose matching keys are equal (case, hyphens, plurals, British spelling: see
:mod:`kg.resolve.normalize`) are one name and are not listed. Every other way two forms come
to be one concept is a rule, and every use of a rule is one :class:`Merge` row:

========================  =================================================================
rule                      meaning
========================  =================================================================
typo                      one edit apart, nothing else as close, rare beside its target
acronym-case              an acronym written in another case ("Cifar10" / "CIFAR-10")
split-head                "LONG (ACR) networks": LONG and "LONG networks"
same-expansion            two expansions of one acronym spelled with the same words
initials                  an acronym defined nowhere, joined to the one full form it spells
acronym-paper             an acronym in a paper that defines it (strict long form)
acronym-paper-loose       the same, for a long form that only passes the loose check
acronym-corpus            an acronym in a paper that does not define it: the corpus' expansion
generic-head              "CIFAR-10 dataset" read as "CIFAR-10"
acronym-spelled           "CTR prediction" read as "click-through rate prediction"
========================  =================================================================

``papers`` is the support: for the mention rules (acronym-*, generic-head), the papers where
the rule moved the form; for the others, the papers writing the form.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.models import Concept
from kg.output import atomic_open
from kg.resolve.forms import Forms
from kg.resolve.union_find import UnionFind

COLUMNS = ("concept", "label", "rule", "form", "into", "papers", "into_papers", "detail")


@dataclass(frozen=True, slots=True)
class Merge:
    """One use of a merge rule: ``form`` became part of concept ``concept`` through ``into``."""

    concept: str
    label: str
    rule: str
    form: str
    into: str
    papers: int
    into_papers: int
    detail: str = ""


def merge_report(forms: Forms, uf: UnionFind, redirected: Mapping, alias_keys: Mapping, ids: Mapping, concepts: Mapping[str, Concept]) -> list[Merge]:
    """The merges report: every union of the union-find (``uf.reasons``) and every move of a
    mention rule (``redirected``: ``(rule, key, cluster) -> papers``), one row per concept of
    the cluster, with support. ``alias_keys`` and ``ids`` are keyed by concept key ``(cluster,
    type)``: its matching keys, its id."""
    of_cluster: dict[str, list[str]] = defaultdict(list)  # cluster -> its concepts (one per type when split)
    for ckey in alias_keys:
        of_cluster[ckey[0]].append(ids[ckey])

    def text(key: str) -> str:
        spellings = forms.spellings.get(key)
        return min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0] if spellings else key

    out = []
    for rule, a, b, detail in uf.reasons:
        for cid in sorted(of_cluster.get(uf.find(a), ())):
            out.append(Merge(cid, concepts[cid].label, rule, text(a), text(b), forms.papers.get(a, 0), forms.papers.get(b, 0), detail))
    for (rule, key, cluster), n in redirected.items():
        for cid in sorted(of_cluster.get(cluster, ())):
            c = concepts[cid]
            out.append(Merge(cid, c.label, rule, text(key), text(cluster), n, forms.papers.get(cluster, 0), ""))
    out.sort(key=lambda m: (m.concept, m.rule, m.form, m.into))
    return out


def write_merges(merges, path: str | Path) -> Path:
    """Write ``merges`` (an iterable of :class:`Merge`) as a tab-separated file with a header, atomically.

    Example
    -------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "merges.tsv")
    >>> _ = write_merges([Merge("metric/bleu", "BLEU", "acronym-corpus", "BLEU", "bilingual evaluation understudy", 140, 3)], p)
    >>> open(p).read().splitlines()[1]
    'metric/bleu\\tBLEU\\tacronym-corpus\\tBLEU\\tbilingual evaluation understudy\\t140\\t3\\t'
    """
    path = Path(path)
    with atomic_open(path, newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        out.writerow(COLUMNS)
        for m in merges:
            out.writerow((m.concept, m.label, m.rule, m.form, m.into, m.papers, m.into_papers, m.detail))
    return path
