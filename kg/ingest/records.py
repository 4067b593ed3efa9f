"""The records ``kg extract`` (and every quality measurement) reads: JSON Lines of text.

Two shapes, one per line:

* ``{"id": ..., "text": ...}`` -> ``(id, text)`` with the text *exactly as given*: no
  clean-up at all, because entity offsets are measured into it;
* ``{"id": ..., "title": ..., "abstract": ...}`` -> ``(id, title + "\\n" + abstract)``, both
  as given (offsets into ``title + "\\n" + abstract``).

Other keys (``entities``, ``source``, ``relations``...) are ignored. A line that is not
valid JSON, not an object, or lacks ``id`` or text is reported (file, line, reason) and skipped.
A text longer than :data:`kg.ingest.limits.MAX_TEXT_CHARS` is cut to its first part (a
prefix: offsets into it are offsets into the text as given) with a warning.
The one other change ever made to a text: a lone UTF-16 surrogate (``"\\ud800"`` in JSON, which no
output can encode) becomes U+FFFD - one character for one, so offsets do not move - with a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from kg.ingest.jsonio import iter_json_lines
from kg.ingest.limits import MAX_TEXT_CHARS, cut_text, cut_warning
from kg.ingest.report import IngestReport
from kg.ingest.source import Source
from kg.models import paper_text

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def iter_text_records(path: str | os.PathLike[str], report: IngestReport) -> Iterator[tuple[str, str]]:
    """``(id, text)`` for each good record of a JSON Lines file, in file order.

    Example
    -------
    >>> import json, tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
    ...     _ = fh.write(json.dumps({"id": "a", "text": "  Raw  text\\n"}) + "\\n{oops\\n")
    ...     _ = fh.write(json.dumps({"id": 7, "title": "T", "abstract": "A"}) + "\\n")
    >>> report = IngestReport()
    >>> list(iter_text_records(fh.name, report)), [p.reason for p in report.problems]
    ([('a', '  Raw  text\\n'), ('7', 'T\\nA')], ['invalid JSON (Expecting property name enclosed in double quotes: column 2); record skipped'])
    """
    path = Path(path)
    source = Source(path, str(path), report)
    for item in iter_json_lines(source):
        where = source.where(item.line, item.index)
        record = item.value
        if not isinstance(record, dict):
            report.error(where, f"record is {type(record).__name__}, not an object")
            continue
        rid = record.get("id")
        if isinstance(rid, (int, float)) and not isinstance(rid, bool):
            rid = str(rid)
        if not isinstance(rid, str) or not rid:
            report.error(where, "missing id" if rid in (None, "") else f"id is {type(rid).__name__}, not text")
            continue
        if "text" in record:
            text = record["text"]
            if not isinstance(text, str):
                report.error(where, f"text is {type(text).__name__}, not a string")
                continue
        elif "title" in record or "abstract" in record:
            title, abstract = record.get("title"), record.get("abstract")
            if title is None or abstract is None:
                report.warning(where, f"no {'title' if title is None else 'abstract'}; read as empty; record kept")
            title = "" if title is None else title
            abstract = "" if abstract is None else abstract
            if not isinstance(title, str) or not isinstance(abstract, str):
                report.error(where, "title and abstract must be strings")
                continue
            text = paper_text(title, abstract)
        else:
            report.error(where, 'no "text" (or "title" and "abstract") field')
            continue
        if len(text) > MAX_TEXT_CHARS:
            kept = cut_text(text, MAX_TEXT_CHARS)
            report.warning(where, cut_warning("text", len(text), MAX_TEXT_CHARS, len(kept)) + "; record kept")
            text = kept
        if _SURROGATE_RE.search(text):
            report.warning(where, "lone UTF-16 surrogate(s) in the text replaced by U+FFFD; record kept")
            text = _SURROGATE_RE.sub("\ufffd", text)
        report.records_read += 1
        yield rid, text
