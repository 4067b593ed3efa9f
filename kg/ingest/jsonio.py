"""JSON values out of JSON Lines files and JSON documents, streamed, with exact positions.

* JSON Lines: one value per line; a line that is not valid JSON is reported with its line and
  the parser's reason and skipped, the next line is read as usual. Blank lines are ignored.
  A line longer than :data:`kg.ingest.limits.MAX_JSON_LINE_CHARS` is reported and skipped
  without being parsed (its objects could take 20 times its size).
* A JSON document whose first line is already a complete value is read as JSON Lines too
  (the arXiv metadata snapshot is JSON Lines named ``.json``).
* A top-level array is streamed element by element; an element that is not valid JSON is
  reported and the reader resynchronises at the next element: the next ``{`` at the start of
  a line with the same indentation as the broken element (pretty-printed arrays), or after
  the next ``,`` (arrays on one line).
* Any other document (an API page such as ``{"results": [...]}``) is parsed whole; if that
  fails, its ``results``/``data`` array is streamed as above, so one broken record does not
  lose the page.

Values are yielded as :class:`JsonValue` (value, 1-based line where it starts, 0-based index).
Strings may contain raw control characters (``strict=False``): they are repaired later.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kg.ingest.limits import MAX_JSON_LINE_CHARS
from kg.ingest.source import Source, iter_lines

_DECODER = json.JSONDecoder(strict=False)
_WS = " \t\r\n\ufeff"
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class JsonValue:
    value: Any
    line: int
    index: int


def describe(exc: json.JSONDecodeError, *, column_offset: int = 0) -> str:
    """``invalid JSON (Expecting ',' delimiter: column 43)`` - the parser's words, 1-based column."""
    return f"invalid JSON ({exc.msg}: column {exc.colno + column_offset})"


def loads_line(text: str) -> Any:
    """Parse one JSON Lines line (raises :class:`json.JSONDecodeError`)."""
    value, end = _DECODER.raw_decode(text, len(text) - len(text.lstrip(_WS)))
    if text[end:].strip(_WS):
        raise json.JSONDecodeError("Extra data after the value", text, end + (len(text[end:]) - len(text[end:].lstrip(_WS))))
    return value


def iter_json_lines(source: Source, lines: Iterable[tuple[int, str]] | None = None) -> Iterator[JsonValue]:
    """Every value of a JSON Lines file; bad lines are reported (file, line, reason) and skipped."""
    index = 0
    for lineno, line in lines if lines is not None else iter_lines(source):
        if not line.strip(_WS):
            continue
        if len(line) > MAX_JSON_LINE_CHARS:
            source.report.error(source.where(lineno, index), f"line of {len(line):,} characters is longer than the limit of {MAX_JSON_LINE_CHARS:,} for one JSON record; not parsed")
            index += 1
            continue
        try:
            value = loads_line(line)
        except json.JSONDecodeError as exc:
            source.report.error(source.where(lineno, index), describe(exc))
        except RecursionError:
            source.report.error(source.where(lineno, index), "invalid JSON (nested too deeply)")
        else:
            yield JsonValue(value, lineno, index)
        index += 1


class _Buffer:
    """Decoded text of a file read ahead in whole lines, with the line number of its start."""

    def __init__(self, lines: Iterator[tuple[int, str]], first_line: int = 1):
        self.lines = lines
        self.text = ""
        self.pos = 0
        self.line = first_line  # line number at self.text[0]
        self.eof = False

    def more(self, minimum: int = _CHUNK) -> bool:
        if self.eof:
            return False
        added = 0
        parts = []
        for _, line in self.lines:
            parts.append(line)
            added += len(line)
            if added >= minimum:
                break
        else:
            self.eof = True
        if parts:
            self.text += "".join(parts)
        return bool(parts)

    def skip_ws(self) -> bool:
        """Move past white space; False at the end of input."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.text):
                return True
            if not self.more():
                return False

    def line_at(self, pos: int) -> int:
        return self.line + self.text.count("\n", 0, pos)

    def column_at(self, pos: int) -> int:
        return pos - (self.text.rfind("\n", 0, pos) + 1)

    def drop_consumed(self) -> None:
        if self.pos > _CHUNK:
            self.line += self.text.count("\n", 0, self.pos)
            self.text = self.text[self.pos:]
            self.pos = 0


def _needs_more(exc: json.JSONDecodeError, text: str) -> bool:
    return exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip(_WS)) - 1


def iter_json_array(source: Source, lines: Iterator[tuple[int, str]], *, first_line: int = 1, trailing_ok: bool = False) -> Iterator[JsonValue]:
    """Stream the elements of the JSON array that ``lines`` starts with (after white space).

    ``trailing_ok``: the array is inside a larger document, so text after it is expected.
    """
    buf = _Buffer(lines, first_line)
    if not buf.skip_ws() or buf.text[buf.pos] != "[":
        source.report.error(source.where(buf.line_at(buf.pos)), "invalid JSON (expected an array)", record_level=False)
        return
    buf.pos += 1
    index = 0
    while True:
        if not buf.skip_ws():
            source.report.warning(source.where(buf.line_at(buf.pos)), "JSON array not closed (file truncated?); the records before the end were read")
            return
        char = buf.text[buf.pos]
        if char == "]":
            break
        if char == "," and index > 0:
            buf.pos += 1
            continue
        start = buf.pos
        while True:
            try:
                value, end = _DECODER.raw_decode(buf.text, start)
            except json.JSONDecodeError as exc:
                if not buf.eof and _needs_more(exc, buf.text) and buf.more(max(_CHUNK, len(buf.text))):
                    continue
                line = buf.line_at(start)
                err_line = buf.line_at(exc.pos)
                at = f"column {buf.column_at(exc.pos) + 1}"
                at = f"line {err_line}, {at}" if err_line != line else at
                source.report.error(source.where(line, index), f"invalid JSON in array element ({exc.msg}: {at})")
                index += 1
                if not _resync(buf, start, exc.pos):
                    return
                break
            except RecursionError:
                source.report.error(source.where(buf.line_at(start), index), "invalid JSON in array element (nested too deeply)")
                index += 1
                if not _resync(buf, start, start + 1):
                    return
                break
            else:
                yield JsonValue(value, buf.line_at(start), index)
                index += 1
                buf.pos = end
                buf.drop_consumed()
                break
    buf.pos += 1
    if not trailing_ok and buf.skip_ws():
        source.report.warning(source.where(buf.line_at(buf.pos)), "text after the end of the JSON array ignored")


def _resync(buf: _Buffer, start: int, error_pos: int) -> bool:
    """Move ``buf.pos`` to where the element after a broken one starts; False if none."""
    col = buf.column_at(start)
    starts_line = not buf.text[start - col:start].strip(_WS)
    if starts_line:
        pattern = re.compile(r"\n" + re.escape(buf.text[start - col:start]) + r"(?=[{\[\"\d\-tfn])")
        shift = 1 + col
    else:
        after = _end_of_element(buf, start)
        if after is not None:
            buf.pos = after
            buf.drop_consumed()
            return True
        pattern = re.compile(r",[ \t\r\n]*(?=\{)")
        shift = None
    search_from = max(error_pos, start + 1)
    while True:
        match = pattern.search(buf.text, search_from)
        if match:
            buf.pos = match.start() + shift if shift is not None else match.end()
            buf.drop_consumed()
            return True
        search_from = max(search_from, len(buf.text) - 256)
        if not buf.more():
            return False


def _end_of_element(buf: _Buffer, start: int) -> int | None:
    """Position after the ``,`` that ends the element at ``start``, scanning brackets outside strings.

    Tolerant: a string also ends at a line end, and brackets closing more than were opened
    are ignored. Used for arrays written on one line, where indentation says nothing.
    """
    depth = 0
    in_string = False
    pos = start
    while True:
        text = buf.text
        while pos < len(text):
            char = text[pos]
            if in_string:
                if char == "\\":
                    pos += 1
                elif char in "\"\n":
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth = max(depth - 1, 0)
            elif char == "," and depth == 0:
                return pos + 1
            pos += 1
        if not buf.more():
            return None


def iter_json_document(source: Source) -> Iterator[JsonValue]:
    """Every top-level record of a ``.json`` file: array elements, JSON Lines, or one document."""
    lines = iter(iter_lines(source, keepends=True))
    head: list[tuple[int, str]] = []
    for lineno, line in lines:
        head.append((lineno, line))
        if line.strip(_WS):
            break
    if not head or not head[-1][1].strip(_WS):
        return  # empty file (problems, if any, were reported by iter_lines)
    first_line, first = head[-1]
    rest = _chain(head, lines)
    if first.lstrip(_WS).startswith("["):
        yield from iter_json_array(source, rest, first_line=head[0][0])
        return
    try:
        loads_line(first)
        one_line_value = True
    except (json.JSONDecodeError, RecursionError):
        one_line_value = False
    if one_line_value:
        yield from iter_json_lines(source, ((n, text.rstrip("\r\n")) for n, text in rest))
        return
    yield from _iter_whole_document(source, list(rest))


def _chain(head: list[tuple[int, str]], lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield from head
    yield from lines


def _later_line_is_a_value(lines: list[tuple[int, str]]) -> bool:
    """Does any line after the first non-blank one hold a complete JSON object by itself?"""
    seen_first = False
    for _, piece in lines:
        if not piece.strip(_WS):
            continue
        if not seen_first:
            seen_first = True
            continue
        if piece.lstrip(_WS).startswith("{"):
            try:
                loads_line(piece)
                return True
            except (json.JSONDecodeError, RecursionError):
                continue
    return False


def _page_with_lines(source: Source, text: str, start: int, end: int, first_line: int, value: Any) -> list[JsonValue] | None:
    """The records of an API page (``{"results": [...]}``) with the line each starts on.

    The page was parsed whole; its array is streamed once more to learn the lines. If that
    does not give back exactly the parsed records, the page is left to the caller as is.
    """
    if not isinstance(value, dict) or "title" in value:
        return None
    for match in _PAGE_ARRAY_RE.finditer(text, start, end):
        items = value.get(match.group(1))
        if not isinstance(items, list):
            continue
        tail = text[match.end():end]
        offset_line = first_line + text.count("\n", 0, match.end())
        tail_lines = ((offset_line + i, piece) for i, piece in enumerate(tail.splitlines(keepends=True)))
        from kg.ingest.report import IngestReport  # a scratch report: the page already parsed

        scratch = Source(source.path, source.name, IngestReport())
        streamed = list(iter_json_array(scratch, tail_lines, first_line=offset_line, trailing_ok=True))
        if [v.value for v in streamed] == items:
            return streamed
    return None


_PAGE_ARRAY_RE = re.compile(r'"(results|data|items|works|papers|records)"\s*:\s*(?=\[)')


def _iter_whole_document(source: Source, lines: list[tuple[int, str]]) -> Iterator[JsonValue]:
    text = "".join(line for _, line in lines)
    first_line = lines[0][0] if lines else 1
    pos = len(text) - len(text.lstrip(_WS))
    index = 0
    while pos < len(text):
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as exc:
            match = _PAGE_ARRAY_RE.search(text, pos)
            if match:
                # a page with a broken record: stream its array, resynchronising past the break
                offset_line = first_line + text.count("\n", 0, match.end())
                tail = text[match.end():]
                tail_lines = ((offset_line + i, piece) for i, piece in enumerate(tail.splitlines(keepends=True)))
                yield from iter_json_array(source, tail_lines, first_line=offset_line, trailing_ok=True)
            elif index == 0 and _later_line_is_a_value(lines):
                # JSON Lines named .json whose first record is broken: read it line by line
                yield from iter_json_lines(source, ((n, piece.rstrip("\r\n")) for n, piece in lines))
            else:
                line = first_line + text.count("\n", 0, getattr(exc, "pos", pos))
                reason = describe(exc) if isinstance(exc, json.JSONDecodeError) else "invalid JSON (nested too deeply)"
                source.report.error(source.where(line, index), reason)
            return
        line = first_line + text.count("\n", 0, pos)
        items = _page_with_lines(source, text, pos, end, first_line, value)
        if items is not None:
            yield from items  # a page: its records, each with its own line
        else:
            yield JsonValue(value, line, index)
        index += 1
        pos = end + (len(text) - end - len(text[end:].lstrip(_WS)))
