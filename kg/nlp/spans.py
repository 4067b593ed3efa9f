"""Span repair after the NER (component ``kg_span_repair``), by the span rules of GUIDELINE.md.

Each rule is a small pure function over token texts, so it can be tested on its own:

* :func:`trim_span`: no leading determiner, possessive or evaluative adjective ("the", "our",
  "novel", "proposed", "standard"), no leading or trailing punctuation, no unbalanced bracket
  (a long form stops before the bracket of its acronym);
* :func:`is_generic`: "method", "approach", "model", "framework", "network", "algorithm" and the
  like alone (with determiners) are not mentions;
* :func:`is_vague`: nor are vague words for their label: a METRIC "robustness" or
  "performance", a TASK "training" or "inference";
* :func:`is_unnamed_dataset`: nor is data described without a name ("real-world datasets",
  "benchmark datasets");
* :func:`has_url`: nothing inside URLs is a mention, so a span holding a URL token goes
  ("code at [https://github.com/IBM/EvolveGCN]" is not a METHOD);
* :func:`split_acronym`: ``Long Form (ACR)`` is two mentions, the long form stopping before the
  bracket ("[graph neural networks] ([GNNs])"), even where the NER tagged it as one span. Off
  by default: SciERC, SciNLP and TDMSci annotate "long form (ACR)" as one span, and dev lost
  1.2 points of mean F1 with it (docs/extraction.md);
* :func:`drop_generic_head`: "[ResNet] architecture", "[ImageNet] dataset": a generic head goes
  when what remains is an established name (a token with capitals or digits). Also off:
  the training corpora disagree (SciERC and SciNLP keep such heads), and dev decides.

The leading words were chosen from the training corpora: in SciERC, SciER, SciNLP and TDMSci
train every one of them precedes gold spans far more often than it starts one.
"""

import re
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.doc_arrays import token_table
from kg.nlp.extensions import register_extensions

register_extensions()

#: Words a mention never starts with (lower case).
LEADING_WORDS: frozenset[str] = frozenset(
    """
    the a an this these that those its their our his her my your
    novel new proposed existing standard conventional traditional popular various several
    different both such original simple efficient effective
    """.split()
)

#: Words that are not a mention on their own (lower case, singular and plural).
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    method methods approach approaches model models framework frameworks network networks
    algorithm algorithms technique techniques system systems architecture architectures
    scheme schemes strategy strategies procedure procedures mechanism mechanisms module modules
    task tasks problem problems dataset datasets data benchmark benchmarks metric metrics
    measure measures score scores one ones it they this that
    """.split()
)

#: Vague words that are not a mention of a label on their own (GUIDELINE.md: "Not vague words:
#: performance, generalization, interpretability, robustness used loosely"). The TASK list
#: holds the activities every ML abstract names ("training", "inference"), which SciREX tags
#: TASK hundreds of times and the other corpora almost never; a learning rate is a
#: hyperparameter, not a METRIC (SciREX: 517 times METRIC).
VAGUE_WORDS: dict[str, frozenset[str]] = {
    "METRIC": frozenset(
        ["performance", "generalization", "generalisation", "interpretability", "robustness", "learning rate", "learning rates"]
    ),
    "TASK": frozenset(["training", "learning", "inference", "generalization", "generalisation"]),
}

#: Words that end a description of data rather than a dataset's name ("real-world datasets",
#: "real images": SciREX tags the latter DATASET 32 times, the guideline never).
DATA_HEADS: frozenset[str] = frozenset(
    """
    data dataset datasets benchmark benchmarks corpus corpora database databases collection
    collections set sets images image videos video samples graphs documents texts sentences
    examples instances
    """.split()
)

#: Heads that go when what precedes them is an established name ("[ResNet] architecture").
DROPPABLE_HEADS: frozenset[str] = frozenset(
    """
    method methods approach approaches model models framework frameworks algorithm algorithms
    technique techniques architecture architectures dataset datasets benchmark benchmarks
    corpus corpora toolkit library
    """.split()
)

#: A word that is (or holds) a URL: a scheme, "www.", a host in .com/.org/.net/.edu/.gov, or a
#: path on a host in .io/.co/.ai/.dev (a bare "fast.ai" may name software, so it needs the path).
URL_WORD = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]*://|\bwww\.|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov)(?:/|$)"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:io|co|ai|dev)/)"
)

TRAILING_PUNCT = frozenset(",.;:!?-–—/'\"")
LEADING_PUNCT = frozenset(",.;:!?-–—/'\"")


def trim_span(words: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """The repaired ``[start, end)`` of a span over ``words`` (token texts); empty if nothing is left.

    >>> trim_span(["the", "novel", "GraphSAGE", "model", ","], 0, 5)
    (2, 4)
    >>> trim_span(["support", "vector", "machines", "(", "SVM"], 0, 5)
    (0, 3)
    """
    while start < end:
        w = words[start]
        if w.lower() in LEADING_WORDS or w in LEADING_PUNCT or w.isspace() or w in _PAIRS:
            start += 1
        elif w in _OPENERS and not _closes_after(words, start, end):
            start += 1  # "( SVM": unclosed
        elif w in _OPENERS and words[end - 1] == _OPENERS[w] and not _closes_after(words, start, end - 1):
            start, end = start + 1, end - 1  # "( SVM )": the whole span is bracketed
        else:
            break
    while end > start:
        w = words[end - 1]
        if w in TRAILING_PUNCT or w.isspace() or w in "([{":
            end -= 1
        elif w in ")]}" and not _opens_before(words, start, end - 1, w):
            end -= 1
        else:
            break
    # an unclosed bracket inside: "support vector machines ( SVM" -> stop before the bracket
    for i in range(start, end):
        if words[i] in "([{" and not _closes_after(words, i, end):
            end = i
            while end > start and (words[end - 1] in TRAILING_PUNCT or words[end - 1].isspace()):
                end -= 1
            break
    return start, end


_PAIRS = {")": "(", "]": "[", "}": "{"}
_OPENERS = {v: k for k, v in _PAIRS.items()}


def _opens_before(words: Sequence[str], start: int, i: int, closer: str) -> bool:
    opener = _PAIRS[closer]
    return any(words[j] == opener for j in range(start, i))


def _closes_after(words: Sequence[str], i: int, end: int) -> bool:
    closer = _OPENERS[words[i]]
    return any(words[j] == closer for j in range(i + 1, end))


def has_url(words: Sequence[str]) -> bool:
    """Whether any of ``words`` is a URL (GUIDELINE.md: nothing inside URLs is a mention).

    >>> has_url(["https://github.com/IBM/EvolveGCN"]), has_url(["github.com/a/b"]), has_url(["ResNet-50"])
    (True, True, False)
    >>> has_url(["Node2vec"]), has_url(["e.g."]), has_url(["ogbn-arxiv"])
    (False, False, False)
    """
    return any(URL_WORD.search(w) for w in words)


def is_generic(words: Sequence[str]) -> bool:
    """Whether a span is only generic words (and leading words): "the model", "our approach".

    >>> is_generic(["the", "proposed", "approach"]), is_generic(["attention", "mechanism"])
    (True, False)
    """
    lowered = [w.lower() for w in words if not w.isspace()]
    return bool(lowered) and all(w in GENERIC_WORDS or w in LEADING_WORDS for w in lowered)


def is_vague(words: Sequence[str], label: str) -> bool:
    """Whether a span is only a vague word for its label (see :data:`VAGUE_WORDS`).

    >>> is_vague(["robustness"], "METRIC"), is_vague(["adversarial", "robustness"], "METRIC")
    (True, False)
    >>> is_vague(["Inference"], "TASK"), is_vague(["inference"], "METRIC"), is_vague(["learning", "rate"], "METRIC")
    (True, False, True)
    """
    vague = VAGUE_WORDS.get(label)
    return bool(vague) and " ".join(w.lower() for w in words if not w.isspace()) in vague


def is_unnamed_dataset(words: Sequence[str], label: str) -> bool:
    """Whether a DATASET span describes data without naming a dataset: a data head and not a
    capital or digit anywhere (GUIDELINE.md: "Not: real-world datasets, benchmark datasets,
    an unnamed new dataset").

    >>> is_unnamed_dataset(["real-world", "datasets"], "DATASET"), is_unnamed_dataset(["Penn", "Treebank"], "DATASET")
    (True, False)
    >>> is_unnamed_dataset(["CIFAR-10", "dataset"], "DATASET"), is_unnamed_dataset(["charades"], "DATASET")
    (False, False)
    """
    kept = [w for w in words if not w.isspace()]
    return (
        label == "DATASET"
        and bool(kept)
        and kept[-1].lower() in DATA_HEADS
        and not any(ch.isupper() or ch.isdigit() for w in kept for ch in w)
    )


def is_generic_for(words: Sequence[str], label: str) -> bool:
    """What the ``drop_generic`` setting drops: generic words alone (:func:`is_generic`), a
    vague word for ``label`` (:func:`is_vague`) or unnamed data (:func:`is_unnamed_dataset`).

    >>> is_generic_for(["our", "model"], "METHOD"), is_generic_for(["robustness"], "METRIC")
    (True, True)
    >>> is_generic_for(["real", "images"], "DATASET"), is_generic_for(["ImageNet"], "DATASET")
    (True, False)
    """
    return is_generic(words) or is_vague(words, label) or is_unnamed_dataset(words, label)


def split_acronym(words: Sequence[str], start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` split at a bracketed acronym: the long form before it and the acronym.

    Whatever follows the closing bracket goes ("[ACGMRF] model" after the acronym is not part
    of the long form, by the guideline). Returns ``[(start, end)]`` unchanged when the span
    holds no ``( ACR )`` or nothing precedes it.

    >>> w = ["graph", "neural", "networks", "(", "GNNs", ")"]
    >>> split_acronym(w, 0, 6)
    [(0, 3), (4, 5)]
    >>> split_acronym(["VRF", "(", "linear", ")"], 0, 4)
    [(0, 4)]
    """
    from kg.nlp.abbreviations import is_acronym_like

    for i in range(start + 1, end - 2):
        if words[i] == "(" and words[i + 2] == ")" and is_acronym_like(words[i + 1]):
            long_start, long_end = trim_span(words, start, i)
            if long_start < long_end:
                return [(long_start, long_end), (i + 1, i + 2)]
    return [(start, end)]


def looks_like_name(word: str) -> bool:
    """A token that reads as an established name: capitals or digits beyond a first capital."""
    return any(ch.isdigit() for ch in word) or any(ch.isupper() for ch in word[1:]) or (word.isupper() and len(word) > 1)


def drop_generic_head(words: Sequence[str], start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without a droppable generic head after a name ("[ResNet] architecture").

    >>> drop_generic_head(["ImageNet", "dataset"], 0, 2), drop_generic_head(["attention", "model"], 0, 2)
    ((0, 1), (0, 2))
    """
    if end - start >= 2 and words[end - 1].lower() in DROPPABLE_HEADS and looks_like_name(words[end - 2]):
        return start, end - 1
    return start, end


def repair_entities(doc: Doc, *, trim: bool = True, drop_generic: bool = True, drop_heads: bool = False, split_acronyms: bool = False) -> Doc:
    """Apply the rules of this module to ``doc.ents`` in place (labels and sources are kept)."""
    words = token_table(doc)[0]
    ents = []
    changed = False
    for ent in doc.ents:
        pieces = split_acronym(words, ent.start, ent.end) if split_acronyms else [(ent.start, ent.end)]
        for start, end in pieces:
            if trim:
                start, end = trim_span(words, start, end)
            if drop_heads:
                start, end = drop_generic_head(words, start, end)
            if start >= end or (drop_generic and is_generic_for(words[start:end], ent.label_)) or has_url(words[start:end]):
                changed = True
                continue
            if (start, end) == (ent.start, ent.end):
                ents.append(ent)
                continue
            changed = True
            span = Span(doc, start, end, label=ent.label_)
            if ent._.source is not None:
                span._.source = ent._.source
            ents.append(span)
    if changed:
        doc.ents = ents
    return doc


class SpanRepair:
    """Callable component wrapping :func:`repair_entities` with its settings."""

    def __init__(self, name: str, trim: bool, drop_generic: bool, drop_heads: bool, split_acronyms: bool = False):
        self.name = name
        self.trim = trim
        self.drop_generic = drop_generic
        self.drop_heads = drop_heads
        self.split_acronyms = split_acronyms

    def __call__(self, doc: Doc) -> Doc:
        return repair_entities(
            doc, trim=self.trim, drop_generic=self.drop_generic, drop_heads=self.drop_heads, split_acronyms=self.split_acronyms
        )


@Language.factory(
    "kg_span_repair",
    default_config={"trim": True, "drop_generic": True, "drop_heads": False, "split_acronyms": False},
)
def make_span_repair(nlp: Language, name: str, trim: bool, drop_generic: bool, drop_heads: bool, split_acronyms: bool):
    """Factory of ``kg_span_repair``; each rule can be switched off for ablations."""
    return SpanRepair(name, trim, drop_generic, drop_heads, split_acronyms)
