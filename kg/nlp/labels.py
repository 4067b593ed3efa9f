"""The last entity step before relations (component ``kg_output_labels``).

The NER is trained with auxiliary labels besides kg's four (SciERC's Generic, Material and
OtherScientificTerm, SciNLP's tool): they teach it where a METHOD or TASK is *not*, and where
a span stops. This component removes them, so that ``doc.ents`` only ever holds
:data:`kg.models.LABELS`.

It also gives the broad families that GUIDELINE.md names as METHOD ("as in SciERC: neural
networks, deep learning, machine learning, DNNs") that label wherever the NER tagged them
otherwise: some training corpora tag them TASK (SciREX: "machine learning" 30 times TASK,
17 times METHOD), and a map with "machine learning" among the tasks misleads.

It also scores the pipeline while ``spacy train`` selects a checkpoint: per corpus, over the
labels that corpus annotates (recorded in each reference Doc's ``user_data``), macro-averaged
over corpora, so that the largest dev set does not decide alone.
"""

from collections import defaultdict
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example

from kg.models import LABELS
from kg.nlp.evaluate import score_spans
from kg.nlp.extensions import register_extensions

register_extensions()

#: ``Doc.user_data`` keys the training corpus sets on reference Docs.
CORPUS_KEY = "kg_corpus"
CORPUS_LABELS_KEY = "kg_corpus_labels"


#: Names whose label GUIDELINE.md fixes (lower case), whatever the NER said.
GUIDELINE_LABELS: dict[str, str] = {
    name: "METHOD" for name in ("machine learning", "deep learning", "neural network", "neural networks", "dnn", "dnns")
}


def keep_output_labels(doc: Doc) -> Doc:
    """Drop every entity whose label is not one of kg's four; give the names of
    :data:`GUIDELINE_LABELS` their label (``Span._.source`` is kept)."""
    ents = []
    changed = False
    for e in doc.ents:
        if e.label_ not in LABELS:
            changed = True
            continue
        fixed = GUIDELINE_LABELS.get(" ".join(t.lower_ for t in e if not t.is_space))
        if fixed is not None and fixed != e.label_:
            span = Span(doc, e.start, e.end, label=fixed)
            span._.source = e._.source
            e, changed = span, True
        ents.append(e)
    if changed:
        doc.ents = ents
    return doc


def score_by_corpus(examples: Iterable[Example]) -> dict[str, float]:
    """``kg_f`` (macro-F1 over corpora) and ``kg_f_<corpus>`` (strict micro-F1 per corpus)."""
    pairs = defaultdict(list)
    labels_of: dict[str, list[str]] = {}
    for eg in examples:
        corpus = eg.reference.user_data.get(CORPUS_KEY, "all")
        labels_of[corpus] = list(eg.reference.user_data.get(CORPUS_LABELS_KEY, LABELS))
        gold = [(e.start_char, e.end_char, e.label_) for e in eg.reference.ents]
        pred = [(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents]
        pairs[corpus].append((gold, pred))
    scores: dict[str, float] = {}
    for corpus, corpus_pairs in sorted(pairs.items()):
        scores[f"kg_f_{corpus}"] = score_spans(corpus_pairs, labels_of[corpus])["strict"]["micro"]["f1"]
    scores["kg_f"] = sum(scores.values()) / len(scores) if scores else 0.0
    return scores


class OutputLabels:
    """Callable component: :func:`keep_output_labels`, with :func:`score_by_corpus` as ``score``."""

    def __init__(self, name: str = "kg_output_labels"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return keep_output_labels(doc)

    def score(self, examples: Iterable[Example], **kwargs) -> dict[str, float]:
        return score_by_corpus(examples)


@Language.factory("kg_output_labels", default_config={})
def make_output_labels(nlp: Language, name: str):
    """Factory of the ``kg_output_labels`` component (no settings)."""
    return OutputLabels(name)
