"""Record elements of an XML file (PubMed, JATS), parsed safely, with lines and error recovery.

Real PubMed and PMC files start with a DOCTYPE, so DTDs are allowed; entity declarations and
external references stay forbidden (defusedxml: ``forbid_dtd=False, forbid_entities=True,
forbid_external=True``), so no "billion laughs" and no external loading. Each record element
(``PubmedArticle``, ``article``...) is handed over as an ElementTree element with the line it
starts on, then dropped, so memory holds one record at a time (plus the file's bytes).

XML that is not well formed: the record being read when the parser stopped is reported (with
the parser's line and reason) and parsing starts again at the next record start tag after
it, inside the original root element, so one broken record loses nothing else
(:func:`kg.ingest.xmlresume.resume_records`, shared with the Atom reader).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from kg.ingest.source import Source, read_whole
from kg.ingest.xmlresume import ParseStop, resume_records, to_expat_encoding

_CHUNK = 1 << 16


@dataclass
class XmlRecord:
    element: ET.Element
    line: int


def local(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rsplit("}", 1)[-1]


def text_of(element: ET.Element | None) -> str | None:
    """All text inside an element (inline markup such as ``<i>`` kept as its text), or None."""
    if element is None:
        return None
    text = "".join(element.itertext())
    return text if text.strip() else None


class _Builder:
    """Parser target that builds only record elements (a fresh TreeBuilder for each);
    remembers the line and byte offset each starts on."""

    def __init__(self, is_record: Callable[[str], bool], line_shift: int):
        self.inner: ET.TreeBuilder | None = None
        self.is_record = is_record
        self.line_shift = line_shift
        self.parser: DefusedXMLParser | None = None
        self.depth = 0
        self.record_depth = 0
        self.current: tuple[int, int] | None = None  # (line, byte offset) of the open record
        self.root_offset: int | None = None
        self.done: list[XmlRecord] = []

    def start(self, tag, attrs):
        self.depth += 1
        expat = self.parser.parser  # type: ignore[union-attr]
        if self.depth == 1:
            self.root_offset = expat.CurrentByteIndex
        if self.current is None and self.is_record(local(tag)):
            self.current = (expat.CurrentLineNumber + self.line_shift, expat.CurrentByteIndex)
            self.record_depth = self.depth
            self.inner = ET.TreeBuilder()
        if self.inner is not None:
            return self.inner.start(tag, attrs)
        return None

    def end(self, tag):
        element = None
        if self.inner is not None and self.current is not None:
            element = self.inner.end(tag)
            if self.depth == self.record_depth:
                self.done.append(XmlRecord(element, self.current[0]))
                self.current = None
                self.inner = None
        self.depth -= 1
        return element

    def data(self, data):
        if self.inner is not None:
            self.inner.data(data)

    def close(self):
        return None


def _records(is_record: Callable[[str], bool], document: bytes, line_shift: int) -> Iterator[XmlRecord | ParseStop]:
    """The record elements of ``document``, fed to the parser in chunks (records are handed
    over after each chunk), then a :class:`ParseStop` if the parser stopped early."""
    builder = _Builder(is_record, line_shift)
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        for at in range(0, len(document), _CHUNK):
            parser.feed(document[at:at + _CHUNK])
            yield from builder.done
            builder.done.clear()
        parser.close()
    except (ET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        yield from builder.done
        if not isinstance(exc, ET.ParseError):
            yield ParseStop(exc, root_offset=builder.root_offset, record=builder.current)
            return
        line, column = getattr(exc, "position", (1, 0))
        yield ParseStop(exc, str(exc).split(":")[0], line, column, builder.root_offset, builder.current, _byte_offset(document, line, column))
        return
    yield from builder.done


def iter_xml_records(source: Source, is_record: Callable[[str], bool], record_tag_re: re.Pattern[bytes]) -> Iterator[XmlRecord]:
    """Every record element of the file, in order; problems reported to ``source.report``."""
    data = read_whole(source)
    if data is None:
        return
    data = to_expat_encoding(source, data)
    for _, record in resume_records(source, data, partial(_records, is_record), record_tag_re, refused="entity declarations or external references"):
        yield record


def _byte_offset(document: bytes, line: int, column: int) -> int:
    pos = 0
    for _ in range(line - 1):
        nxt = document.find(b"\n", pos)
        if nxt < 0:
            return len(document)
        pos = nxt + 1
    return pos + column
