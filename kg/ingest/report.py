"""What ingest tells about its input: counts and :class:`~kg.models.Problem` reports.

Every reader reports through one :class:`IngestReport`, so that ``kg build`` can print each
problem as it happens (``on_problem``), count what was skipped, and fail under ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kg.models import Problem


@dataclass(frozen=True, slots=True)
class Where:
    """The place of one record: the file as the user named it, its 1-based line, its index, and
    the part of that record when the record holds records (``references[3]`` of an S2 paper)."""

    file: str
    line: int | None = None
    record: int | None = None
    part: str | None = None


class IngestReport:
    """Counts and problems of one ingest run.

    Attributes
    ----------
    records_read : int
        Records the readers found, good or bad (a bad record counts here and in ``skipped``).
    duplicates : int
        Records merged into an earlier record with the same DOI, arXiv id or normalised title.
    skipped : int
        Error problems: records skipped, plus files or folder entries that could not be read.
    problems : list[Problem]
        Every problem, errors and warnings, in the order they were found.
    files_read : int
        Input files opened and read to the end (whatever their records were).

    Example
    -------
    >>> report = IngestReport()
    >>> report.error(Where("papers.jsonl", 17), "invalid JSON (Expecting ',' delimiter: column 43)")
    >>> report.skipped, report.records_read, str(report.problems[0])
    (1, 1, "papers.jsonl:17: invalid JSON (Expecting ',' delimiter: column 43); record skipped")
    """

    def __init__(self, on_problem: Callable[[Problem], None] | None = None):
        self.on_problem = on_problem
        self.records_read = 0
        self.duplicates = 0
        self.skipped = 0
        self.files_read = 0
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        """Record one problem: append it, count it (errors count as skipped), tell ``on_problem``."""
        self.problems.append(problem)
        if problem.severity == "error":
            self.skipped += 1
        if self.on_problem is not None:
            self.on_problem(problem)

    report = add  # the name the stage contract uses

    def error(self, where: Where, reason: str, *, record_level: bool = True) -> None:
        """A record (or, with ``record_level=False``, a whole file or entry) was skipped."""
        if record_level:
            self.records_read += 1
            reason += "; record skipped"
        self.add(Problem(where.file, where.line, _in_part(where, reason), record=where.record, severity="error"))

    def warning(self, where: Where, reason: str) -> None:
        """Something was repaired or left out, and the record (or file) was kept."""
        self.add(Problem(where.file, where.line, _in_part(where, reason), record=where.record, severity="warning"))

    @property
    def errors(self) -> list[Problem]:
        """The error problems (the ones ``--strict`` fails on)."""
        return [p for p in self.problems if p.severity == "error"]


def _in_part(where: Where, reason: str) -> str:
    return f"{where.part}: {reason}" if where.part else reason
