"""A compact byte encoding of one :class:`~kg.models.Extraction`, for the cache and for workers.

Workers send their results back in this form and the cache stores it as is, so a result read
from the cache and one computed afresh go through the same decoder and are equal by
construction. The paper id is not stored (one text may appear under several ids: the cache is
keyed by content) and neither are mention texts: both are put back from the paper on decoding,
which also keeps ``mention.text == paper.text[start:end]`` true by construction.

Layout: zlib-compressed JSON of ``[sentences, mentions, abbreviations, relations, roles,
warnings]`` with every record as a positional list. :data:`FORMAT` names the layout and is part
of every cache key, so changing it only makes old cache entries unused, never misread.
"""

from __future__ import annotations

import json
import zlib

from kg.models import Abbreviation, Extraction, Mention, MentionRelation, MentionRole

#: Version of this encoding (part of the cache key).
FORMAT = "kg-extraction-1"


def encode(ext: Extraction, warnings: list[str] | tuple[str, ...] = ()) -> bytes:
    """Bytes for ``ext`` (without its paper id and mention texts) and any warnings raised
    while extracting it (re-reported when the result comes from the cache)."""
    payload = [
        [x for span in ext.sentences for x in span],
        [[m.start, m.end, m.label, m.sentence, m.source, m.score] for m in ext.mentions],
        [[a.short, a.long, a.short_start, a.short_end, a.long_start, a.long_end] for a in ext.abbreviations],
        [[r.head, r.tail, r.label, r.rule, r.confidence] for r in ext.relations],
        [[r.mention, r.role, r.rule, r.confidence] for r in ext.roles],
        list(warnings),
    ]
    return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def decode(blob: bytes, paper_id: str, text: str) -> tuple[Extraction, list[str]]:
    """The :class:`Extraction` of ``paper_id`` whose text is ``text``, and its warnings.

    Example
    -------
    >>> ext = Extraction("p", sentences=[(0, 9)], mentions=[Mention(3, 9, "METHOD", "BERTje", 0)])
    >>> decode(encode(ext), "q", "We BERTje")[0].mentions[0]
    Mention(start=3, end=9, label='METHOD', text='BERTje', sentence=0, source='ner', score=1.0)
    """
    sentences, mentions, abbreviations, relations, roles, warnings = json.loads(zlib.decompress(blob))
    ext = Extraction(
        paper_id=paper_id,
        sentences=list(zip(sentences[0::2], sentences[1::2])),
        mentions=[Mention(s, e, label, text[s:e], sent, source, score) for s, e, label, sent, source, score in mentions],
        abbreviations=[Abbreviation(*a) for a in abbreviations],
        relations=[MentionRelation(*r) for r in relations],
        roles=[MentionRole(*r) for r in roles],
    )
    return ext, warnings
