"""Issue 9's offset invariants, for any text: ``text[m.start:m.end] == m.text`` for every
mention, and the mention's sentence span covers it, on the whole-text path and on the chunked
path that oversized texts take (tiny pieces here, so every cut lands somewhere odd)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract.codec import decode
from kg.extract.worker import extract_texts

from .conftest import CONCEPTS

WORDS = [name for names in CONCEPTS.values() for name in names] + ["we", "use", "on", "the", "e.g.", "(", ")", ".", ". ", "?", "\n", "\n\n", "\r\n", " ", "\t", "-", "ü", "汉字", "\u200b", "\u202e", "$x$", "et al."]

texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=60).map(" ".join) | st.text(max_size=200)


@pytest.fixture(scope="module")
def standin_nlp(standin_model):
    return spacy.load(standin_model)


def check_invariants(text: str, blob: bytes) -> None:
    ext, warnings = decode(blob, "p", text)
    assert warnings == []
    for s, e in ext.sentences:
        assert 0 <= s <= e <= len(text)
    assert all(a[1] <= b[0] for a, b in zip(ext.sentences, ext.sentences[1:])), "sentences overlap or are out of order"
    for m in ext.mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        s, e = ext.sentences[m.sentence]
        assert s <= m.start and m.end <= e, (m, ext.sentences[m.sentence])
    for r in ext.relations:
        assert 0 <= r.head < len(ext.mentions) and 0 <= r.tail < len(ext.mentions)
    for r in ext.roles:
        assert 0 <= r.mention < len(ext.mentions)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, chunk=st.sampled_from([None, 5, 17, 64]))
def test_offsets_hold_for_any_text(standin_nlp, text, chunk):
    (blob,) = extract_texts(standin_nlp, [text], chunk_chars=chunk or 100_000)
    check_invariants(text, blob)


def _trained_model() -> Path | None:
    try:
        from kg.nlp import DEFAULT_MODEL
    except ImportError:
        return None
    return DEFAULT_MODEL if (DEFAULT_MODEL / "config.cfg").is_file() else None


@pytest.mark.slow
@pytest.mark.skipif(_trained_model() is None, reason="the trained pipeline is not built in this checkout")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, chunk=st.sampled_from([None, 23, 80]))
def test_offsets_hold_for_any_text_with_the_trained_pipeline(text, chunk):
    from kg.nlp import load_pipeline

    (blob,) = extract_texts(load_pipeline(), [text], chunk_chars=chunk or 100_000)
    check_invariants(text, blob)
