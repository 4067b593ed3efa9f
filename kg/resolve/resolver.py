"""``resolve(extractions, papers)``: mentions -> concepts, plus look-alike links.

Steps (each in its own module; :func:`resolve` wires them):

1. every mention's surface form gets a matching key (:mod:`kg.resolve.normalize`), gathered
   into per-key tables (:mod:`kg.resolve.forms`); a mention that spans "Long Form (ACR)" is
   keyed by its long form;
2. keys that are one name join in a union-find (:mod:`kg.resolve.union_find`): one typo apart
   when nothing else is that close (:mod:`kg.resolve.typos`), an acronym in another case, the
   long form of "LONG (ACR) head" (:mod:`kg.resolve.key_merges`);
3. acronyms follow their paper's definition, else the corpus' unambiguous one, else the one
   full form in the corpus whose initials spell them (:mod:`kg.resolve.acronyms`,
   :mod:`kg.resolve.acronym_votes`); a name that starts with a defined acronym followed by
   plain words ("CTR prediction") is read with the acronym spelled out; a name with a generic
   head ("CIFAR-10 dataset") as the name (:mod:`kg.resolve.generic_heads`); each mention's
   cluster: :mod:`kg.resolve.clusters`;
4. a cluster of keys becomes one concept of the type its papers vote for, flagged when the vote
   is ambiguous (:mod:`kg.resolve.types`, lexicons as extra votes: :mod:`kg.resolve.lexicon`),
   labelled and identified by :mod:`kg.resolve.labels` (:mod:`kg.resolve.concepts`), with a
   confidence (:mod:`kg.resolve.confidence`); why forms became one concept:
   :mod:`kg.resolve.merges`;
5. look-alike concepts are linked (:mod:`kg.resolve.variants`), with evidence
   (:mod:`kg.resolve.variant_relations`).

Everything is computed from per-form tables (counts, spellings) plus one pass over the
mentions per step, so memory follows the number of distinct forms, and the result does not
depend on the order of the inputs.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kg.collector import pausing
from kg.models import Concept, Evidence, Extraction, Paper, Relation
from kg.resolve.acronym_votes import initials_fallback, vote_acronyms
from kg.resolve.clusters import mention_clusters
from kg.resolve.concepts import ConceptOf, cluster_labels, concept_ids, concept_tables, make_concepts, mention_rows
from kg.resolve.forms import gather, key_runs as runs_of_keys, unique
from kg.resolve.generic_heads import generic_heads, headed_lexicon
from kg.resolve.key_merges import merge_acronym_case, merge_split_heads, merge_typos
from kg.resolve.lexicon import type_lexicon
from kg.resolve.merges import Merge, merge_report
from kg.resolve.types import cluster_types
from kg.resolve.union_find import UnionFind
from kg.resolve.variant_relations import concept_names, variant_relations

#: Version of the resolution rules, part of the method of every evidence record it makes.
RESOLVER_VERSION = "1"


@dataclass
class Resolution:
    """The concepts, which concept each mention is, and the look-alike links between concepts.

    ``evidence`` holds the :class:`~kg.models.Evidence` records the links' ``evidence`` ids
    point to (kg.build adds them to the graph).
    """

    concepts: dict[str, Concept] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)  # why forms with different keys are one concept
    _ids: list[str] = field(default_factory=list, repr=False)
    _mentions: dict[str, array] = field(default_factory=dict, repr=False)

    def concept_of(self, paper_id: str, mention_index: int) -> str | None:
        """The concept id of ``paper_id``'s mention ``mention_index`` (None: not resolved)."""
        row = self._mentions.get(paper_id)
        if row is None or not 0 <= mention_index < len(row) or row[mention_index] < 0:
            return None
        return self._ids[row[mention_index]]


@pausing
def resolve(extractions: Iterable[Extraction], papers: Mapping[str, Paper], *, lexicon: Mapping[str, str] | None = None) -> Resolution:
    """Resolve every mention of ``extractions`` to a concept.

    Parameters
    ----------
    extractions : one :class:`~kg.models.Extraction` per paper (order does not matter).
    papers : paper id -> :class:`~kg.models.Paper` (dates for first/last seen, titles for
        casing); a paper missing here is still resolved, without a date.
    lexicon : matching key -> label, the extra votes of undecided types (None: the packaged
        :func:`~kg.resolve.lexicon.type_lexicon`; ``{}``: none).

    Returns
    -------
    :class:`Resolution`

    Example
    -------
    >>> from kg.models import Abbreviation, Mention
    >>> text = "We study graph neural networks (GNNs). GNNs are fast."
    >>> ext = Extraction("p1", [(0, 38), (39, 53)],
    ...     [Mention(9, 30, "METHOD", "graph neural networks", 0), Mention(32, 36, "METHOD", "GNNs", 0),
    ...      Mention(39, 43, "METHOD", "GNNs", 1)], [Abbreviation("GNNs", "graph neural networks", 32, 36, 9, 30)])
    >>> r = resolve([ext], {"p1": Paper("p1", "T", text[2:])})
    >>> [r.concept_of("p1", i) for i in range(3)]
    ['method/graph-neural-networks', 'method/graph-neural-networks', 'method/graph-neural-networks']
    >>> r.concepts['method/graph-neural-networks'].acronym
    'GNNs'
    """
    exts = unique(extractions)
    forms = gather(exts, papers)
    key_runs = runs_of_keys(forms)
    uf = UnionFind()  # the steps below join keys in it, each under its own rule
    merge_typos(forms, key_runs, uf)
    merge_acronym_case(forms, uf)
    merge_split_heads(forms, uf)
    acronyms = vote_acronyms(forms, uf)
    initials_fallback(forms, key_runs, acronyms, uf)
    acronyms.generic = generic_heads(forms, key_runs, uf)
    forms.labels.clear()  # per-key tables no later step reads (memory: one Counter per key)
    forms.plain.clear()

    clusters, redirected = mention_clusters(exts, forms, key_runs, acronyms, uf)
    lexicon = type_lexicon() if lexicon is None else lexicon
    headed = headed_lexicon(lexicon, key_runs)  # "CIFAR-10 dataset" votes as "CIFAR-10" would
    decisions = cluster_types(exts, clusters, forms.keys, {**lexicon, **headed} if headed else lexicon)
    concept_of = ConceptOf({c: d.type for c, d in decisions.items()})
    tables = concept_tables(exts, papers, clusters, concept_of, forms, uf, decisions)
    forms.cleaned.clear()  # mention text -> key: read by no later step
    cluster_label, cluster_id_form = cluster_labels(tables, forms, uf, acronyms.generic)
    ids = concept_ids(tables, cluster_label, cluster_id_form)
    concepts = make_concepts(tables, ids, cluster_label, decisions, papers)
    order, rows = mention_rows(exts, clusters, concept_of, ids)
    del concept_of

    result = Resolution(concepts={cid: concepts[cid] for cid in order}, _ids=order, _mentions=rows)
    result.merges = merge_report(forms, uf, redirected, tables.alias_keys, ids, concepts)
    names = concept_names(tables.alias_keys, ids, key_runs)
    result.relations, result.evidence = variant_relations(result.concepts, order, rows, exts, forms.keys, names, RESOLVER_VERSION)
    return result


def release_caches() -> int:
    """Empty the memo caches of the resolution rules; returns how many entries were dropped.

    :mod:`kg.resolve.normalize`, :mod:`kg.resolve.acronyms` and :mod:`kg.resolve.labels` memoise
    their per-form functions (bounded ``lru_cache``: up to about 3.4 million entries in all).
    They only speed up :func:`resolve`; a build calls this once resolution is done, so that the
    graph and writer stages reuse that memory (at 20,000 arXiv abstracts, 0.8 million entries and
    150 MB less at the end of graph building; docs/scale.md, "Memory").

    >>> from kg.resolve.normalize import form_key
    >>> _ = form_key("Graph Neural Networks")
    >>> release_caches() > 0, form_key.cache_info().currsize
    (True, 0)
    """
    from kg.resolve import acronyms, labels, normalize

    dropped = 0
    for module in (normalize, acronyms, labels):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and callable(getattr(value, "cache_info", None)) \
                    and getattr(value, "__module__", None) == module.__name__:
                dropped += value.cache_info().currsize
                value.cache_clear()
    return dropped
