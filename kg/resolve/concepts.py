"""From typed clusters to :class:`~kg.models.Concept` records: aliases, labels, ids, mention rows.

A concept is a cluster of keys with one type (the cluster's type, or a mention's own where no
type dominates), identified by its *concept key* ``(cluster, type)``. The steps, in order:

1. :func:`concept_tables`: one pass over the mentions counts each concept's aliases, papers and
   mention scores;
2. :func:`cluster_labels`: one label per cluster (concepts split off it by type share it, so a
   split concept's label still leads back to its cluster), and the form its id is made from
   (:mod:`kg.resolve.labels`);
3. :func:`concept_ids`: ``<type>/<slug>``; concepts whose labels give the same slug get -2,
   -3 ... in an order that depends only on what they contain;
4. :func:`make_concepts`, then :func:`mention_rows`: each mention's concept.

Mentions are counted as tuples in C (``map``/``Counter``) and then added to the per-concept
tables in first-seen order (the order of a mention-by-mention pass, so ties everywhere below
break the same way).
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter

from kg.models import Concept, Extraction, Paper
from kg.resolve.confidence import paper_miss
from kg.resolve.forms import Forms
from kg.resolve.generic_heads import poor_labels
from kg.resolve.labels import choose_acronym, choose_label, date_range, id_form, label_fold, slug
from kg.resolve.types import TypeDecision
from kg.resolve.union_find import UnionFind

#: A concept key: (cluster, concept type).
ConceptKey = tuple[str, str]

_LABEL = attrgetter("label")
_TEXT = attrgetter("text")
_SCORE = attrgetter("score")


class ConceptOf(dict):
    """``(cluster, mention label) -> (cluster, concept type)``: the concept of a mention (the
    cluster's type, or the mention's own where no type dominates); ``(None, label) -> None``.
    One tuple per concept, shared by every mention of it.

    Example
    -------
    >>> concept_of = ConceptOf({"smote": "METHOD", "x": None})
    >>> concept_of[("smote", "DATASET")], concept_of[("x", "TASK")], concept_of[(None, "TASK")]
    (('smote', 'METHOD'), ('x', 'TASK'), None)
    """

    def __init__(self, cluster_type: Mapping[str, str | None]) -> None:
        super().__init__()
        self.cluster_type = cluster_type
        self.interned: dict[tuple[str, str], tuple[str, str]] = {}

    def __missing__(self, pair: tuple[str | None, str]) -> tuple[str, str] | None:
        c, label = pair
        ckey = None if c is None else (c, self.cluster_type[c] or label)
        if ckey is not None:
            ckey = self.interned.setdefault(ckey, ckey)
        self[pair] = ckey
        return ckey


class _FoldOf(dict):
    """``mention text -> label_fold`` of its clean form (None for a text never resolved)."""

    def __init__(self, cleaned: Mapping[str, tuple[str, str]]) -> None:
        super().__init__()
        self.cleaned = cleaned

    def __missing__(self, text: str) -> str | None:
        cached = self.cleaned.get(text)
        g = self[text] = label_fold(cached[1]) if cached is not None else None
        return g


def best_scores(ckeys: Sequence, mentions: Sequence) -> dict:
    """``concept key -> highest score`` of one paper's mentions (``ckeys`` in mention order).
    Most extractors give every mention the same score (the CNN: 1.0), taken without a sort.

    Example
    -------
    >>> from kg.models import Mention
    >>> best_scores(["a", "b", "a"], [Mention(0, 1, "TASK", "x", 0, score=s) for s in (0.4, 0.2, 0.9)])
    {'b': 0.2, 'a': 0.9}
    """
    if not mentions:
        return {}
    scores = list(map(_SCORE, mentions))
    low, high = min(scores), max(scores)
    if low == high:
        return dict.fromkeys(ckeys, high)
    return dict(sorted(zip(ckeys, scores), key=itemgetter(1)))  # the last, highest, score per key wins


@dataclass
class ConceptTables:
    """What each concept is made of, per concept key (and, for labels, per cluster)."""

    aliases: dict[ConceptKey, Counter]  # surface form -> mentions
    reliable: dict[ConceptKey, Counter]  # surface form -> mentions whose casing means something
    alias_keys: dict[ConceptKey, set[str]]  # matching keys of its mentions
    papers: dict[ConceptKey, set[str]]  # paper ids
    support_miss: dict[ConceptKey, float]  # product of the papers' misses (for the confidence)
    lower_words: set[str]  # words written in lower case inside sentences
    group_papers: dict[str, dict[str, int]]  # cluster -> label_fold group -> papers writing it
    defined_forms: dict[str, Counter]  # cluster -> long forms of its definitions (no mention)


def concept_tables(exts: Sequence[Extraction], papers: Mapping[str, Paper], clusters: Mapping[str, Sequence[str | None]], concept_of: ConceptOf, forms: Forms, uf: UnionFind, typed: Mapping[str, TypeDecision]) -> ConceptTables:
    """The :class:`ConceptTables` of every concept, from the mentions' clusters (paper id -> one
    cluster per mention); ``typed`` holds the clusters that have a type."""
    seen, written_count, concept_papers, support_miss, defined_forms = _tally(exts, papers, clusters, concept_of, forms, uf, typed)
    aliases, reliable, alias_keys, lower_words = _alias_tables(seen, concept_of, forms.cleaned)
    del seen
    group_papers: dict[str, dict[str, int]] = defaultdict(dict)  # cluster -> label_fold group -> papers
    for (c, g), n in written_count.items():
        if c is not None:
            group_papers[c][g] = n
    return ConceptTables(aliases, reliable, alias_keys, concept_papers, support_miss, lower_words, group_papers, defined_forms)


def _tally(exts, papers, clusters, concept_of: ConceptOf, forms: Forms, uf: UnionFind, typed) -> tuple:
    """One pass over the mentions: ``(cluster, label, text, reliable casing) -> mentions``,
    ``(cluster, label_fold group) -> papers writing it``, each concept's papers and the product
    of their misses (:func:`~kg.resolve.confidence.paper_miss`), and the long forms of each
    typed cluster's definitions (written by the paper, if not as a mention)."""
    fold_of = _FoldOf(forms.cleaned)
    seen: Counter = Counter()  # (cluster, label, text, reliable casing) -> mentions
    written_count: Counter = Counter()  # (cluster, label_fold group) -> papers writing it
    concept_papers: dict[tuple[str, str], set[str]] = defaultdict(set)
    support_miss: dict[tuple[str, str], float] = defaultdict(lambda: 1.0)  # for the confidence
    defined_forms: dict[str, Counter] = defaultdict(Counter)  # cluster -> long forms of its definitions
    for ext in exts:
        paper = papers.get(ext.paper_id)
        title_end = len(paper.title) if paper is not None else -1
        row = clusters[ext.paper_id]
        sentences = ext.sentences
        n_sentences = len(sentences)
        # casing means something outside the title and not at a sentence start
        casing = [m.start > title_end and m.start != (sentences[m.sentence][0] if 0 <= m.sentence < n_sentences else m.start) for m in ext.mentions]
        labels = list(map(_LABEL, ext.mentions))
        texts = list(map(_TEXT, ext.mentions))
        seen.update(zip(row, labels, texts, casing))
        for ckey, score in best_scores(list(map(concept_of.__getitem__, zip(row, labels))), ext.mentions).items():
            if ckey is not None:
                concept_papers[ckey].add(ext.paper_id)
                if score > -1.0:
                    support_miss[ckey] *= paper_miss(score)
        written = set(zip(row, map(fold_of.__getitem__, texts)))
        for d in forms.definitions.get(ext.paper_id, {}).values():  # the paper wrote the long form too
            c = uf.find(d.long_key)
            if c in typed:
                defined_forms[c][d.long_text] += 0
                written.add((c, label_fold(d.long_text)))
        written_count.update(written)
    return seen, written_count, concept_papers, support_miss, defined_forms


def _alias_tables(seen: Mapping, concept_of: ConceptOf, cleaned: Mapping[str, tuple[str, str]]) -> tuple:
    """Per concept key: its aliases, their mentions with reliable casing, its matching keys;
    and the words written in lower case inside sentences anywhere."""
    aliases: dict[tuple[str, str], Counter] = defaultdict(Counter)
    reliable: dict[tuple[str, str], Counter] = defaultdict(Counter)
    alias_keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    lower_words: set[str] = set()  # words written in lower case inside sentences
    seen_reliable: set[str] = set()
    for (c, label, text, reliable_casing), n in seen.items():
        ckey = concept_of[(c, label)]
        if ckey is None:
            continue
        key, form = cleaned[text]
        aliases[ckey][form] += n
        if reliable_casing:
            reliable[ckey][form] += n
            if form not in seen_reliable:
                seen_reliable.add(form)
                lower_words.update(w for w in form.split() if w.isalpha() and w.islower())
        alias_keys[ckey].add(key)
    return aliases, reliable, alias_keys, lower_words


def cluster_labels(tables: ConceptTables, forms: Forms, uf: UnionFind, generic: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The label of each cluster (:func:`~kg.resolve.labels.choose_label` over the aliases of
    all its concepts) and the form its id is made from (:func:`~kg.resolve.labels.id_form`);
    ``generic`` is the "NAME dataset" key -> NAME key table of
    :func:`~kg.resolve.generic_heads.generic_heads`."""
    long_forms: dict[str, list[str]] = defaultdict(list)
    for paper_defs in forms.definitions.values():
        for d in paper_defs.values():
            long_forms[uf.find(d.long_key)].append(d.long_text)
    cluster_aliases: dict[str, Counter] = defaultdict(Counter)
    cluster_reliable: dict[str, Counter] = defaultdict(Counter)
    for ckey, al in tables.aliases.items():
        cluster_aliases[ckey[0]].update(al)
        cluster_reliable[ckey[0]].update(tables.reliable.get(ckey, {}))
    for c, defined_here in tables.defined_forms.items():
        for form in defined_here:
            cluster_aliases[c].setdefault(form, 0)
    cluster_label = {}
    cluster_id_form = {}
    for c, al in cluster_aliases.items():
        args = (al, cluster_reliable[c], long_forms.get(c, ()), poor_labels(al, generic, forms.papers), tables.lower_words, tables.group_papers[c])
        cluster_label[c] = choose_label(*args)
        cluster_id_form[c] = id_form(cluster_label[c], *args)
    return cluster_label, cluster_id_form


def concept_ids(tables: ConceptTables, cluster_label: Mapping[str, str], cluster_id_form: Mapping[str, str]) -> dict[ConceptKey, str]:
    """The id of each concept: ``<type lower>/<slug of its cluster's id form>``, then -2, -3
    ... for the concepts whose slug is taken, ranked by mentions, papers, label and aliases."""
    labelled = []
    for ckey, al in tables.aliases.items():
        label = cluster_label[ckey[0]]
        rank = (-sum(al.values()), -len(tables.papers[ckey]), label, tuple(sorted(al)))
        labelled.append((f"{ckey[1].lower()}/{slug(cluster_id_form[ckey[0]])}", rank, ckey))
    labelled.sort(key=lambda x: (x[0], x[1]))
    return numbered((base, ckey) for base, _rank, ckey in labelled)


def numbered(bases: Iterable[tuple[str, object]]) -> dict:
    """``thing -> id`` for ``(base id, thing)`` pairs in rank order: the first thing of a base
    gets the base, the next ones ``base-2``, ``base-3`` ..., skipping ids already given.

    Example
    -------
    >>> numbered([("task/a", "x"), ("task/a", "y"), ("task/a-2", "z")])
    {'x': 'task/a', 'y': 'task/a-2', 'z': 'task/a-2-2'}
    """
    ids: dict = {}
    given: set[str] = set()
    taken: Counter = Counter()
    for base, thing in bases:
        taken[base] += 1
        cid = base if taken[base] == 1 else f"{base}-{taken[base]}"
        while cid in given:
            taken[base] += 1
            cid = f"{base}-{taken[base]}"
        ids[thing] = cid
        given.add(cid)
    return ids


def make_concepts(tables: ConceptTables, ids: Mapping[ConceptKey, str], cluster_label: Mapping[str, str], decisions: Mapping[str, TypeDecision], papers: Mapping[str, Paper]) -> dict[str, Concept]:
    """The :class:`~kg.models.Concept` of each concept key, by id (in the order of ``ids``)."""
    concepts: dict[str, Concept] = {}
    for ckey, cid in ids.items():
        label = cluster_label[ckey[0]]
        al = tables.aliases[ckey]
        concept_papers = tables.papers[ckey]
        first, last = date_range(papers[p].date if p in papers else None for p in concept_papers)
        concepts[cid] = Concept(
            id=cid,
            type=ckey[1],
            label=label,
            aliases=dict(sorted(al.items(), key=lambda kv: (-kv[1], kv[0]))),
            acronym=acronym if (acronym := choose_acronym(al)) != label else None,
            paper_count=len(concept_papers),
            mention_count=sum(al.values()),
            first_seen=first,
            last_seen=last,
            type_votes=decisions[ckey[0]].votes,
            ambiguous_type=decisions[ckey[0]].ambiguous,
            confidence=round(1.0 - tables.support_miss[ckey], 4),
        )
    return concepts


def mention_rows(exts: Sequence[Extraction], clusters: dict[str, list[str | None]], concept_of: ConceptOf, ids: Mapping[ConceptKey, str]) -> tuple[list[str], dict[str, array]]:
    """The concept ids in sorted order, and per paper each mention's concept as an index into
    them (-1: none). Empties ``clusters`` as it goes (its rows are the largest table left)."""
    order = sorted(ids.values())
    index = {cid: i for i, cid in enumerate(order)}
    index_of = {ckey: index[cid] for ckey, cid in ids.items()}
    index_of[None] = -1
    rows = {}
    for ext in exts:
        ckeys = map(concept_of.__getitem__, zip(clusters.pop(ext.paper_id), map(_LABEL, ext.mentions)))
        rows[ext.paper_id] = array("i", map(index_of.__getitem__, ckeys))
    return order, rows
