"""``resolve(extractions, papers)``: mentions -> concepts, plus look-alike links.

Steps (each in its own module):

1. every mention's surface form gets a matching key (:mod:`kg.resolve.normalize`); a mention
   that spans "Long Form (ACR)" is keyed by its long form;
2. keys one typo apart merge when nothing else is that close (:mod:`kg.resolve.typos`);
3. acronyms follow their paper's definition, else the corpus' unambiguous one, else the one
   full form in the corpus whose initials spell them (:mod:`kg.resolve.acronyms`); a name
   that starts with a defined acronym followed by plain words ("CTR prediction") is read with
   the acronym spelled out;
4. a cluster of keys becomes one concept of the type its papers vote for, flagged when the vote
   is ambiguous (:mod:`kg.resolve.types`, lexicons as extra votes: :mod:`kg.resolve.lexicon`),
   labelled and identified by :mod:`kg.resolve.labels`, with a confidence
   (:mod:`kg.resolve.confidence`);
5. look-alike concepts are linked (:mod:`kg.resolve.variants`), with evidence.

Everything is computed from per-form tables (counts, spellings) plus one pass over the
mentions, so memory follows the number of distinct forms, and the result does not depend on
the order of the inputs.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from kg.collector import pausing
from kg.models import LABELS, MAX_EVIDENCE, Concept, Evidence, Extraction, Paper, Relation, evidence_id
from kg.resolve.acronyms import Definition, corpus_expansion, initials_signatures, paper_definitions, same_spelling, spelling_prefix, without_defined_acronym
from kg.resolve.merges import Merge
from kg.resolve.confidence import paper_miss
from kg.resolve.labels import choose_acronym, choose_label, date_range, id_form, label_fold, slug
from kg.resolve.lexicon import lexicon_label, type_lexicon
from kg.resolve.normalize import MARK, clean_form, form_key, has_digit, is_acronym_form, is_plain, runs
from kg.resolve.types import decide_type, paper_vote
from kg.resolve.typos import typo_merges
from kg.resolve.variants import variant_links

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


class _UnionFind:
    """Union-find over keys; the representative of a set is its smallest key (deterministic).

    ``reasons`` records every union that joined two sets: ``(rule, key, into key, detail)``,
    for the merges report.
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reasons: list[tuple[str, str, str, str]] = []

    def merge(self, a: str, b: str, rule: str, detail: str = "") -> None:
        """Union ``a`` into ``b``'s set, recording why (when they were apart)."""
        if self.find(a) != self.find(b):
            self.reasons.append((rule, a, b, detail))
            self.union(a, b)

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


@dataclass
class _Forms:
    """Per-key tables gathered in one pass over the mentions."""

    count: Counter = field(default_factory=Counter)
    papers: Counter = field(default_factory=Counter)  # key -> papers writing it
    spellings: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    plain: dict[str, bool] = field(default_factory=dict)
    definitions: dict[str, dict[str, Definition]] = field(default_factory=dict)  # paper -> short key -> def
    keys: dict[str, list[str | None]] = field(default_factory=dict)  # paper -> key per mention
    cleaned: dict[str, tuple[str, str]] = field(default_factory=dict)  # mention text -> (key, clean form)
    labels: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # key -> mention labels

    def add(self, key: str, form: str, label: str, n: int = 1) -> None:
        self.count[key] += n
        self.labels[key][label] += n
        self.spellings[key][form] += n
        self.plain[key] = self.plain.get(key, False) or is_plain(form)


def _unique(extractions: Iterable[Extraction]) -> list[Extraction]:
    """One extraction per paper id (the first given), sorted by paper id."""
    seen: dict[str, Extraction] = {}
    for ext in extractions:
        seen.setdefault(ext.paper_id, ext)
    return [seen[k] for k in sorted(seen)]


#: A mention's surface text and type, as one tuple (counted in C rather than mention by mention).
_TEXT_LABEL = attrgetter("text", "label")
_LABEL = attrgetter("label")
_TEXT = attrgetter("text")
_SCORE = attrgetter("score")


class _KeyOf(dict):
    """``(mention text, label) -> matching key`` (None: not resolved), computed once per pair;
    ``cleaned`` gets ``text -> (key, clean form)`` for every text of a resolvable type."""

    def __init__(self, cleaned: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.cleaned = cleaned

    def __missing__(self, pair: tuple[str, str]) -> str | None:
        text, label = pair
        key = None
        if label in LABELS:
            cached = self.cleaned.get(text)
            if cached is None:
                form = without_defined_acronym(clean_form(text))  # "Long Form (ACR)" names the long form
                cached = self.cleaned[text] = (form_key(form), form)
            key = cached[0] or None
        self[pair] = key
        return key


def _gather(extractions: Sequence[Extraction], papers: Mapping[str, Paper]) -> _Forms:
    """The per-key tables. Mentions are counted as ``(text, label)`` pairs (the per-mention work
    is C-level ``map``/``Counter``; the pairs are then added in first-seen order, so every table
    keeps the insertion order of a mention-by-mention pass)."""
    forms = _Forms()
    key_of = _KeyOf(forms.cleaned)
    pair_count: Counter = Counter()
    for ext in extractions:
        pairs = list(map(_TEXT_LABEL, ext.mentions))
        pair_count.update(pairs)
        row = list(map(key_of.__getitem__, pairs))
        forms.keys[ext.paper_id] = row
        written = set(row)
        written.discard(None)
        forms.papers.update(written)
        if ext.abbreviations:
            paper = papers.get(ext.paper_id)
            defs = paper_definitions(ext.abbreviations, ext.mentions, paper.text if paper is not None else None)
            if defs:
                forms.definitions[ext.paper_id] = defs
    cleaned = forms.cleaned
    for pair, n in pair_count.items():
        key = key_of[pair]
        if key is not None:
            forms.add(key, cleaned[pair[0]][1], pair[1], n)
    del pair_count, key_of
    defined = Counter(d.long_key for defs in forms.definitions.values() for d in defs.values())
    for paper_id, defs in forms.definitions.items():
        # the detector's shortest long form, unless it names nothing in the corpus (no mention, no
        # other paper's definition) and a mention extends it ("Selectable KAN" -> "activation
        # space Selectable KAN")
        defs = {k: d.widened() if d.wide_key and not forms.count.get(d.long_key) and defined[d.long_key] < 2 else d for k, d in defs.items()}
        forms.definitions[paper_id] = defs
        for d in defs.values():
            for key, text in ((d.long_key, d.long_text), (d.head_key, d.head_text)):
                if key and key not in forms.count:
                    forms.count[key] += 0
                    forms.spellings[key][text] += 0
                    forms.plain[key] = forms.plain.get(key, False) or is_plain(text)
    return forms


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


def _proper_name(spellings: Mapping[str, int]) -> bool:
    """Whether a key is written as a name: a digit or an inner capital in at least half of its
    mentions ("CIFAR-10", "ResNet", "GNN"; not "deep learning", nor a sentence-initial "Deep",
    nor "diffusion", which one paper of hundreds writes "DIFFusion")."""
    proper = total = 0
    for f, n in spellings.items():
        if f:
            total += n
            if has_digit(f) or not is_plain(f):
                proper += n
    return total > 0 and 2 * proper >= total


def _generic_heads(forms: _Forms, key_runs: Mapping[str, tuple[str, ...]], uf: _UnionFind) -> dict[str, str]:
    """``{"NAME dataset" key: NAME key}`` for names followed by a generic head ("CIFAR-10
    dataset", "ResNet architecture", "GNN models", "classification tasks") where NAME is a
    name of the corpus whose cluster (NAME with its spelling variants) mostly has the head's
    type and, for dataset and method heads, is written as a proper name somewhere; such a
    mention is resolved as NAME (acronym definitions included). Judging the cluster rather
    than the one spelling keeps resolution idempotent; a key counts as a proper name by most of
    its mentions (:func:`_proper_name`), so one odd spelling does not make a word a name."""
    votes: dict[str, Counter] = defaultdict(Counter)
    proper: dict[str, bool] = defaultdict(bool)
    for key, n in forms.count.items():
        if n:
            root = uf.find(key)
            votes[root].update(forms.labels[key])
            proper[root] = proper[root] or _proper_name(forms.spellings[key])
    out = {}
    for key, r in key_runs.items():
        if not forms.count.get(key):
            continue
        for h in (1, 2):
            head = "".join(r[-h:])
            if len(r) <= h or head not in GENERIC_HEADS:
                continue
            rest = "".join(r[:-h])
            if rest not in forms.count:
                continue
            root = uf.find(rest)
            if GENERIC_HEADS[head] != "TASK" and not proper[root]:
                continue
            if votes[root] and min(votes[root].items(), key=lambda kv: (-kv[1], kv[0]))[0] == GENERIC_HEADS[head]:
                out[key] = rest
                break
    return out


def _marker_merges(forms: _Forms, uf: _UnionFind) -> None:
    """A form that differs from an acronym-marked key only in case and cannot be an ordinary
    word (it has a digit or an inner capital: "Cifar10", "MNist") joins it; "can" never joins "CAN"."""
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


def _key_runs(forms: _Forms) -> dict[str, tuple[str, ...]]:
    """Runs of each key, from its most frequent spelling (ties: alphabetical)."""
    out = {}
    for key, spellings in forms.spellings.items():
        best = min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out[key] = runs(best)
    return out


@dataclass
class _Acronyms:
    """The corpus-level acronym decisions."""

    defined: set[str]
    choice: dict[str, str]  # short key -> cluster used where the paper has no definition
    choice_text: dict[str, str]  # short key -> the long form text of that choice
    generic: dict[str, str] = field(default_factory=dict)  # "NAME dataset" key -> NAME key


def _vote_acronyms(forms: _Forms, uf: _UnionFind) -> _Acronyms:
    by_short: dict[str, list[Definition]] = defaultdict(list)
    for paper in sorted(forms.definitions):
        for short_key, d in sorted(forms.definitions[paper].items()):
            by_short[short_key].append(d)
    for short_key, defs in sorted(by_short.items()):  # merge expansions spelled with the same words
        reps: dict[str, list[Definition]] = defaultdict(list)
        for d in defs:
            reps[uf.find(d.long_key)].append(d)
        clusters = sorted(reps)[:50]
        prefixes = {a: {spelling_prefix(x.letter_words) for x in reps[a][:5]} for a in clusters}  # a cheap necessary condition
        for i, a in enumerate(clusters):
            for b in clusters[i + 1 :]:
                if not prefixes[a].isdisjoint(prefixes[b]) and any(same_spelling(x.letter_words, y.letter_words) for x in reps[a][:5] for y in reps[b][:5]):
                    uf.merge(b, a, "same-expansion", f"both expand {reps[a][0].short_key.replace(MARK, '').upper()} with the same words")
    choice: dict[str, str] = {}
    choice_text: dict[str, str] = {}
    for short_key, defs in by_short.items():
        chosen = corpus_expansion(Counter(uf.find(d.long_key) for d in defs))
        if chosen is not None and _corpus_support(short_key, chosen, defs, forms, uf):
            choice[short_key] = chosen
            texts = Counter(d.long_text for d in defs if uf.find(d.long_key) == chosen)
            choice_text[short_key] = min(texts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return _Acronyms(set(by_short), choice, choice_text)


#: Papers that must define an acronym the same way before the definition is used in papers that
#: do not define it; one strict definition is enough when its long form is a name of that many
#: papers, or when the acronym is written in at most ``LONE_REACH`` papers that do not define it.
CORPUS_SUPPORT = 2
LONE_REACH = 3


def _corpus_support(short_key: str, chosen: str, defs: Sequence[Definition], forms: _Forms, uf: _UnionFind) -> bool:
    """Whether the expansion ``chosen`` of one acronym may stand for it in papers that do not
    define it: ``CORPUS_SUPPORT`` papers define it so; or one strict definition that agrees with
    the corpus: its long form is a name of ``CORPUS_SUPPORT`` papers; or any one definition when
    few papers (``LONE_REACH``) use the acronym without defining it. A paper that names its own method
    METEOR, while 65 others write METEOR for the metric, keeps that meaning to itself."""
    mine = [d for d in defs if uf.find(d.long_key) == chosen]
    if len(mine) >= CORPUS_SUPPORT or forms.papers.get(short_key, 0) - len(defs) <= LONE_REACH:
        return True
    return any(d.strict for d in mine) and sum(forms.papers.get(k, 0) for k in {d.long_key for d in mine} | {chosen}) >= CORPUS_SUPPORT


def _initials_fallback(forms: _Forms, key_runs: Mapping[str, tuple[str, ...]], acronyms: _Acronyms, uf: _UnionFind) -> None:
    """Acronyms defined nowhere join the one full form whose initials spell them."""
    index: dict[str, set[str]] = defaultdict(set)
    for key, r in key_runs.items():
        if forms.count.get(key, 0) and not any(is_acronym_form(f) for f in forms.spellings[key]):
            for sig in initials_signatures(r):
                index[sig].add(key)
    for key, r in sorted(kr for kr in key_runs.items() if kr[0].count(MARK) == 1):  # one marked run, one mark
        marked = [x for x in r if x.startswith(MARK)]
        if len(marked) != 1 or marked[0] in acronyms.defined or key in acronyms.defined:
            continue
        if any(not x.isalpha() and not x.startswith(MARK) for x in r):
            continue
        candidates = {uf.find(k) for k in index.get(key, ())}
        if len(candidates) == 1:
            uf.merge(key, candidates.pop(), "initials", "defined nowhere; the one full form whose initials spell it")


def _mention_cluster(key: str, defs: Mapping[str, Definition], key_runs: Mapping[str, tuple[str, ...]], acronyms: _Acronyms, uf: _UnionFind, known: Mapping[str, int]) -> str:
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
        return _mention_cluster(rest, defs, key_runs, acronyms, uf, known)
    return uf.find(spelled or key)


def _mention_rule(key: str, defs: Mapping[str, Definition] | None, acronyms: _Acronyms) -> str:
    """The rule of :func:`_mention_cluster` that sent a mention away from its own cluster."""
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
    key, cluster)`` when a mention rule sends the key away from its own cluster, else None."""

    def __init__(self, key_runs, acronyms: "_Acronyms", uf: _UnionFind, known: Mapping[str, int], moved: dict) -> None:
        super().__init__({None: None})
        self.key_runs, self.acronyms, self.uf, self.known, self.moved = key_runs, acronyms, uf, known, moved
        self.roots: dict[str, str] = {}
        moved[None] = None

    def __missing__(self, key: str) -> str:
        c = self[key] = _mention_cluster(key, {}, self.key_runs, self.acronyms, self.uf, self.known)
        root = self.roots.get(key)
        if root is None:
            root = self.roots[key] = self.uf.find(key)
        self.moved[key] = (_mention_rule(key, None, self.acronyms), key, c) if c != root else None
        return c


def _undefined_tables(forms: _Forms, key_runs, acronyms: "_Acronyms", uf: _UnionFind) -> tuple[_PlainCluster, dict]:
    """The lazily filled ``key -> cluster`` and ``key -> moved`` tables of :class:`_PlainCluster`
    (the second is filled by the first: look a key up there first)."""
    moved: dict = {}
    return _PlainCluster(key_runs, acronyms, uf, forms.count, moved), moved


def _paper_votes(labelled: Mapping[tuple[str | None, str], int], n_clusters: int, votes: Counter) -> None:
    """Add one paper's type votes to ``votes`` ((cluster, label) -> papers): ``labelled`` is
    the paper's (cluster, mention label) -> mentions, ``n_clusters`` its distinct clusters. A
    cluster written with one label votes for it; one written with several votes as
    :func:`~kg.resolve.types.paper_vote` says (most papers take the first, C-level branch)."""
    if len(labelled) == n_clusters:  # every cluster (None included) carries one label here
        votes.update(labelled.keys())
        return
    by_cluster: dict[str, dict[str, int]] = defaultdict(dict)
    for (c, label), n in labelled.items():
        if c is not None:
            by_cluster[c][label] = n
    for c, labels in by_cluster.items():
        votes.update([(c, label) for label in paper_vote(labels)])


def _best_scores(ckeys: Sequence, mentions: Sequence) -> dict:
    """``concept key -> highest score`` of one paper's mentions (``ckeys`` in mention order).
    Most extractors give every mention the same score (the CNN: 1.0), taken without a sort."""
    if not mentions:
        return {}
    scores = list(map(_SCORE, mentions))
    low, high = min(scores), max(scores)
    if low == high:
        return dict.fromkeys(ckeys, high)
    return dict(sorted(zip(ckeys, scores), key=itemgetter(1)))  # the last, highest, score per key wins


class _ConceptKey(dict):
    """``(cluster, mention label) -> (cluster, concept type)``: the concept of a mention (the
    cluster's type, or the mention's own where no type dominates); ``(None, label) -> None``.
    One tuple per concept, shared by every mention of it."""

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


def _poor_labels(aliases: Mapping[str, int], generic: Mapping[str, str], papers: Mapping[str, int] | None = None) -> list[str]:
    """Aliases that make poor labels: names with a generic head ("CIFAR-10 dataset") whose bare
    name is written in at least as many papers (``papers``: key -> papers; None: always), and
    spellings of an acronym that are not acronym-shaped ("MNist" beside "MNIST"). A headed name
    that more papers write than its bare name stays a candidate: "diffusion models" (758 papers
    of the first 20,000 arXiv abstracts) beside "diffusion" (40), which one paper's "DIFFusion"
    makes a proper name."""
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
    exts = _unique(extractions)
    forms = _gather(exts, papers)
    key_runs = _key_runs(forms)
    uf = _UnionFind()
    for typo, target in typo_merges(key_runs, forms.count, forms.plain, forms.papers, forms.spellings):
        uf.merge(typo, target, "typo", "one edit apart, nothing else as close, the typo rare beside its target")
    _marker_merges(forms, uf)
    for paper_defs in forms.definitions.values():  # "LF (SF) networks": LF and "LF networks" are one name
        for d in paper_defs.values():
            if d.head_key:
                uf.merge(d.head_key, d.long_key, "split-head", "written 'LONG (ACR) head' in a paper")
    acronyms = _vote_acronyms(forms, uf)
    _initials_fallback(forms, key_runs, acronyms, uf)
    acronyms.generic = _generic_heads(forms, key_runs, uf)
    forms.labels.clear()  # per-key tables no later step reads (memory: one Counter per key)
    forms.plain.clear()

    # clusters of every mention, then the type of each cluster
    clusters: dict[str, list[str | None]] = {}
    redirected: Counter = Counter()  # (rule, key, cluster) -> papers where a mention rule moved key
    plain_cluster, plain_moved = _undefined_tables(forms, key_runs, acronyms, uf)
    roots = plain_cluster.roots
    # keys whose cluster a paper's definitions may change besides the defined acronyms themselves:
    # names after a generic head, and "CTR prediction" (its first run an acronym)
    spelled_first = {key: r[0] for key, r in key_runs.items() if len(r) > 1 and r[0].startswith(MARK) and all(x.isalpha() for x in r[1:])}
    maybe_defined = set(spelled_first) | set(acronyms.generic)
    lexicon = type_lexicon() if lexicon is None else lexicon
    votes: Counter = Counter()  # (cluster, label) -> papers voting for it (kg.resolve.types.paper_vote)
    lexicon_count: Counter = Counter()  # (cluster, lexicon label or None) -> mentions
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
                cluster_here = {}
                for key in special:
                    moved.discard(plain_moved[key])
                    c = cluster_here[key] = _mention_cluster(key, defs, key_runs, acronyms, uf, forms.count)
                    root = roots.get(key)
                    if root is None:
                        root = roots[key] = uf.find(key)
                    if c != root:
                        moved.add((_mention_rule(key, defs, acronyms), key, c))
                row = [cluster_here.get(key, c) for key, c in zip(keys, row)]
        clusters[ext.paper_id] = row
        _paper_votes(Counter(zip(row, map(_LABEL, ext.mentions))), len(set(row)), votes)
        if lexicon:
            hits = list(map(lexicon.get, keys))
            if hits.count(None) < len(hits):
                lexicon_count.update(zip(row, hits))
        redirected.update(moved)
    del plain_cluster, plain_moved
    type_votes: dict[str, Counter] = defaultdict(Counter)  # cluster -> papers voting for each label
    for (c, label), n in votes.items():
        if c is not None:
            type_votes[c][label] += n
    del votes
    lexicon_hits: dict[str, Counter] = defaultdict(Counter)  # cluster -> lexicon labels of its mentions
    for (c, label), n in lexicon_count.items():
        if c is not None and label is not None:
            lexicon_hits[c][label] += n
    del lexicon_count
    decisions = {c: decide_type(v, lexicon_label(lexicon_hits.get(c))) for c, v in type_votes.items()}
    cluster_type = {c: d.type for c, d in decisions.items()}

    # concept tables: mentions counted as (cluster, label, text, casing reliable) tuples in C,
    # then added to the per-concept tables in first-seen order (the order of a mention-by-mention
    # pass, so ties everywhere below break the same way)
    cleaned = forms.cleaned
    concept_of = _ConceptKey(cluster_type)
    fold_of = _FoldOf(cleaned)
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
        for ckey, score in _best_scores(list(map(concept_of.__getitem__, zip(row, labels))), ext.mentions).items():
            if ckey is not None:
                concept_papers[ckey].add(ext.paper_id)
                if score > -1.0:
                    support_miss[ckey] *= paper_miss(score)
        written = set(zip(row, map(fold_of.__getitem__, texts)))
        for d in forms.definitions.get(ext.paper_id, {}).values():  # the paper wrote the long form too
            c = uf.find(d.long_key)
            if c in type_votes:
                defined_forms[c][d.long_text] += 0
                written.add((c, label_fold(d.long_text)))
        written_count.update(written)
    del fold_of
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
    del seen, seen_reliable
    forms.cleaned.clear()
    group_papers: dict[str, dict[str, int]] = defaultdict(dict)  # cluster -> label_fold group -> papers
    for (c, g), n in written_count.items():
        if c is not None:
            group_papers[c][g] = n
    del written_count
    long_forms: dict[str, list[str]] = defaultdict(list)
    for paper_defs in forms.definitions.values():
        for d in paper_defs.values():
            long_forms[uf.find(d.long_key)].append(d.long_text)

    # labels and ids; concepts whose labels give the same slug get -2, -3 ... in an order that
    # depends only on what they contain (mentions, papers, label, aliases)
    # one label per cluster: concepts split off it by type share it (so that a split concept's
    # label still leads back to its cluster)
    cluster_aliases: dict[str, Counter] = defaultdict(Counter)
    cluster_reliable: dict[str, Counter] = defaultdict(Counter)
    for ckey, al in aliases.items():
        cluster_aliases[ckey[0]].update(al)
        cluster_reliable[ckey[0]].update(reliable.get(ckey, {}))
    for c, defined_here in defined_forms.items():
        for form in defined_here:
            cluster_aliases[c].setdefault(form, 0)
    cluster_label = {}
    cluster_id_form = {}
    for c, al in cluster_aliases.items():
        args = (al, cluster_reliable[c], long_forms.get(c, ()), _poor_labels(al, acronyms.generic, forms.papers), lower_words, group_papers[c])
        cluster_label[c] = choose_label(*args)
        cluster_id_form[c] = id_form(cluster_label[c], *args)
    labelled = []
    for ckey, al in aliases.items():
        label = cluster_label[ckey[0]]
        rank = (-sum(al.values()), -len(concept_papers[ckey]), label, tuple(sorted(al)))
        labelled.append((f"{ckey[1].lower()}/{slug(cluster_id_form[ckey[0]])}", rank, ckey, label))
    labelled.sort(key=lambda x: (x[0], x[1]))
    ids: dict[tuple[str, str], str] = {}
    taken: Counter = Counter()
    concepts: dict[str, Concept] = {}
    for base, _rank, ckey, label in labelled:
        taken[base] += 1
        cid = base if taken[base] == 1 else f"{base}-{taken[base]}"
        while cid in concepts:
            taken[base] += 1
            cid = f"{base}-{taken[base]}"
        ids[ckey] = cid
        al = aliases[ckey]
        first, last = date_range(papers[p].date if p in papers else None for p in concept_papers[ckey])
        concepts[cid] = Concept(
            id=cid,
            type=ckey[1],
            label=label,
            aliases=dict(sorted(al.items(), key=lambda kv: (-kv[1], kv[0]))),
            acronym=acronym if (acronym := choose_acronym(al)) != label else None,
            paper_count=len(concept_papers[ckey]),
            mention_count=sum(al.values()),
            first_seen=first,
            last_seen=last,
            type_votes=decisions[ckey[0]].votes,
            ambiguous_type=decisions[ckey[0]].ambiguous,
            confidence=round(1.0 - support_miss[ckey], 4),
        )

    order = sorted(concepts)
    index = {cid: i for i, cid in enumerate(order)}
    index_of = {ckey: index[cid] for ckey, cid in ids.items()}
    index_of[None] = -1
    rows = {}
    for ext in exts:  # each mention's concept as an index into ``order``
        ckeys = map(concept_of.__getitem__, zip(clusters.pop(ext.paper_id), map(_LABEL, ext.mentions)))
        rows[ext.paper_id] = array("i", map(index_of.__getitem__, ckeys))
    del index_of, concept_of
    result = Resolution(concepts={cid: concepts[cid] for cid in order}, _ids=order, _mentions=rows)
    result.merges = _merges(forms, uf, redirected, alias_keys, ids, concepts)
    _link_variants(result, exts, forms, key_runs, alias_keys, ids)
    return result


def _merges(forms: _Forms, uf: _UnionFind, redirected: Mapping, alias_keys, ids, concepts) -> list[Merge]:
    """The merges report: every union of the union-find and every mention rule, with support."""
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


def _link_variants(result: Resolution, exts: Sequence[Extraction], forms: _Forms, key_runs, alias_keys, ids) -> None:
    """VARIANT-OF / RELATED-TO between concepts, each with the sentences that show the name."""
    names = {}
    for ckey, keys in alias_keys.items():
        names[ids[ckey]] = (ckey[1], [(k, key_runs[k]) for k in sorted(keys)])
    rank = {cid: (-c.paper_count, -c.mention_count) for cid, c in result.concepts.items()}
    links = variant_links(names, rank)
    if not links:
        return
    wanted: dict[tuple[str, str], list] = defaultdict(list)  # (concept, key) -> links it supports
    for link in links:
        wanted[(link.source, link.source_key)].append(link)
    support: dict = defaultdict(lambda: {"count": 0, "papers": set(), "evidence": []})
    wanted_keys = {key for _cid, key in wanted}
    concept_ids = result._ids
    for ext in exts:
        keys = forms.keys[ext.paper_id]
        if wanted_keys.isdisjoint(keys):  # most papers write no linked name
            continue
        for m, key, ci in zip(ext.mentions, keys, result._mentions[ext.paper_id]):
            if ci < 0 or key not in wanted_keys or (concept_ids[ci], key) not in wanted:
                continue
            for link in wanted[(concept_ids[ci], key)]:
                s = support[link]
                s["count"] += 1
                s["papers"].add(ext.paper_id)
                if len(s["evidence"]) < MAX_EVIDENCE and 0 <= m.sentence < len(ext.sentences):
                    s["evidence"].append((ext.paper_id, ext.sentences[m.sentence], (m.start, m.end)))
    for link in links:
        s = support[link]
        method = f"resolve:name-{'variant' if link.type == 'VARIANT-OF' else 'related'}/{RESOLVER_VERSION}"
        ev_ids = []
        for paper_id, (s_start, s_end), span in s["evidence"]:
            eid = evidence_id(paper_id, [span], method)
            result.evidence[eid] = Evidence(eid, paper_id, s_start, s_end, (span,), method, 0.9 if link.type == "VARIANT-OF" else 0.6)
            ev_ids.append(eid)
        result.relations.append(
            Relation(link.source, link.target, link.type, count=s["count"], papers=len(s["papers"]), evidence=ev_ids, confidence=0.9 if link.type == "VARIANT-OF" else 0.6)
        )
    result.relations.sort(key=lambda r: (r.source, r.target, r.type))
