"""kg.rdf.iris.encode_segment against urllib's percent-encoding (the oracle), fast path included."""

from __future__ import annotations

import random
from urllib.parse import quote

from kg.rdf.iris import encode_segment

ALPHABET = "aZ09:._~-/ é²٣ⅷ%#<>\ud800"  # ASCII alphanumerics, Unicode ones (isalnum, not ASCII), reserved characters


def oracle(text: str, keep_slash: bool) -> str:
    encoded = quote(text.encode("utf-8", "surrogatepass"), safe=":-._~" + ("/" if keep_slash else ""))
    return "/".join(p.replace(".", "%2E") if p in (".", "..") else p for p in encoded.split("/"))


def test_encode_segment_is_percent_encoding() -> None:
    rng = random.Random(7)
    texts = ["000066f09d4566a6", "abcXYZ019", "", ".", "..", "a.b", "é", "²", "٣", "x/..", "title:ab c/ü"]
    texts += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8))) for _ in range(5000)]
    for text in texts:
        for keep_slash in (False, True):
            assert encode_segment(text, keep_slash=keep_slash) == oracle(text, keep_slash), (text, keep_slash)
