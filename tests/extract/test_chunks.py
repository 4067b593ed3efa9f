"""split_text: pieces cover the text exactly, none longer than the limit, cuts at breaks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.chunks import split_text


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab .\n\t?!)\"é汉"), max_size=400) | st.text(max_size=300), limit=st.integers(1, 120))
def test_pieces_cover_the_text_exactly(text, limit):
    pieces = split_text(text, limit)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    for (s1, e1), (s2, _) in zip(pieces, pieces[1:]):
        assert e1 == s2
    for s, e in pieces:
        assert 0 < e - s <= limit or len(text) == 0
    assert "".join(text[s:e] for s, e in pieces) == text


def _pieces(text, limit):
    return [text[s:e] for s, e in split_text(text, limit)]


def test_cuts_prefer_paragraphs_then_sentences_then_spaces():
    text = "First sentence here. Second one.\n\nNew paragraph starts. More words follow here"
    assert [text[s:e] for s, e in split_text(text, 40)][0] == "First sentence here. Second one.\n\n"
    assert _pieces("aaaa bbbb. cccc dddd", 14) == ["aaaa bbbb. ", "cccc dddd"]
    assert _pieces("aaaa bbbb cccc", 12) == ["aaaa bbbb ", "cccc"]
    assert split_text("abcdefghij", 4) == [(0, 4), (4, 8), (8, 10)]


def test_bad_limit():
    with pytest.raises(ValueError):
        split_text("abc", 0)
