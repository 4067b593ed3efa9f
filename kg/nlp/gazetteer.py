"""A gazetteer learned from the training corpora (component ``kg_gazetteer``).

The NER misses short, context-poor mentions that annotators tag nearly every time they occur
("parser", "BLEU", "word error rate"). The gazetteer holds phrases that the training corpora
annotate with one label in most of their occurrences (see :func:`learn_phrases`); after the
NER, every occurrence of such a phrase that no entity overlaps becomes an entity with
``Span._.source == "gazetteer"``. It never overrides the NER.

Matching is on lower-cased tokens (spaCy's ``PhraseMatcher`` on ``LOWER``); where matches
overlap, the longest wins. A phrase learned from pre-tokenised training text ("cifar - 1 0",
"3 d - resnets") is also matched as the pipeline's own tokenizer splits the compact spelling
("CIFAR-10" is one token), see :func:`compact_spelling`. The phrases are saved in the pipeline directory
(``kg_gazetteer/phrases.json``), so the component is built once by the training script.
"""

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.nlp.extensions import register_extensions

register_extensions()

SOURCE = "gazetteer"


def learn_phrases(
    annotated: Iterable[tuple[list[str], list[tuple[int, int, str]], tuple[str, ...]]],
    *,
    min_count: int = 3,
    min_precision: float = 0.7,
) -> list[dict]:
    """Phrases annotated with one label in at least ``min_precision`` of their occurrences.

    Parameters
    ----------
    annotated
        ``(lower-cased tokens, gold token spans (start, end, label), labels annotated)`` per
        text; a phrase's occurrences are only counted in texts whose corpus annotates the label.
    min_count
        Least number of times the phrase must be annotated with the label.
    min_precision
        Least share of its (whole-token) occurrences annotated with exactly that span and label.

    Returns
    -------
    list of dict
        ``{"label", "phrase" (list of tokens), "count", "precision"}``, sorted by phrase.

    Example
    -------
    >>> texts = [(["the", "parser", "works"], [(1, 2, "METHOD")], ("METHOD",))] * 3
    >>> texts += [(["a", "parser", "fails"], [], ("METHOD",))]
    >>> learn_phrases(texts, min_count=3, min_precision=0.7)
    [{'label': 'METHOD', 'phrase': ['parser'], 'count': 3, 'precision': 0.75}]
    """
    annotated = list(annotated)
    hits: Counter = Counter()
    for tokens, spans, _ in annotated:
        for s, e, label in spans:
            hits[(tuple(tokens[s:e]), label)] += 1
    candidates = {key for key, n in hits.items() if n >= min_count}
    by_first = defaultdict(set)
    for phrase, _ in candidates:
        by_first[phrase[0]].add(phrase)
    occurrences: Counter = Counter()
    for tokens, _, labels in annotated:
        for i, tok in enumerate(tokens):
            for phrase in by_first.get(tok, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    for label in labels:
                        if (phrase, label) in candidates:
                            occurrences[(phrase, label)] += 1
    chosen = {}
    for key in sorted(candidates):  # sorted: ties resolve the same way in every process
        precision = hits[key] / max(occurrences[key], hits[key])
        if precision >= min_precision:
            phrase, label = key
            # one label per phrase: the more precise one, then the more frequent one
            rank = (round(precision, 6), hits[key])
            if phrase not in chosen or rank > (chosen[phrase]["precision"], chosen[phrase]["count"]):
                chosen[phrase] = {"label": label, "phrase": list(phrase), "count": hits[key], "precision": round(precision, 6)}
    return [chosen[p] for p in sorted(chosen)]


class Gazetteer:
    """Callable component: adds phrase matches that no entity overlaps (see module doc)."""

    def __init__(self, nlp: Language, name: str = "kg_gazetteer"):
        self.name = name
        self.vocab = nlp.vocab
        self.phrases: list[dict] = []
        self.tokenizer = nlp.tokenizer
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")

    def set_phrases(self, phrases: list[dict]) -> None:
        """Replace the phrase list (as returned by :func:`learn_phrases`)."""
        self.phrases = list(phrases)
        self.matcher = PhraseMatcher(self.vocab, attr="LOWER")
        by_label = defaultdict(list)
        for p in self.phrases:
            by_label[p["label"]].append(Doc(self.vocab, words=p["phrase"]))
            compact = compact_spelling(p["phrase"])
            if compact is not None:
                retokenized = self.tokenizer(compact)
                if [t.lower_ for t in retokenized] != [w.lower() for w in p["phrase"]]:
                    by_label[p["label"]].append(retokenized)
        for label, docs in sorted(by_label.items()):
            self.matcher.add(label, docs)

    def __call__(self, doc: Doc) -> Doc:
        if not self.phrases:
            return doc
        taken = [False] * len(doc)
        for e in doc.ents:
            for i in range(e.start, e.end):
                taken[i] = True
        matches = [Span(doc, s, e, label=label) for label, s, e in self.matcher(doc) if not any(taken[s:e])]
        if not matches:
            return doc
        added = filter_spans(matches)
        for span in added:
            span._.source = SOURCE
        doc.ents = sorted([*doc.ents, *added], key=lambda e: e.start)
        return doc

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "phrases.json").write_text(json.dumps(self.phrases, ensure_ascii=False, indent=0), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()) -> "Gazetteer":
        file = Path(path) / "phrases.json"
        self.set_phrases(json.loads(file.read_text(encoding="utf-8")) if file.exists() else [])
        return self


def compact_spelling(words: list[str]) -> str | None:
    """The phrase as running text writes it when its words came from pre-tokenised text: no
    spaces around hyphens and slashes, nor between digits, nor between a digit and a single
    letter; None when that is just the words joined by spaces.

    >>> compact_spelling(["cifar", "-", "1", "0"]), compact_spelling(["3", "d", "-", "resnets"])
    ('cifar-10', '3d-resnets')
    >>> compact_spelling(["word", "error", "rate"]) is None
    True
    """
    spaced = " ".join(words)
    text = re.sub(r"\s*([-/])\s*", r"\1", spaced)
    text = re.sub(r"(?<=\d) (?=\d)", "", text)
    text = re.sub(r"(?<=\b\d) (?=[a-z]\b)", "", text)
    return None if text == spaced else text


@Language.factory("kg_gazetteer", default_config={})
def make_gazetteer(nlp: Language, name: str):
    """Factory of ``kg_gazetteer``; its phrases come from the pipeline directory."""
    return Gazetteer(nlp, name)
