"""The knowledge graph's evidence held as columns: a read-only mapping of id to Evidence.

:class:`EvidenceRecords` maps evidence id to :class:`~kg.models.Evidence`, each record made
when it is read.

:func:`kg.build.build_graph` keeps every evidence record its links and relations cite: about 40
per paper, 3.2 million at 80,000 papers, the most numerous objects of a build. As
:class:`~kg.models.Evidence` objects in a dict they take about 300 bytes each (the slotted
object, its tuple of span tuples, its offsets as int objects, the dict entry); here a record is
its id, paper id and method (references to strings the graph holds anyway), four to six 64-bit
offsets and a float in arrays: about 80 bytes. Readers see a mapping like the dict it replaces
(same ids in the same order, equal records); a record whose values are not the plain types
(int offsets, a float confidence) is kept as it is.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import ItemsView, Iterable, Iterator, Mapping, ValuesView
from operator import attrgetter

from kg.models import Evidence


class EvidenceRecords(Mapping[str, Evidence]):
    """Evidence records in increasing id order, as columns (see the module docstring).

    Example
    -------
    >>> a = Evidence("a1", "p", 0, 9, ((2, 5),), "ner", 1.0)
    >>> b = Evidence("b2", "p", 10, 30, ((12, 14), (20, 25)), "rule", 0.8)
    >>> table = EvidenceRecords([a, b])
    >>> table["b2"] == b, list(table), "c" in table, len(table)
    (True, ['a1', 'b2'], False, 2)
    >>> table == {"a1": a, "b2": b}
    True
    """

    __slots__ = ("_ids", "_papers", "_methods", "_offsets", "_span_at", "_confidence", "_odd")

    def __init__(self, records: Iterable[Evidence]):
        self._ids: list[str] = []
        self._papers: list[str] = []
        self._methods: list[str] = []
        self._offsets = array("q")  # sentence start, end, then each span's start and end
        self._span_at = array("q", [0])  # where each record's offsets end
        self._confidence = array("d")
        self._odd: dict[int, Evidence] = {}  # row -> a record with other types, kept whole
        previous = None
        for ev in records:
            if previous is not None and not ev.id > previous:
                raise ValueError(f"evidence ids must come in increasing order: {ev.id!r} after {previous!r}")
            previous = ev.id
            self._add(ev)

    def _add(self, ev: Evidence) -> None:
        row = len(self._ids)
        self._ids.append(ev.id)
        self._papers.append(ev.paper_id)
        self._methods.append(ev.method)
        offsets = [ev.sentence_start, ev.sentence_end]
        plain = type(ev.confidence) is float and type(ev.spans) is tuple
        for span in ev.spans if plain else ():
            if type(span) is not tuple or len(span) != 2:
                plain = False
                break
            offsets += span
        if plain and all(type(x) is int and -(2**63) <= x < 2**63 for x in offsets):
            self._offsets.extend(offsets)
            self._confidence.append(ev.confidence)
        else:
            self._odd[row] = ev
            self._confidence.append(0.0)
        self._span_at.append(len(self._offsets))

    def _row(self, i: int) -> Evidence:
        odd = self._odd.get(i) if self._odd else None
        if odd is not None:
            return odd
        at, end, x = self._span_at[i], self._span_at[i + 1], self._offsets
        if end - at == 4:
            spans: tuple = ((x[at + 2], x[at + 3]),)
        elif end - at == 6:
            spans = ((x[at + 2], x[at + 3]), (x[at + 4], x[at + 5]))
        else:
            spans = tuple((x[j], x[j + 1]) for j in range(at + 2, end, 2))
        return Evidence(self._ids[i], self._papers[i], x[at], x[at + 1], spans, self._methods[i], self._confidence[i])

    def _find(self, evidence_id: object) -> int:
        i = bisect_left(self._ids, evidence_id) if type(evidence_id) is str else len(self._ids)
        return i if i < len(self._ids) and self._ids[i] == evidence_id else -1

    def get(self, evidence_id: object, default=None):
        i = self._find(evidence_id)
        return self._row(i) if i >= 0 else default

    def paper_of(self, evidence_id: object) -> str | None:
        """The paper id of one record (None: no such record), without making the record."""
        i = self._find(evidence_id)
        if i < 0:
            return None
        odd = self._odd.get(i) if self._odd else None
        return odd.paper_id if odd is not None else self._papers[i]

    def __getitem__(self, evidence_id: str) -> Evidence:
        i = self._find(evidence_id)
        if i < 0:
            raise KeyError(evidence_id)
        return self._row(i)

    def __contains__(self, evidence_id: object) -> bool:
        return self._find(evidence_id) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def values(self) -> ValuesView[Evidence]:
        return _Values(self)

    def items(self) -> ItemsView[str, Evidence]:
        return _Items(self)

    def by_paper(self) -> Iterator[Evidence]:
        """The records by paper id, then id (what ``sorted(values(), key=(paper_id, id))`` gives),
        without making them all first."""
        for i in sorted(range(len(self._ids)), key=self._papers.__getitem__):  # stable: ids stay in order
            yield self._row(i)

    def __reduce__(self):
        return EvidenceRecords, (list(self.values()),)


class _Values(ValuesView):
    def __iter__(self) -> Iterator[Evidence]:
        records = self._mapping
        return map(records._row, range(len(records)))


class _Items(ItemsView):
    def __iter__(self) -> Iterator[tuple[str, Evidence]]:
        records = self._mapping
        return zip(records._ids, map(records._row, range(len(records))))


def paper_of(evidence: Mapping[str, Evidence], evidence_id: str) -> str | None:
    """The paper id of record ``evidence_id`` of ``evidence`` (None: no such record); from
    :class:`EvidenceRecords` without making the record (the RDF writer asks this of every
    evidence id its links and relations cite)."""
    if isinstance(evidence, EvidenceRecords):
        return evidence.paper_of(evidence_id)
    ev = evidence.get(evidence_id)
    return None if ev is None else ev.paper_id


def by_paper(evidence: Mapping[str, Evidence]) -> Iterator[Evidence]:
    """Evidence records ordered by paper id, then id: streamed from :class:`EvidenceRecords`,
    sorted from any other mapping."""
    if isinstance(evidence, EvidenceRecords):
        return evidence.by_paper()
    return iter(sorted(evidence.values(), key=attrgetter("paper_id", "id")))
