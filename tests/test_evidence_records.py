"""kg.evidence_records: the columns read back as the dict of Evidence records they replace."""

from __future__ import annotations

import pickle
from operator import attrgetter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.evidence_records import EvidenceRecords, by_paper, paper_of
from kg.models import Evidence

offsets = st.integers(-5, 3000) | st.integers(-5, 3000) | st.integers(2**63 - 2, 2**64)  # the last kind does not fit a column
spans = st.lists(st.tuples(offsets, offsets), min_size=0, max_size=4).map(tuple)
confidences = st.one_of(st.floats(allow_nan=False), st.just(1), st.just(float("-0.0")), st.none())
records = st.lists(
    st.builds(Evidence, st.text(min_size=1, max_size=6), st.sampled_from(["p1", "p2", "arxiv:3", "é"]), offsets, offsets, spans,
              st.sampled_from(["ner", "rule:x/1", "cooccurrence:sentence/1"]), confidences),
    max_size=40,
    unique_by=attrgetter("id"),
).map(lambda evs: sorted(evs, key=attrgetter("id")))


def _spelled(evs) -> list[tuple]:
    """Records with the type of every value (1 and 1.0, -0.0 and 0.0 are different here)."""
    return [(e.id, e.paper_id, e.sentence_start, e.sentence_end, repr(e.spans), e.method, repr(e.confidence), type(e.confidence)) for e in evs]


@settings(max_examples=200, deadline=None)
@given(evs=records)
def test_reads_back_as_the_dict(evs):
    plain = {ev.id: ev for ev in evs}
    table = EvidenceRecords(evs)
    assert table == plain and len(table) == len(plain) and list(table) == list(plain)
    assert _spelled(table.values()) == _spelled(plain.values())
    assert [k for k, _ in table.items()] == list(plain) and _spelled(v for _, v in table.items()) == _spelled(plain.values())
    assert _spelled(table[k] for k in plain) == _spelled(plain.values())
    assert _spelled(by_paper(table)) == _spelled(by_paper(plain)) == _spelled(sorted(evs, key=attrgetter("paper_id", "id")))
    assert [paper_of(table, k) for k in plain] == [paper_of(plain, k) for k in plain] == [ev.paper_id for ev in evs]
    assert _spelled(table.get(k) for k in plain) == _spelled(plain.values())
    for missing in ("", "zzzzzzz", 3, None):
        assert missing not in table and table.get(missing) is None and table.get(missing, 0) == 0
        assert paper_of(table, missing) is None
    assert _spelled(pickle.loads(pickle.dumps(table)).values()) == _spelled(plain.values())


def test_one_two_and_three_spans():
    evs = [Evidence(f"e{n}", "p", 1, 99, tuple((10 * i, 10 * i + n) for i in range(1, n + 1)), "m", 0.5) for n in range(4)]
    assert _spelled(EvidenceRecords(evs).values()) == _spelled(evs)


def test_ids_must_increase():
    a, b = Evidence("a", "p", 0, 1, ((0, 1),), "m", 1.0), Evidence("b", "p", 0, 1, ((0, 1),), "m", 1.0)
    with pytest.raises(ValueError, match="increasing order"):
        EvidenceRecords([b, a])
    with pytest.raises(ValueError, match="increasing order"):
        EvidenceRecords([a, a])
    with pytest.raises(KeyError):
        EvidenceRecords([a])["b"]
