"""kg.graph.fast_json: orjson where it gives json.dumps' bytes, json elsewhere; the oracle is
json.dumps itself, over values where the two libraries differ and where they agree."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
import random
import struct
import uuid

import pytest

from kg.graph import fast_json


def reference(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


class Colour(enum.Enum):
    RED = 1


class Name(str):
    pass


@dataclasses.dataclass
class Point:
    x: int


def _floats(n: int, seed: int) -> list[float]:
    """Floats of every magnitude (random bit patterns, finite) and decimal-looking ones near the
    boundaries where orjson's spelling changes."""
    rng = random.Random(seed)
    values = [x for x in (struct.unpack("d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(n)) if math.isfinite(x)]
    values += [rng.random() * 10.0 ** rng.randint(-12, 18) * rng.choice((1, -1)) for _ in range(n)]
    values += [1e-4, 9.999999e-5, 1e-5, 2.5e-7, 1e-9, 1e-10, 1e16, 1e15, 0.0, -0.0, 5e-324, 1.7976931348623157e308]
    return values


@pytest.mark.parametrize("value", [
    {"b": 1, "a": [True, False, None, 0, -1, 2**63 - 1, -(2**63)], "": ""},
    {"é": 1, "e": 2, "😀": 3, "\uffff": 4, "Z": 5, "a\x00": 6},  # key order by code point
    ["".join(chr(i) for i in range(0x80)), "\u2028\u2029\x7f", "é😀", 'say "hi" \\ /'],
    {"nested": {"deeper": [{"b": [1, 2], "a": (3, 4)}]}},
    [float("nan"), float("inf"), -float("inf")],  # orjson writes null
    [1e-05, 2.5e-07, 9.9e-05],  # orjson writes 0.00001, 2.5e-7
    [2**64],  # beyond orjson's integers
    {2: "a", 1: "b"},  # keys json turns into strings
    [Name("sub"), Colour.RED.value],
    [],
    {},
])
def test_dumps_gives_json_dumps_bytes(value) -> None:
    assert fast_json.dumps(value) == reference(value)


def test_floats_of_every_magnitude() -> None:
    values = _floats(20_000, seed=1)
    assert fast_json.dumps(values) == reference(values)
    for x in values[:2000]:
        assert fast_json.dumps([x]) == reference([x]), x


@pytest.mark.parametrize("value", [uuid.UUID(int=1), Colour.RED, datetime.date(2020, 1, 2), Point(1), {1, 2}, b"x"])
def test_what_json_refuses_is_refused(value) -> None:
    """orjson writes UUIDs, enums, dates and dataclasses; json.dumps refuses them, and so does dumps."""
    with pytest.raises(TypeError):
        reference([value])
    with pytest.raises(TypeError):
        fast_json.dumps([value])


def test_a_lone_surrogate_raises_as_json_encoding_does() -> None:
    with pytest.raises(UnicodeEncodeError):
        fast_json.dumps(["a\ud800b"])


def test_circular_and_deep_values() -> None:
    circular: list = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular"):
        fast_json.dumps(circular)
    deep: list = []
    for _ in range(300):  # deeper than orjson nests
        deep = [deep]
    assert fast_json.dumps(deep) == reference(deep)


def test_the_gate_lets_plain_values_through() -> None:
    """The fast path is taken for the values graph.json is made of (else it would never be used)."""
    assert fast_json.orjson_spells_alike({"a": [1, "x", None, True, 0.5, (0.0, 1e-4)], "b": {"c": 1e300}})
    for bad in (float("nan"), 1e-5, -3e-7, Name("x"), Colour.RED, uuid.UUID(int=1)):
        assert not fast_json.orjson_spells_alike({"a": [1, {"b": bad}]})
