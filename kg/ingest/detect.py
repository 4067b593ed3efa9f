"""Which format a file is in, from its first bytes: positive signatures, never elimination.

Every format kg reads without ``--format`` has a signature here, checked on the first 4 KiB
of the file (BOM and gzip already removed):

* XML: the root element (``feed`` Atom, ``PubmedArticleSet`` PubMed, ``pmc-articleset`` /
  ``article`` JATS); DOCTYPEs and comments before it are skipped;
* BibTeX: an ``@type{`` entry; JSON: ``[`` or ``{``;
* RIS: the first non-blank line is ``TY  - ``; MEDLINE: ``PMID- ``;
* Web of Science: ``FN `` (plain text) or a tab-separated header with ``PT`` and ``TI``;
* CSV / TSV: a header line naming a title column;
* "Daily Papers" dumps: the page's own lines (``Daily Papers``, ``Get trending papers in
  your email inbox``, ``byAK and the research community``, ``Subscribe``).

A file matching none is refused with :func:`looks_like`, one phrase saying what it seems to
be, so that a README, a log or a CSV of something else is never read as papers.
"""

from __future__ import annotations

import re

_XML_ROOT_RE = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_XML_SKIP_RE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S | re.I)
_BIBTEX_RE = re.compile(r"^@[ \t]*[A-Za-z]+[ \t]*[{(]", re.M)
_RIS_RE = re.compile(r"^TY  -")
_MEDLINE_RE = re.compile(r"^PMID- ")
_WOS_PLAIN_RE = re.compile(r"^FN (?:Clarivate|Thomson|ISI)", re.I)
_DAILY_RE = re.compile(
    r"^(?:daily papers|get trending papers\b|by\s*ak and the research community|subscribe)", re.I
)
_LOG_RE = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|^(?:DEBUG|INFO|WARN(?:ING)?|ERROR)\b")

#: XML root element (local name) -> reader.
XML_ROOTS = {
    "feed": "atom",
    "PubmedArticleSet": "pubmed",
    "PubmedArticle": "pubmed",
    "PubmedBookArticleSet": "pubmed",
    "pmc-articleset": "jats",
    "article": "jats",
}


def head_text(head: bytes) -> str:
    """The first bytes as text, without BOM and leading white space (UTF-16 with a BOM decoded)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[:len(head) // 2 * 2].decode("utf-16", "replace").lstrip("\ufeff \t\r\n")
    return head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")


def xml_root(text: str) -> str | None:
    """The local name of the root element of XML text (prolog, DOCTYPE and comments skipped).

    >>> xml_root('<?xml version="1.0"?><!DOCTYPE PubmedArticleSet PUBLIC "x" "y"><PubmedArticleSet>')
    'PubmedArticleSet'
    """
    pos = 0
    while match := _XML_SKIP_RE.match(text, pos):
        if match.end() == pos:
            break
        pos = match.end()
    root = _XML_ROOT_RE.match(text, pos)
    return root.group(2) if root else None


def _first_lines(text: str, n: int = 20) -> list[str]:
    return [line.strip("\r\ufeff") for line in text.split("\n") if line.strip()][:n]


def signature(text: str) -> str | None:
    """The reader whose signature the text (see :func:`head_text`) carries, or None.

    >>> signature("TY  - JOUR\\nTI  - A title\\nER  - \\n"), signature("PMID- 123\\nTI  - T\\n")
    ('ris', 'medline')
    >>> signature("# My project\\n\\nThis is a README.\\n") is None
    True
    """
    if not text:
        return None
    first = text[0]
    if first == "<":
        return XML_ROOTS.get(xml_root(text) or "")
    if first == "@":
        return "bibtex" if _BIBTEX_RE.search(text) else None
    if first == "[":
        return "json"
    if first == "{":
        return "jsonl" if text.split("\n", 1)[0].rstrip().endswith("}") else "json"
    lines = _first_lines(text)
    if not lines:
        return None
    if _RIS_RE.match(lines[0]):
        return "ris"
    if _MEDLINE_RE.match(lines[0]):
        return "medline"
    if _WOS_PLAIN_RE.match(lines[0]) or {"PT", "TI"} <= {c.strip() for c in lines[0].split("\t")}:
        return "wos"
    if any(_DAILY_RE.match(line) for line in lines):
        return "daily"
    for delimiter, name in (("\t", "tsv"), (",", "csv"), (";", "csv")):
        if _is_table_header(lines[0], delimiter):
            return name
    return None


def _is_table_header(line: str, delimiter: str) -> bool:
    """A header row naming a title column and at least one other paper field (``id,title``)."""
    from kg.ingest.fields import DEFAULT_FIELDS, field_key

    columns = {field_key(c.strip().strip('"')) for c in line.split(delimiter)}
    if len(columns) < 2:
        return False
    known = {field: any(field_key(n) in columns for n in names) for field, names in DEFAULT_FIELDS.items()}
    return known["title"] and sum(known.values()) >= 2


def looks_like(text: str) -> str:
    """What an unrecognised file seems to be, in a few words (for the refusal message).

    >>> looks_like("# Title\\n\\nSome text"), looks_like("2024-05-01 12:00:01 INFO started")
    ('Markdown or plain text', 'a log file')
    """
    if not text:
        return "an empty file"
    if text[0] == "<":
        root = xml_root(text)
        if root and root.lower() == "html":
            return "an HTML page"
        return f"XML with root element <{root}>, which no reader knows" if root else "XML or HTML"
    lines = _first_lines(text)
    if lines and sum(bool(_LOG_RE.match(line)) for line in lines) >= max(1, len(lines) // 2):
        return "a log file"
    if lines and (lines[0].count(",") >= 2 or lines[0].count("\t") >= 2 or lines[0].count(";") >= 2):
        return "a table without a title column"
    if lines and re.match(r"^[A-Z][A-Z0-9]  - ", lines[0]):
        return "a tagged bibliography without a RIS 'TY  - ' start"
    return "Markdown or plain text"
