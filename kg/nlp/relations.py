"""The ``kg_relations`` spaCy component: relations between the entities of a sentence, and the
paper's role towards each entity (``Doc._.relations``, ``Doc._.roles`` over ``doc.ents``).

Relations come from a small classifier trained on SciERC (:mod:`kg.nlp.relation_classifier`,
``scripts/train_relations.py``) when the pipeline holds its model (the component's own file,
``kg_relations/model.json.gz`` in the pipeline directory), and otherwise from the hand-written
pair rules of :mod:`kg.nlp.relation_rules`; roles always come from that module's cue rules.
:func:`doc_relations` works on plain text and ``(start, end, label)`` spans, so the same code
runs inside the component and in scripts/eval_relations.py on SciERC's gold entities.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp import extensions  # noqa: F401  (registers Doc._.relations / Doc._.roles)
from kg.nlp.doc_arrays import sentence_offsets
from kg.nlp.relation_classifier import classify_sentence, parse_model
from kg.nlp.relation_rules import METRIC_LABELS, pair_relations, sentence_roles

#: The classifier's file inside the component's directory of a saved pipeline (the pipeline's
#: version, :func:`kg.nlp.pipeline_version`, hashes every file of the directory, this one too).
MODEL_FILE = "model.json.gz"


def model_relations(model, meta, text: str, sentence: tuple[int, int], ents: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str, str, float]]:
    """The classifier's relations of one sentence, a metric's EVALUATE-FOR written MEASURED-BY."""
    out = []
    for h, t, label, rule, conf in classify_sentence(model, meta, text, sentence, ents):
        if label == "EVALUATE-FOR" and ents[h][2] in METRIC_LABELS and ents[t][2] not in METRIC_LABELS:
            h, t, label = t, h, "MEASURED-BY"
        out.append((h, t, label, rule, conf))
    return out


def doc_relations(text: str, sentences: Sequence[tuple[int, int]], ents: Sequence[tuple[int, int, str]], model=None):
    """Relations and roles over a whole text.

    Relations come from the classifier ``model`` (``(AveragedPerceptron, meta)``, see
    :func:`kg.nlp.relation_classifier.load_model`) when given, else from the rules of
    :func:`pair_relations`.

    Returns ``(relations, roles)``: ``[(head, tail, label, rule, confidence)]`` and
    ``[(ent, role, rule, confidence)]``, indices into ``ents`` (sorted by start).
    """
    loaded = model
    relations: list[tuple[int, int, str, str, float]] = []
    roles: list[tuple[int, str, str, float]] = []
    k = 0
    order = sorted(range(len(ents)), key=lambda i: ents[i][0])
    for s_start, s_end in sentences:
        idx = []
        while k < len(order) and ents[order[k]][0] < s_end:
            if ents[order[k]][0] >= s_start:
                idx.append(order[k])
            k += 1
        if not idx:
            continue
        local = [ents[i] for i in idx]
        if loaded is not None:
            found = model_relations(loaded[0], loaded[1], text, (s_start, s_end), local)
        else:
            found = pair_relations(text, local)
        for h, t, label, rule, conf in found:
            relations.append((idx[h], idx[t], label, rule, conf))
        for e, role, rule, conf in sentence_roles(text, s_start, s_end, local):
            roles.append((idx[e], role, rule, conf))
    return relations, roles


class RelationExtractor:
    """spaCy component: ``Doc._.relations`` and ``Doc._.roles`` over ``doc.ents``.

    Uses ``doc.sents`` when sentence boundaries are set, else the whole text as one sentence.
    Place it last, after the NER (and any entity ruler or filter). The relation classifier is
    the component's own state: :meth:`from_disk` reads it from ``kg_relations/model.json.gz``
    of a saved pipeline (``spacy.load`` calls it), :meth:`to_disk` writes it back byte for byte,
    :meth:`set_model` installs one; a component without a model (a pipeline directory with no
    such file, or a fresh ``add_pipe``) uses the rules only.
    """

    def __init__(self, nlp: Language, name: str = "kg_relations"):
        self.name = name
        self.model = None  # (AveragedPerceptron, meta) once a model is installed
        self._raw: bytes | None = None  # the model file as read, written back unchanged

    def set_model(self, raw: bytes) -> None:
        """Install the classifier from the bytes of a model file (gzip-compressed JSON)."""
        self.model = parse_model(raw)
        self._raw = raw

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self._raw is not None:
            (path / MODEL_FILE).write_bytes(self._raw)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "RelationExtractor":
        file = Path(path) / MODEL_FILE
        if file.is_file():
            self.set_model(file.read_bytes())
        return self

    def __call__(self, doc: Doc) -> Doc:
        if doc.has_annotation("SENT_START"):
            sentences = sentence_offsets(doc)
        else:
            sentences = [(0, len(doc.text))]
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        doc._.relations, doc._.roles = doc_relations(doc.text, sentences, ents, self.model)
        return doc


@Language.factory("kg_relations", default_config={})
def make_relation_extractor(nlp: Language, name: str) -> RelationExtractor:
    """Factory of the ``kg_relations`` component (its classifier comes with the pipeline's files)."""
    return RelationExtractor(nlp, name)
