"""arXiv API responses: Atom 1.0 XML with arXiv's extension elements (``--format atom``).

Parsed with the standard library's expat through defusedxml, which refuses DTDs, entity
declarations and external references (no "billion laughs", no XXE): such a file is one error.
Each ``<entry>`` gives one paper::

    <entry>
      <id>http://arxiv.org/abs/2101.00001v2</id>           -> arXiv id 2101.00001
      <published>2021-01-04T13:46:39Z</published>          -> date 2021-01-04 (version 1)
      <title>...</title> <summary>...</summary>             -> title, abstract (LaTeX)
      <author><name>...</name></author> ...                 -> authors
      <arxiv:doi>10....</arxiv:doi>                         -> DOI
      <arxiv:journal_ref>...</arxiv:journal_ref>            -> venue
      <link rel="alternate" href="http://arxiv.org/abs/..."/> -> URL
      <arxiv:primary_category term="cs.LG"/> <category term="..."/> -> categories, primary first
    </entry>

arXiv answers a bad query with HTTP 200 and one entry titled ``Error`` whose id is
``http://arxiv.org/api/errors#...``: that entry is reported as an error with arXiv's message.

XML that is not well formed: the entry being read when the parser stopped is reported (with
the parser's line and reason) and parsing starts again at the next ``<entry`` after that
entry's start, inside the original root element, so one broken entry loses nothing else
(:func:`kg.ingest.xmlresume.resume_records`, shared with the PubMed and JATS readers). The file is read whole (API pages are at most a few thousand entries).
"""

from __future__ import annotations

import re
import xml.sax
from collections.abc import Iterator
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.ids import normalise_arxiv_id
from kg.ingest.registry import register
from kg.ingest.source import Source, read_whole
from kg.ingest.xmlresume import ParseStop, resume_records, to_expat_encoding
from kg.models import Paper

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
_TEXT_FIELDS = {(ATOM, "id"), (ATOM, "title"), (ATOM, "summary"), (ATOM, "published"), (ATOM, "updated"),
                (ARXIV, "doi"), (ARXIV, "journal_ref"), (ARXIV, "comment")}
_ENTRY_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?entry[\s>/]")


def _ns(uri: str | None) -> str:
    return ATOM if not uri else uri


class _EntryHandler(xml.sax.ContentHandler):
    """Collects finished entries (with the line and byte offset where each starts)."""

    def __init__(self, parser: DefusedExpatParser, line_shift: int):
        super().__init__()
        self.parser = parser
        self.line_shift = line_shift
        self.done: list[dict[str, Any]] = []
        self.entry: dict[str, Any] | None = None
        self.depth = 0
        self.entry_depth = 0
        self.root_offset: int | None = None
        self.text_key: str | None = None
        self.text: list[str] = []
        self.in_author = False
        self.offset = 0  # byte offset of the last element seen (for resuming after an error)

    def _line(self) -> int:
        return self.parser.getLineNumber() + self.line_shift

    def startElementNS(self, name, qname, attrs):  # noqa: N802 - SAX API
        uri, local = _ns(name[0]), name[1]
        self.depth += 1
        self.offset = self.parser._parser.CurrentByteIndex
        if self.depth == 1:
            self.root_offset = self.offset
        if local == "entry" and uri == ATOM and self.entry is None:
            self.entry = {"line": self._line(), "offset": self.offset,
                          "authors": [], "categories": [], "links": []}
            self.entry_depth = self.depth
            return
        if self.entry is None:
            return
        values = {key[1]: value for key, value in attrs.items()}
        if local == "author" and uri == ATOM:
            self.in_author = True
        elif local == "name" and uri == ATOM and self.in_author:
            self.text_key, self.text = "author", []
        elif (uri, local) in _TEXT_FIELDS and self.depth == self.entry_depth + 1:
            self.text_key, self.text = local, []
        elif local == "primary_category" and uri == ARXIV and values.get("term"):
            self.entry["primary"] = values["term"]
        elif local == "category" and uri == ATOM and values.get("term"):
            self.entry["categories"].append(values["term"])
        elif local == "link" and uri == ATOM:
            self.entry["links"].append(values)

    def endElementNS(self, name, qname):  # noqa: N802 - SAX API
        uri, local = _ns(name[0]), name[1]
        if self.entry is not None:
            if self.depth == self.entry_depth and local == "entry":
                self.done.append(self.entry)
                self.entry = None
            elif self.text_key is not None and (local == self.text_key or (self.text_key == "author" and local == "name")):
                text = "".join(self.text)
                if self.text_key == "author":
                    self.entry["authors"].append(text)
                else:
                    self.entry[self.text_key] = text
                self.text_key = None
            elif local == "author" and uri == ATOM:
                self.in_author = False
        self.depth -= 1

    def characters(self, content):
        if self.text_key is not None:
            self.text.append(content)


def entry_draft(entry: dict[str, Any]) -> Draft:
    """A :class:`Draft` from the fields of one ``<entry>``."""
    links = entry.get("links", [])
    alternate = next((l.get("href") for l in links if l.get("rel", "alternate") == "alternate" and l.get("href")), None)
    ident = (entry.get("id") or "").strip()
    arxiv_id = ident if normalise_arxiv_id(ident) else (alternate if alternate and normalise_arxiv_id(alternate) else None)
    categories = ([entry["primary"]] if entry.get("primary") else []) + entry.get("categories", [])
    return Draft(
        title=entry.get("title"),
        abstract=entry.get("summary"),
        source_id=ident or None,
        date=(entry.get("published") or "").strip() or None,
        authors=entry.get("authors", []),
        venue=entry.get("journal_ref"),
        doi=entry.get("doi"),
        arxiv_id=arxiv_id,
        url=alternate or (ident if ident.startswith("http") else None),
        categories=categories,
        latex="always" if arxiv_id else "never",  # the arXiv API writes LaTeX; other feeds text
    )


def _entries(document: bytes, line_shift: int) -> Iterator[dict[str, Any] | ParseStop]:
    """The entries of ``document``, then a :class:`ParseStop` if the parser stopped early."""
    parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    handler = _EntryHandler(parser, line_shift)
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    stop = None
    try:
        parser.feed(document)
        parser.close()
    except (xml.sax.SAXParseException, DefusedXmlException, ValueError, LookupError) as exc:
        syntax = isinstance(exc, xml.sax.SAXParseException)
        entry = (handler.entry["line"], handler.entry["offset"]) if handler.entry is not None else None
        stop = ParseStop(exc, exc.getMessage() if syntax else None, exc.getLineNumber() if syntax else 1,
                         exc.getColumnNumber() if syntax else 0, handler.root_offset, entry, max(handler.offset, 0))
    yield from handler.done
    if stop is not None:
        yield stop


@register("atom", description="arXiv API responses (Atom XML)", extensions=(".xml", ".atom"))
def read_atom(source: Source) -> Iterator[Paper]:
    data = read_whole(source)
    if data is None:
        return
    data = to_expat_encoding(source, data)
    for index, entry in resume_records(source, data, _entries, _ENTRY_RE, refused="a DTD or entity declarations", unit="entry"):
        where = source.where(entry["line"], index)
        ident = (entry.get("id") or "").strip()
        if "arxiv.org/api/errors" in ident:
            source.report.error(where, f"arXiv API error entry: {' '.join((entry.get('summary') or '').split())}")
            continue
        paper = make_paper(entry_draft(entry), where, source.report)
        if paper is not None:
            yield paper
