"""Turn a processed spaCy ``Doc`` into kg's :class:`~kg.models.Extraction` record.

The Doc's annotations follow the contract of :mod:`kg.nlp.extensions`: sentences from
``doc.sents``, mentions from ``doc.ents`` (only kg's four labels are kept), abbreviation pairs
from ``Doc._.abbreviations``, and relation and role candidates from ``Doc._.relations`` /
``Doc._.roles`` whose indices point into ``doc.ents``. Those indices are re-mapped to indices
into ``Extraction.mentions``; a candidate whose entity was dropped is dropped with it.

Two invariants every consumer relies on hold for any text (a property test checks them):
``text[m.start:m.end] == m.text`` for every mention, and the mention's sentence span covers it.
Where an entity crosses a sentence boundary, the sentences it touches are merged into one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from kg.models import LABELS, Abbreviation, Extraction, Mention, MentionRelation, MentionRole

_LABELS = frozenset(LABELS)


def sentence_spans(doc) -> list[tuple[int, int]]:
    """Character spans of ``doc.sents``; one span over the whole text when no sentence
    boundaries were set (a pipeline without sentencizer); none for an empty text."""
    if not len(doc):
        return []
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return [(0, doc[-1].idx + len(doc[-1].text_with_ws))]
    from kg.nlp.doc_arrays import sentence_offsets  # spaCy is loaded only where Docs exist

    return sentence_offsets(doc)


def cover_spans(sentences: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[int]]:
    """Make every ``span`` lie inside one sentence: merge the sentences a span crosses and widen
    the outer ones over whitespace a span starts or ends in.

    Parameters
    ----------
    sentences : sorted, non-overlapping ``(start, end)`` sentence spans
    spans : ``(start, end)`` spans (mentions), any order

    Returns
    -------
    (sentences, index) : the adjusted sentence spans, and for each span the index of the
        sentence that covers it.

    Example
    -------
    >>> cover_spans([(0, 5), (6, 10)], [(1, 3), (4, 8)])
    ([(0, 10)], [0, 0])
    >>> cover_spans([(0, 5), (6, 10)], [(7, 9)])
    ([(0, 5), (6, 10)], [1])
    """
    if not spans:
        return list(sentences), []
    if not sentences:
        lo = min(s for s, _ in spans)
        hi = max(e for _, e in spans)
        return [(lo, hi)], [0] * len(spans)
    starts = [s for s, _ in sentences]
    lo = list(starts)
    hi = [e for _, e in sentences]
    merge_next = [False] * len(sentences)
    first_of: list[int] = []
    for start, end in spans:
        first = max(0, bisect_right(starts, start) - 1)
        last = max(first, bisect_right(starts, max(start, end - 1)) - 1)
        for k in range(first, last):
            merge_next[k] = True
        lo[first] = min(lo[first], start)
        hi[last] = max(hi[last], end)
        first_of.append(first)
    merged: list[tuple[int, int]] = []
    new_index = [0] * len(sentences)
    k = 0
    while k < len(sentences):
        group_start = k
        while merge_next[k]:
            k += 1
        for j in range(group_start, k + 1):
            new_index[j] = len(merged)
        merged.append((lo[group_start], hi[k]))
        k += 1
    return merged, [new_index[f] for f in first_of]


def doc_to_extraction(doc, paper_id: str) -> Extraction:
    """The :class:`Extraction` of one processed Doc; offsets are into ``doc.text``.

    Parameters
    ----------
    doc : spacy.tokens.Doc
        Processed by kg's pipeline (or any pipeline: missing annotations give empty lists).
    paper_id : str
        Stored in ``Extraction.paper_id``.

    Example
    -------
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = nlp.add_pipe("entity_ruler")
    >>> ruler.add_patterns([{"label": "METHOD", "pattern": "BERT"}])
    >>> _ = nlp.add_pipe("sentencizer")
    >>> ext = doc_to_extraction(nlp("We fine-tune BERT. It works."), "p1")
    >>> [(m.text, m.label, m.sentence) for m in ext.mentions], ext.sentences
    ([('BERT', 'METHOD', 0)], [(0, 18), (19, 28)])
    """
    from spacy.tokens import Span

    has_score = Span.has_extension("score")
    text = doc.text  # built from the tokens on every access: read it once
    ents = list(doc.ents)
    kept: list[int] = []
    spans: list[tuple[int, int]] = []
    for i, ent in enumerate(ents):
        if ent.label_ in _LABELS and ent.end_char > ent.start_char:
            kept.append(i)
            spans.append((ent.start_char, ent.end_char))
    sentences, sentence_of = cover_spans(sentence_spans(doc), spans)
    mentions: list[Mention] = []
    mention_of: dict[int, int] = {}
    for (start, end), i, sentence in zip(spans, kept, sentence_of):
        ent = ents[i]
        source = ent._.source if Span.has_extension("source") else None
        score = ent._.score if has_score else None
        mention_of[i] = len(mentions)
        mentions.append(
            Mention(
                start=start,
                end=end,
                label=ent.label_,
                text=text[start:end],
                sentence=sentence,
                source=source or "ner",
                score=1.0 if score is None else float(score),
            )
        )
    relations = []
    for head, tail, label, rule, confidence in _ext(doc, "relations"):
        if head in mention_of and tail in mention_of:
            relations.append(MentionRelation(mention_of[head], mention_of[tail], label, rule, float(confidence)))
    roles = []
    for ent_index, role, rule, confidence in _ext(doc, "roles"):
        if ent_index in mention_of:
            roles.append(MentionRole(mention_of[ent_index], role, rule, float(confidence)))
    return Extraction(
        paper_id=paper_id,
        sentences=sentences,
        mentions=mentions,
        abbreviations=list(_ext(doc, "abbreviations")),
        relations=relations,
        roles=roles,
    )


def _ext(doc, name: str) -> list:
    """``doc._.<name>`` as a list; empty when the attribute is not registered or not set."""
    from spacy.tokens import Doc

    if not Doc.has_extension(name):
        return []
    return list(getattr(doc._, name) or ())


def shift_extraction(ext: Extraction, offset: int) -> Extraction:
    """The same extraction with every character offset moved by ``offset`` (a chunk's start)."""
    if offset == 0:
        return ext
    return Extraction(
        paper_id=ext.paper_id,
        sentences=[(s + offset, e + offset) for s, e in ext.sentences],
        mentions=[Mention(m.start + offset, m.end + offset, m.label, m.text, m.sentence, m.source, m.score) for m in ext.mentions],
        abbreviations=[
            Abbreviation(a.short, a.long, a.short_start + offset, a.short_end + offset, a.long_start + offset, a.long_end + offset)
            for a in ext.abbreviations
        ],
        relations=list(ext.relations),
        roles=list(ext.roles),
    )


def concat_extractions(paper_id: str, parts: Sequence[Extraction]) -> Extraction:
    """Join the extractions of consecutive chunks of one text (offsets already shifted).

    Sentence indices of mentions and mention indices of relations and roles are moved past
    the sentences and mentions of the earlier chunks.
    """
    out = Extraction(paper_id=paper_id)
    for part in parts:
        n_sent, n_ment = len(out.sentences), len(out.mentions)
        out.sentences.extend(part.sentences)
        out.mentions.extend(Mention(m.start, m.end, m.label, m.text, m.sentence + n_sent, m.source, m.score) for m in part.mentions)
        out.abbreviations.extend(part.abbreviations)
        out.relations.extend(MentionRelation(r.head + n_ment, r.tail + n_ment, r.label, r.rule, r.confidence) for r in part.relations)
        out.roles.extend(MentionRole(r.mention + n_ment, r.role, r.rule, r.confidence) for r in part.roles)
    return out
