"""extract_texts: a long text is run through the pipeline in bounded batches, never all at once.

The tok2vec's working memory grows with the characters of one ``nlp.pipe`` batch (about 2.5 kB
per character, measured); before the fix every piece of a long text went into one batch, so a
1 MB abstract took 2.35 GB (issue 16). The oracle is the pipeline's own input: a wrapper
records what each ``pipe`` call is given.
"""

from __future__ import annotations

import pytest

from kg.extract.codec import decode
from kg.extract.worker import extract_texts


@pytest.fixture(scope="module")
def standin_nlp(standin_model):
    import spacy

    return spacy.load(standin_model)


class _Recording:
    """A pipeline that records the characters of every ``pipe`` call and runs the real one."""

    def __init__(self, nlp):
        self.nlp = nlp
        self.max_length = nlp.max_length
        self.calls: list[int] = []

    def pipe(self, texts, batch_size=64):
        texts = list(texts)
        self.calls.append(sum(len(t) for t in texts))
        return self.nlp.pipe(texts, batch_size=batch_size)

    def __call__(self, text):
        self.calls.append(len(text))
        return self.nlp(text)


def test_a_long_text_goes_through_the_pipeline_in_bounded_batches(standin_nlp):
    sentence = "We train ResNet on ImageNet and report accuracy. "
    long = sentence * 2_000  # 100,000 characters
    texts = ["BERT on GLUE.", long, "Adam and dropout."]
    recording = _Recording(standin_nlp)
    blobs = extract_texts(recording, texts, chunk_chars=5_000, batch_size=64)
    assert max(recording.calls) <= 5_000 and len(recording.calls) >= len(long) // 5_000
    whole = extract_texts(standin_nlp, texts, chunk_chars=200_000)  # one piece per text, for comparison
    for text, blob, reference in zip(texts, blobs, whole):
        got, _ = decode(blob, "p", text)
        want, _ = decode(reference, "p", text)
        assert [(m.start, m.end, m.label) for m in got.mentions] == [(m.start, m.end, m.label) for m in want.mentions]


def test_normal_texts_still_share_a_batch(standin_nlp):
    recording = _Recording(standin_nlp)
    extract_texts(recording, ["BERT on GLUE."] * 10, chunk_chars=5_000, batch_size=64)
    assert recording.calls == [13 * 10]
