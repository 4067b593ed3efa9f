"""kg.ingest: read paper files of many formats into de-duplicated :class:`~kg.models.Paper` records.

Formats (reader names for ``--format``): ``daily`` ("Daily Papers" listing dumps), ``jsonl``,
``json``, ``arxiv`` (arXiv metadata snapshot), ``csv``, ``tsv``, ``bibtex``, ``atom`` (arXiv
API), ``openalex``, ``s2`` (Semantic Scholar Graph API), ``ris``, ``medline``, ``pubmed``
(PubMed XML), ``jats`` (PMC articles), ``wos`` (Web of Science), ``csl`` (CSL-JSON),
``crossref`` (Crossref API). Without ``--format`` the reader is chosen per file from its
extension and a positive signature in its first bytes; a file no reader recognises is
refused (one error naming what it looks like), never guessed. Bad records are reported as
:class:`~kg.models.Problem` through an :class:`IngestReport` and skipped; the rest is read.
See docs/ingest.md for every rule.

Example
-------
>>> report = IngestReport()
>>> papers = list(iter_papers([SAMPLE_DIR], report=report))
>>> len(papers), report.records_read, report.duplicates, report.skipped
(468, 552, 84, 0)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from kg.ingest.dedup import deduplicate
from kg.ingest.fields import UnknownField, resolve_fields
from kg.ingest.inputs import iter_input_files
from kg.ingest.registry import READERS, UnknownFormat, detect_format, get_reader, load_readers, refusal
from kg.ingest.report import IngestReport
from kg.ingest.source import Source, read_head
from kg.models import Paper

#: The bundled sample: five "Daily Papers" dumps (552 listings, 468 distinct papers).
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"

__all__ = [
    "SAMPLE_DIR", "IngestReport", "iter_papers", "read_file", "READERS", "get_reader", "load_readers",
    "UnknownFormat", "UnknownField", "UsageError",
]

#: The errors in how ingest was asked to run (not in the input): an unknown --format or --field.
UsageError = (UnknownFormat, UnknownField)


def read_file(path: str | os.PathLike[str], *, format: str | None = None, fields: Mapping[str, str] | None = None,
              report: IngestReport, name: str | None = None, s2_nested: bool = False) -> Iterator[Paper]:
    """Every paper of one file, in file order, not de-duplicated (``iter_papers`` does that)."""
    path = Path(path)
    source = Source(path, name or str(path), report, dict(fields or {}), s2_nested=s2_nested)
    fmt = format
    if fmt is None:
        head = read_head(path)
        fmt = detect_format(path, head)
        if fmt is None:
            report.error(source.where(), refusal(head), record_level=False)
            return
    yield from get_reader(fmt).read(source)


def iter_papers(inputs: Iterable[str | os.PathLike[str]], *, format: str | None = None,
                fields: Mapping[str, str] | None = None, report: IngestReport | None = None,
                s2_nested: bool = False) -> Iterator[Paper]:
    """The de-duplicated papers of all ``inputs`` (files or folders), first-seen order.

    Parameters
    ----------
    inputs : files or folders
        Folders are read recursively in sorted order, hidden entries skipped.
    format : str, optional
        A reader name (``kg.ingest.READERS``); None detects the format of each file.
    fields : mapping, optional
        Field-name overrides for JSON and CSV records, e.g. ``{"abstract": "summary"}``.
    report : IngestReport
        Receives counts and problems. Malformed records are reported there and skipped.
    s2_nested : bool
        Also read the papers nested in Semantic Scholar records (``citations``, ``references``);
        without it they are counted in one warning per file.

    Raises
    ------
    UnknownFormat, UnknownField
        Before anything is read, when ``format`` or ``fields`` name nothing kg knows.
    """
    if report is None:
        report = IngestReport()
    if format is not None:
        format = get_reader(format).name
    resolve_fields(fields)  # fail early on a bad --field
    load_readers()

    def all_papers() -> Iterator[Paper]:
        for path, name in iter_input_files(inputs, report):
            yield from read_file(path, format=format, fields=fields, report=report, name=name, s2_nested=s2_nested)

    yield from deduplicate(all_papers(), report)
