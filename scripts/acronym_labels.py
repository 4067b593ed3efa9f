"""Label propagation through abbreviation pairs (component ``kg_acronym_labels``): an experiment.

Not in the shipped pipeline (it lost 0.2 macro-F1 on dev, docs/extraction.md), so it lives here:
importing this file registers the factory; add ``kg_acronym_labels`` after ``kg_gazetteer`` in a
config to try it.

``kg_abbreviations`` gives each Doc its ``Long Form (LF)`` pairs (``Doc._.abbreviations``).
The NER often tags one side and misses, or mislabels, the other, and an acronym used later in
the abstract carries no context at all. This component makes the pair agree:

* when the long form is an entity, the short form and every later whole-token occurrence of
  it get the long form's label (an existing entity on exactly that token is relabelled);
* when the long form is no entity but the short form is one, the long form becomes an entity
  with the short form's label (replacing NER entities that lie inside it).

Auxiliary labels propagate too (an acronym of an ``X_OTHER`` long form is not a METHOD), which
is why this runs before ``kg_output_labels``. Entities it adds have ``Span._.source`` set to
``"abbreviation"``.
"""

from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.nlp.extensions import register_extensions

register_extensions()

SOURCE = "abbreviation"


def _span(doc: Doc, start: int, end: int) -> Span | None:
    return doc.char_span(start, end, alignment_mode="strict")


def _long_form_entity(doc: Doc, start: int, end: int, ents: list[Span]) -> Span | None:
    """The entity that is the long form: same span, or ending where it ends and inside it."""
    best = None
    for e in ents:
        if e.end_char == end and e.start_char >= start:
            if best is None or e.start_char < best.start_char:
                best = e
    return best


def _set_long_form(doc: Doc, pair, label: str, ents: list[Span]) -> list[Span] | None:
    """``ents`` with the pair's long form as an entity (entities inside it removed), or None
    when the long form does not fall on token boundaries or another entity crosses it."""
    long_span = _span(doc, pair.long_start, pair.long_end)
    if long_span is None:
        return None
    inside = [e for e in ents if e.start >= long_span.start and e.end <= long_span.end]
    if any(e not in inside and e.start < long_span.end and long_span.start < e.end for e in ents):
        return None
    new = Span(doc, long_span.start, long_span.end, label=label)
    new._.source = SOURCE
    return [e for e in ents if e not in inside] + [new]


def propagate_acronym_labels(doc: Doc) -> Doc:
    """Make entity labels agree across each abbreviation pair of ``doc`` (see module doc)."""
    pairs = doc._.abbreviations or []
    if not pairs:
        return doc
    ents = list(doc.ents)
    changed = False
    for pair in pairs:
        long_ent = _long_form_entity(doc, pair.long_start, pair.long_end, ents)
        short_occurrences = [t for t in doc if t.text == pair.short and t.idx >= pair.short_start]
        if long_ent is not None:
            label = long_ent.label_
        else:
            labels = Counter(e.label_ for e in ents for t in short_occurrences if e.start == t.i and e.end == t.i + 1)
            if not labels:
                continue
            label = labels.most_common(1)[0][0]
        if long_ent is None or long_ent.start_char > pair.long_start:
            # no entity, or one covering only the end of the long form: the pair's long form
            # explains every letter of the acronym, so it is the better span
            replaced = _set_long_form(doc, pair, label, ents)
            if replaced is not None:
                ents = replaced
                changed = True
            elif long_ent is None:
                continue
        for token in short_occurrences:
            on_token = [e for e in ents if e.start <= token.i < e.end]
            if on_token and (on_token[0].start, on_token[0].end) != (token.i, token.i + 1):
                continue  # part of a longer entity ("BERT-large"): leave it
            if on_token and on_token[0].label_ == label:
                continue
            new = Span(doc, token.i, token.i + 1, label=label)
            new._.source = SOURCE
            ents = [e for e in ents if e not in on_token] + [new]
            changed = True
    if changed:
        doc.ents = sorted(ents, key=lambda e: e.start)
    return doc


@Language.factory("kg_acronym_labels", default_config={})
def make_acronym_labels(nlp: Language, name: str):
    """Factory of ``kg_acronym_labels`` (no settings)."""
    return propagate_acronym_labels
