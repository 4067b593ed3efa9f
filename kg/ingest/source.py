"""Reading input files as text, line by line, whatever their encoding and line endings.

* UTF-8 with or without a BOM is the norm; a UTF-16 file with a BOM is read as UTF-16.
* A line that is not valid UTF-8 is decoded as cp1252 (or Latin-1 for the five bytes cp1252
  leaves undefined) and the file gets one warning naming the first such line: Windows and
  Latin-1 exports are common, and decoding them this way loses no byte.
* CRLF and LF both end a line; a lone CR or U+2028 inside a line is not a line end (JSON
  strings may contain them), except in a file with no LF at all in its first 4 KiB, whose
  lines end with CR (classic Mac OS exports).
* ``.gz`` files (or any gzip stream) are decompressed on the fly.
* Files are streamed: memory does not grow with the file.
* A file that cannot be opened or read, or that is binary, is one error problem, not a crash.
* A file whose size, modification time or inode changed while it was read (still being
  written, downloaded or replaced) gets one warning: what was read may be cut short or mixed.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kg.ingest.report import IngestReport, Where


@dataclass
class Source:
    """One input file being read: its path, the name problems use, where to report, and how to
    read it (``fields``: field-name overrides; ``s2_nested``: read the papers nested in
    Semantic Scholar records too)."""

    path: Path
    name: str
    report: IngestReport
    fields: dict[str, str] = field(default_factory=dict)
    s2_nested: bool = False

    def where(self, line: int | None = None, record: int | None = None, part: str | None = None) -> Where:
        return Where(self.name, line, record, part)


class Unreadable(Exception):
    """A file that cannot be read at all (reported once by :func:`iter_lines`' callers)."""


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, decompressing gzip transparently."""
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    try:
        magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    except OSError:
        raw.close()
        raise
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first ``size`` bytes of a file (decompressed), or ``b""`` when it cannot be read
    (the reader that opens it reports that)."""
    try:
        with open_binary(path) as fh:
            return fh.read(size)
    except (OSError, EOFError):
        return b""


def file_state(fh: BinaryIO) -> tuple[int, int, int] | None:
    """``(inode, size, mtime_ns)`` of the file behind an open handle (None where there is none)."""
    try:
        info = os.fstat(fh.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def warn_if_changed(source: Source, before: tuple[int, int, int] | None) -> None:
    """One warning when ``source.path`` is no longer the file :func:`file_state` saw when it was opened."""
    if before is None:
        return
    try:
        info = os.stat(source.path)
        after = (info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        after = None
    if after == before:
        return
    if after is None:
        what = "was removed"
    elif after[0] != before[0]:
        what = "was replaced by another file"
    elif after[1] != before[1]:
        what = f"changed size from {before[1]:,} to {after[1]:,} bytes"
    else:
        what = "was modified"
    source.report.warning(source.where(), f"the file {what} while it was read; records read from it may be cut short or mixed")


def read_whole(source: Source) -> bytes | None:
    """All the bytes of ``source`` (decompressed) for the readers that parse a whole document
    (XML), or None when there is nothing to parse: an unreadable file is reported as a
    file-level error, an empty one is counted as read, and a file changed while it was read
    gets :func:`warn_if_changed`'s warning."""
    try:
        with open_binary(source.path) as fh:
            before = file_state(fh)
            data = fh.read()
        warn_if_changed(source, before)
    except (OSError, EOFError) as exc:
        source.report.error(source.where(), f"cannot read file: {getattr(exc, 'strerror', None) or exc}", record_level=False)
        return None
    if not data.strip():
        source.report.files_read += 1
        return None
    return data


def _looks_binary(head: bytes) -> bool:
    """Many NUL bytes (and no UTF-16 BOM, checked before): an image, an archive, a database..."""
    return len(head) >= 16 and head.count(0) > len(head) * 0.1


class _LineDecoder:
    """Decode one line at a time: UTF-8, else cp1252, else Latin-1, warning once per file."""

    def __init__(self, source: Source):
        self.source = source
        self.warned = False

    def __call__(self, raw: bytes, lineno: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            try:
                text = raw.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
                encoding = "Latin-1"
            if not self.warned:
                self.warned = True
                bad = raw[exc.start:exc.start + 1].hex()
                self.source.report.warning(
                    self.source.where(lineno),
                    f"not valid UTF-8 (byte 0x{bad} at column {exc.start + 1}); this line and any later "
                    f"such lines were read as {encoding}",
                )
            return text


def iter_lines(source: Source, *, keepends: bool = False) -> Iterator[tuple[int, str]]:
    """``(1-based line number, text)`` for each line of ``source``, decoded as described above.

    Reports a file-level error problem and stops when the file cannot be opened or read.
    """
    try:
        fh = open_binary(source.path)
    except OSError as exc:
        source.report.error(source.where(), f"cannot read file: {exc.strerror or exc}", record_level=False)
        return
    lineno = 0
    before = file_state(fh)
    with fh:
        try:
            head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield from _iter_utf16(fh, keepends)
                source.report.files_read += 1
                warn_if_changed(source, before)
                return
            if _looks_binary(head):
                source.report.error(source.where(), "binary file (or UTF-16 without a BOM), not text; file skipped", record_level=False)
                return
            decode = _LineDecoder(source)
            old_mac = b"\r" in head and b"\n" not in head  # CR-only line ends (classic Mac OS exports)
            for raw in (_split_cr(fh) if old_mac else fh):
                lineno += 1
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                if not keepends:
                    raw = raw.rstrip(b"\n")
                    if raw.endswith(b"\r"):
                        raw = raw[:-1]
                yield lineno, decode(raw, lineno)
            source.report.files_read += 1
        except (OSError, EOFError) as exc:
            source.report.error(source.where(lineno + 1), f"read failed: {getattr(exc, 'strerror', None) or exc}; the rest of the file is skipped", record_level=False)
    warn_if_changed(source, before)


def _split_cr(fh: BinaryIO) -> Iterator[bytes]:
    """Lines of a file whose lines end with a bare CR, each returned ending with ``\n``."""
    pending = b""
    while chunk := fh.read(1 << 16):
        parts = (pending + chunk).split(b"\r")
        pending = parts.pop()
        for part in parts:
            yield part + b"\n"
    if pending:
        yield pending


def _iter_utf16(fh: BinaryIO, keepends: bool) -> Iterator[tuple[int, str]]:
    text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="")
    lineno = 0
    for line in text:
        lineno += 1
        if not keepends:
            line = line.rstrip("\n").rstrip("\r") if line.endswith("\n") else line.rstrip("\r")
        yield lineno, line


def read_text(source: Source) -> str | None:
    """The whole file as one string (for formats that need it: BibTeX, XML-free JSON documents).

    Same decoding rules as :func:`iter_lines`; None (after reporting) when it cannot be read.
    """
    before = source.report.skipped
    parts = [line for _, line in iter_lines(source, keepends=True)]
    if source.report.skipped > before and not parts:
        return None
    return "".join(parts)
