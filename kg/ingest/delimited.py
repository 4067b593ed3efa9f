"""CSV and TSV files with a header row (``--format csv`` / ``tsv``), read with the csv module.

* The header names the columns; they map to paper fields through :mod:`kg.ingest.fields`
  (``--field abstract=summary``). A header without a title column is one error for the file,
  saying what the file looks like (a table of something else, or another format's content)
  and both remedies: ``--field title=NAME`` and the ``--format`` choices.
* Quoted fields may hold commas, tabs, quotes (``""``) and line breaks; a record's line is the
  line where it starts.
* Parsing is strict: a row with a stray quote, an unterminated quoted field or a field over
  16 MiB (:data:`kg.ingest.limits.MAX_CSV_FIELD_CHARS`) is reported and skipped, and reading
  starts again on the line after the start of the bad row, so a broken quote cannot swallow
  the records after it.
* A row with more or fewer fields than the header (a ragged row; Scopus writes one field more
  than its header on most rows) is kept, read by the header's columns, with a warning, when
  the columns kg maps all lie before the first missing field; a row too short to hold them
  is reported and skipped.
* A CSV whose header has semicolons and no commas is read with ``;`` (spreadsheet exports).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator

from kg.ingest.assemble import make_paper
from kg.ingest.fields import field_key, generic_draft, resolve_fields
from kg.ingest.limits import MAX_CSV_FIELD_CHARS
from kg.ingest.registry import format_choices, looks_like, register
from kg.ingest.source import Source, iter_lines, read_head
from kg.models import Paper

MAX_FIELD = MAX_CSV_FIELD_CHARS
MAX_RECORD_LINES = 5000  # a quoted field spanning more lines is taken as an unterminated quote
csv.field_size_limit(MAX_FIELD)


class _RecordTooLong(Exception):
    pass


class _ReplayableLines:
    """Lines for csv.reader that remembers the lines of the current record and can replay them."""

    def __init__(self, lines: Iterator[tuple[int, str]]):
        self.lines = lines
        self.replay: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []

    def __iter__(self) -> _ReplayableLines:
        return self

    def __next__(self) -> str:
        item = self.replay.popleft() if self.replay else next(self.lines)
        self.record.append(item)
        if len(self.record) > MAX_RECORD_LINES:
            raise _RecordTooLong(f"a quoted field runs over {MAX_RECORD_LINES} lines (unterminated quote?)")
        return item[1]

    def rewind_after_first(self) -> None:
        """Put back every line of the failed record but its first."""
        self.replay.extendleft(reversed(self.record[1:]))
        self.record = []


def _read_delimited(source: Source, delimiter: str) -> Iterator[Paper]:
    lines = _ReplayableLines(iter(iter_lines(source, keepends=True)))
    fields = resolve_fields(source.fields)

    def new_reader(delim: str):
        return csv.reader(lines, delimiter=delim, strict=True)

    reader = new_reader(delimiter)
    header: list[str] | None = None
    index = 0
    while True:
        lines.record = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, _RecordTooLong) as exc:
            first = lines.record[0][0] if lines.record else None
            if header is None:
                source.report.error(source.where(first), f"unreadable header row ({exc}); file skipped", record_level=False)
                return
            source.report.error(source.where(first, index), f"malformed row ({exc})")
            index += 1
            lines.rewind_after_first()
            reader = new_reader(delimiter)
            continue
        start = lines.record[0][0] if lines.record else None
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if header is None:
            if delimiter == "," and len(row) == 1 and ";" in row[0]:
                delimiter = ";"
                row = next(csv.reader([row[0]], delimiter=";"))
                reader = new_reader(delimiter)
            header = [name.strip() for name in row]
            if not _has_title(header, fields["title"]):
                head = read_head(source.path) or "".join(text for _, text in lines.record).encode()
                source.report.error(source.where(start), _no_title_column(header, head, delimiter), record_level=False)
                return
            continue
        where = source.where(start, index)
        index += 1
        if len(row) != len(header):
            needed = _last_mapped_column(header, fields)
            if len(row) <= needed:
                source.report.error(where, f"row has {len(row)} fields, the header has {len(header)}; too few to hold the mapped columns")
                continue
            source.report.warning(where, f"row has {len(row)} fields, the header has {len(header)}; read by the header's columns")
        record = {name: value for name, value in zip(header, row) if name}
        paper = make_paper(generic_draft(record, fields), where, source.report)
        if paper is not None:
            yield paper


def _no_title_column(header: list[str], head: bytes, delimiter: str) -> str:
    """The one-line error for a header without a title column: what the file looks like (it was
    sent here by its extension, or by ``--format``) and both remedies."""
    columns = ", ".join(name.replace("\t", "\\t") for name in header[:12])
    what = looks_like(head, reading_as="tsv" if delimiter == "\t" else "csv",
                      otherwise="a table without a title column" if len(header) > 1 else None)
    return (f"no title column in the header ({columns}); it looks like {what}; "
            f"if a column holds the titles, name it with --field title=NAME; "
            f"if the file is in another format, name it with --format ({format_choices()}); file skipped")


def _last_mapped_column(header: list[str], fields: dict[str, tuple[str, ...]]) -> int:
    """Index of the last header column that a paper field maps to."""
    names = {field_key(n) for names in fields.values() for n in names}
    return max((i for i, h in enumerate(header) if field_key(h) in names), default=0)


def _has_title(header: list[str], names: tuple[str, ...]) -> bool:
    keys = {field_key(h) for h in header} | set(header)
    return any(name in keys or field_key(name) in keys for name in names)


@register("csv", description="CSV with a header row", extensions=(".csv",))
def read_csv(source: Source) -> Iterator[Paper]:
    yield from _read_delimited(source, ",")


@register("tsv", description="TSV (tab-separated) with a header row", extensions=(".tsv", ".tab"))
def read_tsv(source: Source) -> Iterator[Paper]:
    yield from _read_delimited(source, "\t")
