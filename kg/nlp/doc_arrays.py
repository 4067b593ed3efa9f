"""Whole-Doc token attributes read as arrays, for kg's rule components.

Iterating a Doc builds a Python ``Token`` object per token, and reading ``doc.sents`` or
setting ``token.is_sent_start`` does the same (and so does ``doc.text``, which joins the
tokens' texts); on a 250-word abstract that was a tenth of the pipeline's time, spread over
several components. These helpers read what the rules need with one ``Doc.to_array`` call,
and give the same values.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH, SENT_START, SPACY
from spacy.tokens import Doc


def token_table(doc: Doc) -> tuple[list[str], list[str], list[bool], list[int]]:
    """``(texts, whitespace, is_space, sent_start)``, one entry per token.

    ``texts[i] == doc[i].text``, ``whitespace[i] == doc[i].whitespace_``,
    ``is_space[i] == doc[i].is_space`` and ``sent_start[i]`` is 1 (starts a sentence), -1 (does
    not) or 0 (not set), as in ``Doc.to_array``.

    >>> import spacy
    >>> token_table(spacy.blank("en")("Hi  there."))
    (['Hi', ' ', 'there', '.'], [' ', '', '', ''], [False, True, False, False], [1, 0, 0, 0])
    """
    n = len(doc)
    if n == 0:
        return [], [], [], []
    table = doc.to_array([ORTH, SPACY, IS_SPACE, SENT_START]).astype("int64").reshape(n, 4)
    strings = doc.vocab.strings
    texts = [strings[orth] for orth in table[:, 0].view("uint64").tolist()]
    # spaCy keeps at most one trailing space on a token; more whitespace is a token of its own
    whitespace = [" " if space else "" for space in table[:, 1].tolist()]
    return texts, whitespace, (table[:, 2] == 1).tolist(), table[:, 3].tolist()


def set_sent_starts(doc: Doc, starts: list[bool]) -> None:
    """``doc[i].is_sent_start = starts[i]`` for every token, as one array write."""
    values = numpy.where(numpy.asarray(starts, dtype=bool), 1, -1).astype("int64").view("uint64")
    doc.from_array([SENT_START], values)


def sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of each sentence of ``doc.sents`` (boundaries must be set).

    >>> import spacy
    >>> doc = spacy.blank("en")("One. Two three.")
    >>> set_sent_starts(doc, [True, False, True, False, False])
    >>> sentence_offsets(doc) == [(s.start_char, s.end_char) for s in doc.sents]
    True
    """
    n = len(doc)
    if n == 0:
        return []
    table = doc.to_array([SENT_START, IDX, LENGTH]).astype("int64").reshape(n, 3)
    firsts = [0] + [int(i) for i in numpy.flatnonzero(table[1:, 0] == 1) + 1]
    lasts = [i - 1 for i in firsts[1:]] + [n - 1]
    return [(int(table[a, 1]), int(table[b, 1] + table[b, 2])) for a, b in zip(firsts, lasts)]
