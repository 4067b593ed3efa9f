"""Shared helpers of the ingest tests."""

from __future__ import annotations

from pathlib import Path

from kg.ingest import IngestReport, read_file

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"
MALFORMED = DATA / "malformed"


def read(path, **kwargs) -> tuple[list, IngestReport]:
    """All papers of one file (not de-duplicated) and the report."""
    report = IngestReport()
    papers = list(read_file(path, report=report, **kwargs))
    return papers, report


def by_title(papers) -> dict:
    return {p.title: p for p in papers}
