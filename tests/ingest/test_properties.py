"""Property-based tests of the readers (Hypothesis).

1. Any Unicode title and abstract written as JSON Lines, CSV, TSV, BibTeX or arXiv Atom is read
   back as exactly the documented clean-up of what was written (``clean_text``), or, when the
   clean title is empty, reported as one error: the container never changes the text.
2. No reader raises on arbitrary or mutated input; it reports problems instead
   (the long version of this is scripts/fuzz_readers.py).
"""

from __future__ import annotations

import csv
import io
import json
import xml.sax.saxutils

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import IngestReport, read_file
from kg.ingest.clean import clean_text

from .fuzzing import READERS, check_reader_on_bytes, mutated_input

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


def _xml_char(ch: str) -> bool:
    code = ord(ch)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


xml_text = st.text(st.characters(blacklist_categories=("Cs",)).filter(_xml_char), max_size=80)
# A braced BibTeX value cannot hold unbalanced braces, and a line starting with "@type{" starts an
# entry; backslashes would be LaTeX: leave those out, keep everything else (non-ASCII included).
bib_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="{}\\@"), max_size=80)


def write_jsonl(title, abstract):
    return (json.dumps({"title": title, "abstract": abstract}) + "\n").encode("utf-8")


def write_delimited(delimiter):
    def write(title, abstract):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)  # CRLF rows: fields with CR or LF get quoted
        writer.writerow(["title", "abstract"])
        writer.writerow([title, abstract])
        return out.getvalue().encode("utf-8")

    return write


def write_bibtex(title, abstract):
    return f"@article{{key1,\n  title = {{{title}}},\n  abstract = {{{abstract}}}\n}}\n".encode("utf-8")


def write_atom(title, abstract):
    esc = lambda s: xml.sax.saxutils.escape(s).replace("\r", "&#13;")  # noqa: E731 - keep CR as CR
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<entry><id>http://arxiv.org/abs/2101.00001v1</id><title>{esc(title)}</title>"
        f"<summary>{esc(abstract)}</summary></entry>\n</feed>\n"
    ).encode("utf-8")


CASES = {
    # format: (suffix, writer, text strategy, LaTeX mode of the reader)
    "jsonl": (".jsonl", write_jsonl, any_text, "never"),
    "csv": (".csv", write_delimited(","), any_text, "never"),
    "tsv": (".tsv", write_delimited("\t"), any_text, "never"),
    "bibtex": (".bib", write_bibtex, bib_text, "always"),
    "atom": (".xml", write_atom, xml_text, "always"),
}


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_round_trip(fmt, tmp_path):
    suffix, write, text, latex = CASES[fmt]

    @SETTINGS
    @given(title=text, abstract=text)
    def check(title, abstract):
        path = tmp_path / f"papers{suffix}"
        path.write_bytes(write(title, abstract))
        report = IngestReport()
        papers = list(read_file(path, format=fmt, report=report))
        expected_title = clean_text(title, latex=latex)
        if not expected_title:
            assert papers == [] and len(report.errors) == 1
            return
        assert [(p.title, p.abstract) for p in papers] == [(expected_title, clean_text(abstract, latex=latex))]
        assert report.errors == []

    check()


@pytest.mark.parametrize("reader", READERS)
def test_readers_never_raise(reader, tmp_path):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=mutated_input(reader))
    def check(data):
        check_reader_on_bytes(reader, data, folder=tmp_path)

    check()


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_clean_text_is_idempotent(text):
    for latex in ("never", "auto"):
        once = clean_text(text, latex=latex)
        assert clean_text(once, latex="never") == once
