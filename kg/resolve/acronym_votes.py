"""The corpus' word on each acronym: which expansion stands for it in papers that do not define it.

Per-paper definitions come from :mod:`kg.resolve.acronyms` (gathered by
:func:`kg.resolve.forms.gather`); this module decides across papers: expansions spelled with the
same words are one name, an expansion the corpus supports is used where a paper defines
nothing, and an acronym defined nowhere joins the one full form whose initials spell it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kg.models import LABELS
from kg.resolve.acronyms import Definition, corpus_expansion, initials_signatures, same_spelling, spelling_prefix
from kg.resolve.forms import Forms
from kg.resolve.normalize import MARK, is_acronym_form
from kg.resolve.types import decide_type
from kg.resolve.union_find import UnionFind


@dataclass
class Acronyms:
    """The corpus-level acronym decisions."""

    defined: set[str]
    choice: dict[str, str]  # short key -> cluster used where the paper has no definition
    choice_text: dict[str, str]  # short key -> the long form text of that choice
    generic: dict[str, str] = field(default_factory=dict)  # "NAME dataset" key -> NAME key


def vote_acronyms(forms: Forms, uf: UnionFind) -> Acronyms:
    """Join the expansions of one acronym spelled with the same words ("same-expansion", in
    ``uf``, which this mutates), then pick per acronym the expansion the corpus supports
    (:func:`~kg.resolve.acronyms.corpus_expansion`, :func:`corpus_support`)."""
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
        if chosen is not None and corpus_support(short_key, chosen, defs, forms.papers, uf) and not types_differ(
            forms.labels, short_key, {d.long_key for d in defs if uf.find(d.long_key) == chosen} | {chosen}
        ):
            choice[short_key] = chosen
            texts = Counter(d.long_text for d in defs if uf.find(d.long_key) == chosen)
            choice_text[short_key] = min(texts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return Acronyms(set(by_short), choice, choice_text)


#: Papers that must define an acronym the same way before the definition is used in papers that
#: do not define it; one strict definition is enough when its long form is a name of that many
#: papers, or when the acronym is written in at most ``LONE_REACH`` papers that do not define it.
CORPUS_SUPPORT = 2
LONE_REACH = 3


def corpus_support(short_key: str, chosen: str, defs: Sequence[Definition], papers: Mapping[str, int], uf: UnionFind) -> bool:
    """Whether the expansion ``chosen`` of one acronym may stand for it in papers that do not
    define it: ``CORPUS_SUPPORT`` papers define it so; or one strict definition that agrees with
    the corpus: its long form is a name of ``CORPUS_SUPPORT`` papers; or any one definition when
    few papers (``LONE_REACH``) use the acronym without defining it. A paper that names its own method
    METEOR, while 65 others write METEOR for the metric, keeps that meaning to itself.
    ``papers`` is key -> papers writing it."""
    mine = [d for d in defs if uf.find(d.long_key) == chosen]
    if len(mine) >= CORPUS_SUPPORT or papers.get(short_key, 0) - len(defs) <= LONE_REACH:
        return True
    return any(d.strict for d in mine) and sum(papers.get(k, 0) for k in {d.long_key for d in mine} | {chosen}) >= CORPUS_SUPPORT


def clear_type(labels: Mapping[str, Counter], keys) -> str | None:
    """The label that at least :data:`~kg.resolve.types.TYPE_MARGIN` of the mentions of ``keys``
    carry, decided as a concept's type is (:func:`~kg.resolve.types.decide_type`, mentions as
    votes, no lexicon); None: no such label, or no mention.

    >>> clear_type({"medqa": Counter(DATASET=40, TASK=3)}, ["medqa"])
    'DATASET'
    >>> clear_type({"rl": Counter(METHOD=5, TASK=4)}, ["rl"]) is None
    True
    """
    total: Counter = Counter()
    for key in keys:
        total.update(labels.get(key, {}))
    if not any(total[label] > 0 for label in LABELS):
        return None
    decision = decide_type(total)
    return None if decision.ambiguous else decision.type


def types_differ(labels: Mapping[str, Counter], short_key: str, long_keys) -> bool:
    """Whether an acronym names a dataset and its expansion the task: each has a clear type
    (:func:`clear_type`), DATASET for the acronym and TASK for the expansion. A dataset is often
    named after its task: three papers write "medical question answering (MedQA)", fifty others
    evaluate on the MedQA dataset; the corpus' expansion must not make those fifty mentions the
    task (a paper's own definition still applies in that paper). Other pairs of clear types are
    not enough: at 80k the NER types acronyms such as CPU, GNSS or G-mean differently from their
    long forms often enough that a guard on any difference split about as many names wrongly as
    it kept apart rightly."""
    return clear_type(labels, [short_key]) == "DATASET" and clear_type(labels, long_keys) == "TASK"


def initials_fallback(forms: Forms, key_runs: Mapping[str, tuple[str, ...]], acronyms: Acronyms, uf: UnionFind) -> None:
    """Acronyms defined nowhere join the one full form whose initials spell them
    ("initials"). Mutates ``uf``."""
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
