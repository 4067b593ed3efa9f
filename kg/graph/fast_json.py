"""Compact JSON as ``json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``
spells it, encoded as UTF-8, made by orjson wherever orjson gives exactly those bytes.

Why: ``graph.json`` is mostly this encoding. On a 4,000-paper build its nodes, edges and evidence
table took 1.0 s CPU through the json module's C encoder and 0.17 s through orjson, plus 0.3 s
for :func:`orjson_spells_alike` (measured with orjson 3.13).

orjson does not spell every value as the json module does (measured, orjson 3.13): floats
below 1e-4 in magnitude (``1e-05`` becomes ``0.00001``, ``2.5e-07`` becomes ``2.5e-7``), NaN
and the infinities (``null``; json writes ``NaN``, ``Infinity``), and it writes types the json
module refuses (``uuid.UUID``, enums, dates, dataclasses). So orjson gets only values made of
exactly ``dict``, ``list``, ``tuple``, ``str``, ``int``, ``bool``, ``None`` and floats it spells
alike; anything else, and whatever orjson refuses (a lone surrogate, a key that is not a string,
an integer beyond 64 bits), goes through the json module, whose errors are raised as before.
Strings (escapes, non-ASCII characters, U+2028), key order, integers, booleans and ``null``
come out the same (tests/graph/test_fast_json.py compares both over hostile values).
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

#: The json module's encoder of the same text (the reference, and the fallback).
REFERENCE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_ATOMS = frozenset({str, int, bool, type(None)})
#: How deep orjson nests (it refuses a deeper value).
MAX_DEPTH = 254


def orjson_spells_alike(value: Any) -> bool:
    """Whether ``value`` holds only the exact JSON types, nested at most :data:`MAX_DEPTH` deep
    (orjson's limit; a circular value never ends), and no float orjson spells otherwise
    (non-finite, or non-zero below 1e-4 in magnitude): a walk over every nested value, a level
    at a time."""
    level = [value]
    atoms = _ATOMS
    for _ in range(MAX_DEPTH + 1):
        inner: list[Any] = []
        extend = inner.extend
        for item in level:
            cls = item.__class__
            if cls in atoms:
                continue
            if cls is float:
                if item != 0.0 and not 1e-4 <= abs(item) < math.inf:
                    return False
            elif cls is dict:
                extend(item.values())
            elif cls is list or cls is tuple:
                extend(item)
            else:
                return False
        if not inner:
            return True
        level = inner
    return False


def dumps(value: Any) -> bytes:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")``.

    Raises what those raise (``TypeError`` for a value JSON cannot hold, ``UnicodeEncodeError``
    for a lone surrogate).

    Example
    -------
    >>> dumps({"b": [1, 2.5e-07, "é"], "a": None})
    b'{"a":null,"b":[1,2.5e-07,"\\xc3\\xa9"]}'
    """
    if orjson_spells_alike(value):
        try:
            return orjson.dumps(value, option=_OPTIONS)
        except orjson.JSONEncodeError:  # a lone surrogate, a key that is not a string, a huge int
            pass
    return REFERENCE.encode(value).encode("utf-8")
