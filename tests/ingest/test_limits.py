"""Per-record limits (kg.ingest.limits): an oversized record is cut (warning with file:line) or
refused (error with file:line), never parsed or kept whole; the records around it are read."""

from __future__ import annotations

import csv
import json

from kg.ingest.limits import MAX_ABSTRACT_CHARS, MAX_INDEX_POSITIONS, MAX_JSON_LINE_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, cut_text
from kg.ingest.records import iter_text_records
from kg.ingest.report import IngestReport

from .helpers import read

WORDS = "graph neural networks improve node classification accuracy on citation benchmarks . "


def _long_text(n: int) -> str:
    return (WORDS * (n // len(WORDS) + 1))[:n]


def test_cut_text_keeps_a_prefix_and_ends_after_a_space():
    text = _long_text(10_000)
    kept = cut_text(text, 1_000)
    assert text.startswith(kept) and 900 <= len(kept) <= 1_000 and kept[-1] == " "
    assert cut_text("x" * 50, 10) == "x" * 10  # no space: cut at the limit
    assert cut_text(text, 20_000) is text


def test_long_abstract_in_jsonl_is_cut_with_file_and_line(tmp_path):
    path = tmp_path / "p.jsonl"
    big = _long_text(1_000_000)
    lines = [{"title": "First", "abstract": "Short."}, {"title": "Big one", "abstract": big}, {"title": "Third", "abstract": "Short too."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    papers, report = read(path)
    assert [p.title for p in papers] == ["First", "Big one", "Third"]
    long = papers[1]
    assert len(long.abstract) <= MAX_ABSTRACT_CHARS and big.startswith(long.abstract[:1000])
    (warning,) = [p for p in report.problems if "limit" in p.reason]
    assert warning.severity == "warning" and warning.line == 2 and warning.file.endswith("p.jsonl")
    assert "1,000,000 characters" in warning.reason


def test_long_title_is_cut(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"title": _long_text(50_000), "abstract": "A."}) + "\n")
    (paper,), report = read(path)
    assert len(paper.title) <= MAX_TITLE_CHARS
    assert any("title of 50,000 characters" in p.reason for p in report.problems)


def test_ten_megabyte_csv_field_is_cut_not_parsed_into_the_build(tmp_path):
    path = tmp_path / "p.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "abstract"])
        writer.writerow(["Before", "Fine."])
        writer.writerow(["Huge", _long_text(10_000_000)])
        writer.writerow(["After", "Fine too."])
    papers, report = read(path)
    assert [p.title for p in papers] == ["Before", "Huge", "After"]
    assert len(papers[1].abstract) <= MAX_ABSTRACT_CHARS
    assert [(p.line, p.severity) for p in report.problems] == [(3, "warning")]


def test_json_line_over_the_limit_is_refused_unparsed(tmp_path):
    path = tmp_path / "p.jsonl"
    huge = json.dumps({"title": "Huge", "abstract": "x " * (MAX_JSON_LINE_CHARS // 2)})
    path.write_text(json.dumps({"title": "Before", "abstract": "A."}) + "\n" + huge + "\n" + json.dumps({"title": "After", "abstract": "B."}) + "\n")
    papers, report = read(path)
    assert [p.title for p in papers] == ["Before", "After"]
    (error,) = report.errors
    assert error.line == 2 and "longer than the limit" in error.reason and "not parsed" in error.reason


def test_openalex_positions_are_counted_before_rebuilding(tmp_path):
    n = 2_000_000
    index = {"alpha": list(range(0, n, 2)), "beta": list(range(1, n, 2))}
    path = tmp_path / "works.jsonl"
    records = [
        {"id": "https://openalex.org/W1", "title": "Huge index", "abstract_inverted_index": index},
        {"id": "https://openalex.org/W2", "title": "Normal", "abstract_inverted_index": {"Fine": [0], "work": [1]}},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    papers, report = read(path, format="openalex")
    assert [p.title for p in papers] == ["Huge index", "Normal"]
    assert papers[0].abstract.startswith("alpha beta alpha beta") and len(papers[0].abstract) <= MAX_ABSTRACT_CHARS
    assert papers[1].abstract == "Fine work"
    reasons = [p.reason for p in report.problems if p.line == 1]
    assert any(f"2,000,000 positions, more than the limit of {MAX_INDEX_POSITIONS:,}" in r for r in reasons)


def test_kg_extract_records_are_cut_to_a_prefix(tmp_path):
    path = tmp_path / "r.jsonl"
    text = _long_text(300_000)
    path.write_text(json.dumps({"id": "a", "text": text}) + "\n" + json.dumps({"id": "b", "text": "Short."}) + "\n")
    report = IngestReport()
    records = list(iter_text_records(path, report))
    assert [rid for rid, _ in records] == ["a", "b"]
    assert len(records[0][1]) <= MAX_TEXT_CHARS and text.startswith(records[0][1])
    assert [(p.line, p.severity) for p in report.problems] == [(1, "warning")]


def _bib(tmp_path, text: str):
    path = tmp_path / "refs.bib"
    path.write_text(text)
    return read(path)


GOOD_BEFORE = """@article{before,
  title = {Attention Is All You Need},
  journal = nips,
  abstract = {We propose the Transformer.},
  year = 2017, month = jun
}
"""
GOOD_AFTER = """@article{after,
  title = {BERT},
  abstract = {We pre-train deep bidirectional transformers.}
}
"""


def _bomb(levels: int) -> str:
    """Nested doubling macros: ``s{levels}`` expands to 2**levels copies of ``s0``'s text."""
    lines = ['@string{s0 = "0123456789"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_bibtex_string_bomb_is_refused_and_good_entries_survive(tmp_path):
    # s30 would be 10 GiB; 1.1 kB of such BibTeX became 954 MB before (issue 16)
    text = '@string{nips = "Advances in NeurIPS"}\n' + GOOD_BEFORE + _bomb(30) + "@article{bomb, title = {Boom}, abstract = s30}\n" + GOOD_AFTER
    papers, report = _bib(tmp_path, text)
    assert [p.title for p in papers] == ["Attention Is All You Need", "BERT"]
    assert papers[0].venue == "Advances in NeurIPS" and papers[0].date == "2017-06"  # macros still expand
    bomb_line = text.splitlines().index("@article{bomb, title = {Boom}, abstract = s30}") + 1
    refused = [p for p in report.problems if "more than 1,000,000 characters" in p.reason]
    first_too_long = text.splitlines().index("@string{s17 = s16 # s16}") + 1  # 10 * 2**17 > 1,000,000
    assert refused and refused[0].line == first_too_long and "'s17'" in refused[0].reason
    (error,) = report.errors
    assert error.line == bomb_line and "'s30'" in error.reason


def test_failing_bibtex_string_is_reported_with_its_line(tmp_path):
    text = GOOD_BEFORE.replace("journal = nips,", "") + '@string{broken = "no end}\n' + '@string{undefined_use = nowhere # "x"}\n' + GOOD_AFTER
    papers, report = _bib(tmp_path, text)
    assert [p.title for p in papers] == ["Attention Is All You Need", "BERT"]
    lines = text.splitlines()
    by_line = {p.line: p.reason for p in report.problems}
    assert "@string not read" in by_line[lines.index('@string{broken = "no end}') + 1]
    assert "'nowhere' is not defined" in by_line[lines.index('@string{undefined_use = nowhere # "x"}') + 1]


def test_bibtex_string_cycle_is_reported(tmp_path):
    text = '@string{a = "x"}\n@string{b = a}\n@string{a = b}\n@article{x, title = a, abstract = {A.}}\n' + GOOD_AFTER
    papers, report = _bib(tmp_path, text)
    assert [p.title for p in papers] == ["BERT"]
    assert any("refers to itself" in p.reason and p.line == 3 for p in report.problems)
    assert [p.line for p in report.errors] == [4]


def test_long_literal_bibtex_abstract_keeps_its_first_part(tmp_path):
    # a plain value (no macro) is not an expansion: it is cut like any abstract
    text = GOOD_BEFORE.replace("journal = nips,", "") + "@article{big, title = {Big}, abstract = {" + _long_text(2_000_000) + "}}\n" + GOOD_AFTER
    papers, report = _bib(tmp_path, text)
    assert [p.title for p in papers] == ["Attention Is All You Need", "Big", "BERT"]
    assert len(papers[1].abstract) <= MAX_ABSTRACT_CHARS
    assert [(p.line, p.severity) for p in report.problems] == [(7, "warning")]


def test_bibtex_entry_over_the_limit_is_refused_unparsed(tmp_path):
    from kg.ingest.limits import MAX_BIBTEX_ENTRY_CHARS

    body = (_long_text(1_000) + "\n") * (MAX_BIBTEX_ENTRY_CHARS // 1_000 + 10)
    text = GOOD_AFTER + "@article{big, title = {Big}, abstract = {\n" + body + "}}\n" + GOOD_BEFORE.replace("journal = nips,", "")
    papers, report = _bib(tmp_path, text)
    assert [p.title for p in papers] == ["BERT", "Attention Is All You Need"]
    (error,) = report.errors
    assert error.line == 5 and "not parsed" in error.reason
