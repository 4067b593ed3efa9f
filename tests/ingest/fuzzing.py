"""Hypothesis strategies and checks shared by the property tests and scripts/fuzz_readers.py.

* :func:`mutated_input` - bytes for one reader: a real-shaped fixture of that format with random
  edits (bytes deleted, inserted, duplicated, truncated), or plain random bytes;
* :func:`check_reader_on_bytes` - run one reader on such bytes and check what must always hold:
  no exception, every paper clean and valid, every problem placed and explained.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import strategies as st

from kg.ingest import IngestReport, read_file
from kg.ingest.ids import paper_id

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"

#: reader name -> (file suffix, seed fixtures of that format)
SEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "daily": (".txt", ("daily_layout1.txt", "daily_layout2.txt", "malformed/daily_misaligned.txt")),
    "jsonl": (".jsonl", ("papers.jsonl", "malformed/wrong_field_types.jsonl", "malformed/html_in_title.jsonl")),
    "json": (".json", ("papers.json", "malformed/invalid_json_array.json")),
    "arxiv": (".json", ("arxiv_snapshot.jsonl",)),
    "csv": (".csv", ("papers.csv", "malformed/embedded_newlines.csv")),
    "tsv": (".tsv", ("papers.tsv",)),
    "bibtex": (".bib", ("refs.bib", "malformed/unbalanced_braces.bib")),
    "atom": (".xml", ("arxiv_api.xml", "malformed/not_well_formed.xml")),
    "openalex": (".json", ("openalex_works.json", "malformed/openalex_bad_index.json")),
    "s2": (".json", ("s2_papers.json", "malformed/s2_null_records.json", "s2_nested.json")),
    "ris": (".ris", ("refs.ris",)),
    "medline": (".nbib", ("pubmed.nbib",)),
    "pubmed": (".xml", ("pubmed.xml", "malformed/pubmed_entities.xml")),
    "jats": (".xml", ("jats_article.xml",)),
    "wos": (".txt", ("savedrecs.txt", "wos_plain.txt")),
    "csl": (".json", ("csl_items.json",)),
    "crossref": (".json", ("crossref_works.json",)),
}
READERS = tuple(SEEDS)

# bytes that matter to the formats: structure, quotes, escapes, line ends, encodings
_INTERESTING = [b"{", b"}", b"[", b"]", b'"', b"\\", b",", b"\t", b"\n", b"\r\n", b"\r", b"<", b">", b"&", b"@",
                b"$", b"~", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xe9", b"\xc3", b"\xe2\x80\xae", b"\\u0000",
                b"\\ud800", b"<entry>", b"</entry>", b"@article{x,", b"title", b"\\emph{", b"&amp;", b"]]>", b"<!DOCTYPE x [",
                b"Subscribe", b"Aug 5\n", b"TY  - ", b"ER  - ", b"PMID- ", b"      ", b"<AbstractText Label=\"X\">",
                b"</PubmedArticle>", b"<article>", b"</article>", b"PT\t", b"\"date-parts\"", b"<jats:p>", b"\n\n", b"null", b"1e999", b"-", b"0" * 30]


@st.composite
def mutated_input(draw, reader: str) -> bytes:
    """A seed file of ``reader``'s format with a few random edits, or random bytes."""
    suffix, seeds = SEEDS[reader]
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2000))
    data = bytearray((DATA / draw(st.sampled_from(seeds))).read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "insert", "insert_token", "duplicate", "truncate", "flip"]))
        at = draw(st.integers(0, len(data)))
        if op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif op == "insert_token":
            data[at:at] = draw(st.sampled_from(_INTERESTING))
        elif op == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 400)))
            data[at:at] = data[at:end]
        elif op == "truncate":
            del data[at:]
        elif op == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] = draw(st.integers(0, 255))
    return bytes(data)


def check_reader_on_bytes(reader: str, data: bytes, folder: Path | None = None) -> tuple[int, int]:
    """Run ``reader`` on ``data``; assert the invariants; return (papers, problems).

    Papers nested in Semantic Scholar records are read too (``s2_nested``), so that their code
    is fuzzed. Invariants: no exception escapes; every paper has a non-empty, clean title (no control or
    invisible characters, NFC, no outer or double spaces), a clean abstract, an id that
    :func:`paper_id` gives for its identifiers, and a source line inside the file; every
    problem names the file, a reason, and a line inside the file (or none).
    """
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / f"input{SEEDS[reader][0]}"
        path.write_bytes(data)
        report = IngestReport()
        papers = list(read_file(path, format=reader, report=report, s2_nested=True))  # only S2 records differ
    n_lines = data.count(b"\n") + data.count(b"\r") + 1  # CR-only files count CR as line ends
    for paper in papers:
        for text in (paper.title, paper.abstract):
            assert text == text.strip() and "  " not in text, repr(text)
            assert unicodedata.is_normalized("NFC", text), repr(text)
            assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text), repr(text)
            assert "\u200b" not in text and "\u202e" not in text and "\ufeff" not in text
        assert paper.title
        assert paper.id == paper_id(arxiv_id=paper.arxiv_id, doi=paper.doi, title=paper.title)
        assert paper.source_line is None or 1 <= paper.source_line <= n_lines
        assert paper.date is None or isinstance(paper.date, str)
    for problem in report.problems:
        assert problem.file == str(path) and problem.reason.strip()
        assert problem.line is None or 1 <= problem.line <= n_lines + 1, str(problem)
        assert problem.severity in ("error", "warning")
    assert report.skipped == sum(p.severity == "error" for p in report.problems)
    assert report.records_read >= len(papers)
    return len(papers), len(report.problems)
