"""Build small extractions from plain text for resolver and builder tests."""

from __future__ import annotations

import re

from kg.models import Extraction, Mention, Paper
from kg.nlp.abbreviations import find_abbreviations


def sentences_of(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"\n|(?<=\.) ", text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def paper_and_extraction(pid: str, title: str, abstract: str, spans: list[tuple[str, str]], date: str | None = None):
    """A paper and its extraction: every occurrence of each ``(surface, label)`` is a mention
    (longest first, whole words), plus the abbreviation pairs of kg's detector."""
    paper = Paper(pid, title, abstract, date=date)
    text = paper.text
    sents = sentences_of(text)
    taken: list[tuple[int, int, str]] = []
    for surface, label in sorted(spans, key=lambda s: -len(s[0])):
        for m in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?!\w)", text):
            if all(m.end() <= s or m.start() >= e for s, e, _ in taken):
                taken.append((m.start(), m.end(), label))
    mentions = []
    for start, end, label in sorted(taken):
        si = next(i for i, (s, e) in enumerate(sents) if s <= start < e)
        mentions.append(Mention(start, end, label, text[start:end], si))
    return paper, Extraction(pid, sents, mentions, find_abbreviations(text, sents))


def corpus(*docs):
    """``docs``: tuples ``(pid, title, abstract, spans[, date])`` -> (papers dict, extractions)."""
    papers, exts = {}, []
    for doc in docs:
        paper, ext = paper_and_extraction(*doc)
        papers[paper.id] = paper
        exts.append(ext)
    return papers, exts


def concepts_by_form(res, exts):
    """Surface form -> the set of concept ids its mentions resolved to."""
    out = {}
    for ext in exts:
        for i, m in enumerate(ext.mentions):
            out.setdefault(m.text, set()).add(res.concept_of(ext.paper_id, i))
    return out
