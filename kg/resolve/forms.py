"""The surface forms of a corpus, gathered once: per matching key, its counts and spellings.

Every later step of :func:`kg.resolve.resolver.resolve` reads these tables rather than the
mentions, so memory follows the number of distinct forms, not of mentions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from kg.models import LABELS, Extraction, Paper
from kg.resolve.acronyms import Definition, paper_definitions, without_defined_acronym
from kg.resolve.normalize import clean_form, form_key, is_plain, runs


@dataclass
class Forms:
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
        """Count ``n`` mentions of ``form`` (key ``key``) labelled ``label``."""
        self.count[key] += n
        self.labels[key][label] += n
        self.spellings[key][form] += n
        self.plain[key] = self.plain.get(key, False) or is_plain(form)


def unique(extractions: Iterable[Extraction]) -> list[Extraction]:
    """One extraction per paper id (the first given), sorted by paper id, so that the result of
    resolution does not depend on the order of its inputs.

    Example
    -------
    >>> [e.paper_id for e in unique([Extraction("b", []), Extraction("a", []), Extraction("b", [])])]
    ['a', 'b']
    """
    seen: dict[str, Extraction] = {}
    for ext in extractions:
        seen.setdefault(ext.paper_id, ext)
    return [seen[k] for k in sorted(seen)]


#: A mention's surface text and type, as one tuple (counted in C rather than mention by mention).
_TEXT_LABEL = attrgetter("text", "label")


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


def gather(extractions: Sequence[Extraction], papers: Mapping[str, Paper]) -> Forms:
    """The per-key tables, with each paper's acronym definitions. Mentions are counted as
    ``(text, label)`` pairs (the per-mention work is C-level ``map``/``Counter``; the pairs are
    then added in first-seen order, so every table keeps the insertion order of a
    mention-by-mention pass)."""
    forms = Forms()
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
    _settle_definitions(forms)
    return forms


def _settle_definitions(forms: Forms) -> None:
    """Widen the definitions whose shortest long form names nothing in the corpus, and give every
    long form (and "LONG (ACR) head" head) a key in the tables, with no mention, so later steps
    can join it. Mutates ``forms``."""
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


def key_runs(forms: Forms) -> dict[str, tuple[str, ...]]:
    """Runs of each key (:func:`~kg.resolve.normalize.runs`), from its most frequent spelling
    (ties: alphabetical)."""
    out = {}
    for key, spellings in forms.spellings.items():
        best = min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out[key] = runs(best)
    return out
