"""Extractions kept on disk between the stages of a build, decoded again on each pass.

A build reads its extractions several times (resolution, graph building, ``mentions.jsonl``)
but needs them in memory only while one stage walks them. Held as Python objects, 100,000
abstracts' extractions take about 0.7 GB (7 kB each); encoded (:mod:`kg.extract.codec`)
they take about 35 MB. :class:`SpilledExtractions` stores the encoded form in an anonymous
temporary file (deleted by the kernel when the build ends, even when it is killed) and is a
read-only :class:`~collections.abc.Sequence` of :class:`~kg.models.Extraction`: iterating it
decodes one record at a time (about 40 microseconds each).

Example
-------
>>> from kg.models import Extraction, Mention, Paper
>>> papers = {"p": Paper("p", "BERT", "")}
>>> spilled = SpilledExtractions(papers)
>>> spilled.append(Extraction("p", [(0, 4)], [Mention(0, 4, "METHOD", "BERT", 0)]))
>>> len(spilled), spilled[0].mentions[0].text, [e.paper_id for e in spilled]
(1, 'BERT', ['p'])
>>> spilled.close()
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from kg.extract.codec import decode, encode
from kg.models import Extraction, Paper


class SpilledExtractions(Sequence):
    """An append-then-read sequence of extractions stored encoded in a temporary file.

    ``papers`` (paper id -> Paper) gives the texts that mention texts are cut from on decoding;
    ``folder`` is where the temporary file goes when it exists (else the system's temporary
    folder; the extraction cache's folder is a good choice: same disk as the outputs).
    """

    def __init__(self, papers: Mapping[str, Paper], folder: str | Path | None = None):
        self._papers = papers
        self._folder = folder
        self._file = None  # created on the first append, in ``folder`` if it exists by then
        self._offsets = array("q", [0])
        self._ids: list[str] = []

    def append(self, ext: Extraction) -> None:
        blob = encode(ext)
        if self._file is None:
            folder = self._folder if self._folder is not None and Path(self._folder).is_dir() else None
            self._file = tempfile.TemporaryFile(prefix="kg-extractions-", dir=folder)
        self._file.seek(self._offsets[-1])
        self._file.write(blob)
        self._offsets.append(self._offsets[-1] + len(blob))
        self._ids.append(ext.paper_id)

    def extend(self, extractions: Iterable[Extraction]) -> SpilledExtractions:
        for ext in extractions:
            self.append(ext)
        return self

    def __len__(self) -> int:
        return len(self._ids)

    def _decode(self, i: int, blob: bytes) -> Extraction:
        paper_id = self._ids[i]
        return decode(blob, paper_id, self._papers[paper_id].text)[0]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        self._file.seek(self._offsets[i])
        return self._decode(i, self._file.read(self._offsets[i + 1] - self._offsets[i]))

    def __iter__(self) -> Iterator[Extraction]:
        """Decode in order, reading the file in large blocks."""
        n = len(self)
        i = 0
        while i < n:
            j = min(n, i + 1024)
            self._file.seek(self._offsets[i])
            block = self._file.read(self._offsets[j] - self._offsets[i])
            base = self._offsets[i]
            for k in range(i, j):
                yield self._decode(k, block[self._offsets[k] - base : self._offsets[k + 1] - base])
            i = j

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> SpilledExtractions:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
