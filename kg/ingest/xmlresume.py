"""What every XML reader (Atom, PubMed, JATS) does with a file's bytes: make them readable by
expat, and read past a malformed record.

:func:`to_expat_encoding` transcodes a declared encoding expat cannot read to UTF-8.

:func:`resume_records` runs a reader's parse over the bytes and, when the XML is not well
formed, reports the record being read when the parser stopped (with the parser's line and
reason) and parses again from the next record start tag after that record's start, inside the
original root element (its start tag is put back in front), so one broken record loses nothing
else. The reader supplies the parse (a generator of records that ends with a :class:`ParseStop`
when the parser stops early) and the regular expression of a record's start tag.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from defusedxml import DefusedXmlException

from kg.ingest.source import Source

R = TypeVar("R")

_DECLARED_ENCODING_RE = re.compile(rb"<\?xml[^>]{0,200}?(\s+encoding\s*=\s*[\"']([^\"']{0,40})[\"'])")
_EXPAT_ENCODINGS = {"utf-8", "utf-16", "iso8859-1", "ascii"}


def to_expat_encoding(source: Source, data: bytes) -> bytes:
    """Bytes expat can parse: a declared encoding expat does not support is transcoded to UTF-8.

    Expat reads UTF-8, UTF-16, Latin-1 and ASCII itself; Python decodes the others (Shift-JIS,
    GBK, cp1252...). An encoding nobody knows, or UTF-16 declared on a file that is not (no BOM,
    starts with ``<?xml``), is read as UTF-8 with a warning.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # UTF-8 from here on, so that
        text = data.decode("utf-16", errors="replace")                # resuming after an error works
        data = text.encode("utf-8")
        declared = _DECLARED_ENCODING_RE.match(data)
        return data[: declared.start(1)] + data[declared.end(1):] if declared else data
    declared = _DECLARED_ENCODING_RE.match(data)
    if not declared:
        return data
    name = declared.group(2).decode("ascii", "replace")
    without = data[: declared.start(1)] + data[declared.end(1):]
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        source.report.warning(source.where(1), f"the XML declaration names an unknown encoding ({name!r}); read as UTF-8")
        return without
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        if data.startswith(b"<?xml"):
            source.report.warning(source.where(1), f"the XML declaration says {name} but the file is not; read as UTF-8")
            return without
        return data
    if codec in _EXPAT_ENCODINGS:
        return data
    try:
        text = without.decode(codec, errors="replace")
    except (LookupError, UnicodeError, ValueError):  # not a text encoding (zlib, rot13), or "undefined"
        source.report.warning(source.where(1), f"the XML declaration names {name!r}, which is not a text encoding; read as UTF-8")
        return without
    if "\ufffd" in text and b"\xef\xbf\xbd" not in without:
        source.report.warning(source.where(1), f"bytes that are not {name} were replaced by U+FFFD")
    return text.encode("utf-8")


@dataclass(slots=True)
class ParseStop:
    """Why and where one parse of a document stopped before its end.

    ``error``: the exception; ``message``: the parser's reason when the XML is not well formed
    (None for any other error: refused by defusedxml, an encoding expat cannot use);
    ``line`` (1-based, in the document) and ``column`` (0-based): where the parser stopped;
    ``root_offset``: byte offset of the root start tag in the document (None: not reached);
    ``record``: (line in the file, byte offset in the document) of the record open when it
    stopped (None: none was); ``restart``: byte offset in the document from which to look for
    the next record when none was open.
    """

    error: Exception
    message: str | None = None
    line: int = 1
    column: int = 0
    root_offset: int | None = None
    record: tuple[int, int] | None = None
    restart: int = 0


def resume_records(
    source: Source,
    data: bytes,
    parse: Callable[[bytes, int], Iterator[R | ParseStop]],
    record_start: re.Pattern[bytes],
    *,
    refused: str,
    unit: str = "record",
) -> Iterator[tuple[int, R]]:
    """``(index, record)`` for every record of ``data``, resuming after each malformed one.

    Parameters
    ----------
    parse
        ``parse(document, line_shift)`` yields the records of ``document`` in order and, if the
        parser stops early, a :class:`ParseStop` last; ``line_shift`` is added to the lines it
        gives records (the lines ``document`` starts after, in the file).
    record_start
        Matches a record's start tag in the file's bytes (where parsing resumes).
    refused
        What defusedxml refuses in this format, for the message of a refused file.
    unit
        What a record is called in the warning about an error outside any record.

    ``index`` counts records, the malformed ones included (the position in problem reports).
    Problems go to ``source.report``; ``files_read`` is counted when the end of the file is
    reached.
    """
    header: bytes | None = None  # the original root start tag, put back in front to resume
    header_len = resume = line_shift = 0  # document[header_len:] == data[resume:]
    document = data
    index = 0
    while True:
        stop: ParseStop | None = None
        for item in parse(document, line_shift):
            if isinstance(item, ParseStop):
                stop = item
                break
            yield index, item
            index += 1
        if stop is None:
            source.report.files_read += 1
            return
        if isinstance(stop.error, DefusedXmlException):
            source.report.error(source.where(), f"XML with {refused} is refused ({type(stop.error).__name__}); file skipped", record_level=False)
            return
        if stop.message is None:
            source.report.error(source.where(), f"XML in an encoding that cannot be read ({stop.error}); file skipped", record_level=False)
            return
        reason = f"XML not well formed ({stop.message}: line {stop.line + line_shift}, column {stop.column + 1})"
        if header is None:
            if stop.root_offset is None:
                source.report.error(source.where(stop.line), reason + "; file skipped", record_level=False)
                return
            header = document[: document.find(b">", stop.root_offset) + 1]
        to_data = lambda pos: max(pos - header_len, 0) + resume  # noqa: E731
        if stop.record is not None:
            source.report.error(source.where(stop.record[0], index), reason)
            index += 1
            restart = to_data(stop.record[1]) + 1
        else:
            source.report.warning(source.where(stop.line + line_shift), f"{reason} (outside any {unit})")
            restart = to_data(stop.restart)
        match = record_start.search(data, max(restart, resume + 1))
        if match is None:
            source.report.files_read += 1
            return
        resume = match.start()
        document = header + data[resume:]
        header_len = len(header)
        line_shift = data.count(b"\n", 0, resume) - header.count(b"\n")
