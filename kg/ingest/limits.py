"""Per-record size limits: the most one record may bring into a build, so that no single
record, however long, takes the machine's memory.

Measured before these limits (docs/scale.md): about 2.5 kB of memory per character of one
record's text, so a 1 MB abstract took 2.35 GB and a 10 MB CSV field 13.1 GB. The extraction
itself is now bounded by its batches (:func:`kg.extract.worker.extract_texts`); these limits
bound the rest (the text kept in every output, reading and parsing one record):

* :data:`MAX_TITLE_CHARS`, :data:`MAX_ABSTRACT_CHARS`, :data:`MAX_TEXT_CHARS`: a longer title,
  abstract or ``kg extract`` text is cut to its first part (at a white space near the limit)
  with a warning naming the file and line; the record is kept;
* :data:`MAX_JSON_LINE_CHARS`: a JSON Lines line longer than this is not parsed: reported as
  an error with its line and skipped (parsing turns a line into Python objects of up to about
  20 times its size);
* :data:`MAX_INDEX_POSITIONS`: an OpenAlex ``abstract_inverted_index`` is rebuilt from its
  first positions only (counted before anything is built), with a warning;
* :data:`MAX_CSV_FIELD_CHARS`: a longer CSV/TSV field makes its row an error (``csv``'s own
  field limit);
* :data:`MAX_BIBTEX_STRING_CHARS`: a BibTeX ``@string`` or field whose expansion would be
  longer is reported with its line and not expanded (:mod:`kg.ingest.bibtex`);
* :data:`MAX_BIBTEX_ENTRY_CHARS`: a longer BibTeX entry is reported and skipped unparsed.
"""

from __future__ import annotations

import re

#: Characters of a title kept (a real title is under 300).
MAX_TITLE_CHARS = 2_000
#: Characters of an abstract kept: a whole paper's body fits; a real abstract is under 5,000.
MAX_ABSTRACT_CHARS = 100_000
#: Characters of one ``kg extract`` text (title + abstract as given) kept.
MAX_TEXT_CHARS = MAX_TITLE_CHARS + MAX_ABSTRACT_CHARS
#: Characters of one JSON Lines line parsed at most (a 2M-position OpenAlex record is ~20 MB).
MAX_JSON_LINE_CHARS = 32 * 2**20
#: Positions of an OpenAlex inverted index used at most (about ten times the words of an
#: abstract of :data:`MAX_ABSTRACT_CHARS`).
MAX_INDEX_POSITIONS = 100_000
#: Characters of one CSV/TSV field (``csv.field_size_limit``).
MAX_CSV_FIELD_CHARS = 16 * 2**20
#: Characters of one expanded BibTeX ``@string`` or field value that uses macros.
MAX_BIBTEX_STRING_CHARS = 1_000_000
#: Characters of one BibTeX entry given to the parser (pyparsing takes about 24 bytes per
#: character: 240 MB for a 10 MB entry, measured).
MAX_BIBTEX_ENTRY_CHARS = 16 * 2**20

_SPACE_RE = re.compile(r"\s")


def cut_text(text: str, limit: int) -> str:
    """The first part of ``text``: at most ``limit`` characters, ending after the last white
    space of its last tenth (or last 100 characters) when there is one, so that no word is
    cut, else at ``limit``.

    Example
    -------
    >>> cut_text("one two three four", 12)
    'one two '
    >>> cut_text("abcdefghij", 4), cut_text("short", 10)
    ('abcd', 'short')
    """
    if len(text) <= limit:
        return text
    floor = max(0, limit - max(100, limit // 10))
    last = None
    for last in _SPACE_RE.finditer(text, floor, limit):
        pass
    return text[: last.end()] if last is not None else text[:limit]


def cut_warning(what: str, length: int, limit: int, kept: int) -> str:
    """The warning for a value cut by :func:`cut_text`.

    >>> cut_warning("abstract", 1_000_000, 100_000, 99_990)
    'abstract of 1,000,000 characters is longer than the limit of 100,000; its first 99,990 were kept'
    """
    return f"{what} of {length:,} characters is longer than the limit of {limit:,}; its first {kept:,} were kept"
