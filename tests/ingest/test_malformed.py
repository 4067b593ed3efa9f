"""Robustness corpus: every reader on inputs with one fault each (tests/data/ingest/malformed/).

For each file: the good records are all kept, each bad record is reported exactly once with
the file, its line and a reason, and the counts are exact. Expectations are one table.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import pytest

from kg.ingest import IngestReport, iter_papers
from kg.ingest.limits import MAX_ABSTRACT_CHARS
from kg.pipeline import BuildOptions, InputProblems, load_inputs
from kg.models import BuildStats

from .helpers import MALFORMED, read

FILE_LEVEL = None  # an error about the whole file: no line, or the header's line


@dataclass(frozen=True)
class Expect:
    kept: int
    errors: tuple = ()  # lines of error problems, in order (None: the whole file)
    warnings: tuple = ()  # lines of warning problems, in order
    file_error: bool = False  # the error is about the file, not one record


EXPECTATIONS = {
    "arxiv_api_error.xml": Expect(0, (4,)),
    "bad_values.jsonl": Expect(4, (), (1, 2, 3, 4)),
    "binary_garbage.jsonl": Expect(0, (None,), file_error=True),
    "broken_first_line.json": Expect(2, (1,)),  # JSON Lines named .json: not lost to the first line
    "crlf.jsonl": Expect(3),
    "daily_misaligned.txt": Expect(4, (23,), (17,)),
    "deep_nesting.jsonl": Expect(1, (1,)),
    "dtd_entities.xml": Expect(0, (None,), file_error=True),
    "pubmed_entities.xml": Expect(0, (None,), file_error=True),  # DOCTYPE allowed, entity declarations not
    "embedded_newlines.csv": Expect(4),
    "empty.csv": Expect(0),
    "empty.jsonl": Expect(0),
    "html_in_title.jsonl": Expect(4),
    "invalid_json.jsonl": Expect(3, (2, 3, 5, 6)),
    "invalid_json_array.json": Expect(3, (15,)),
    "latin1.csv": Expect(2, (), (2,)),
    "missing_abstract.csv": Expect(4, (), (3, 4, 5)),
    "missing_closing_tag.xml": Expect(1, (), (10,)),  # fuzzing found a crash here (error outside any entry)
    "missing_title.bib": Expect(1, (1,)),
    "missing_title.jsonl": Expect(1, (1, 2, 3, 4)),
    "no_citation_key.bib": Expect(1, (1,)),
    "no_title_column.csv": Expect(0, (1,), file_error=True),
    "non_utf8_bytes.jsonl": Expect(4, (), (2,)),
    "not_objects.jsonl": Expect(1, (1, 2, 3, 4)),
    "not_well_formed.xml": Expect(3, (11, 25)),
    "nul_bytes.jsonl": Expect(3, (3,)),
    "nul_in_encoding_name.xml": Expect(2, (), (1,)),  # fuzzing found a crash here (ValueError from codecs.lookup)
    "openalex_bad_index.json": Expect(3, (), (2, 2, 9, 9)),
    "ragged_rows.csv": Expect(3, (4,), (3,)),  # one field too many (Scopus): kept; too few: skipped
    "s2_null_records.json": Expect(2, (10,)),
    "semicolon_delimiter.csv": Expect(2),
    "shift_jis.xml": Expect(1),  # an encoding expat does not read itself: transcoded
    "truncated.xml": Expect(1, (11,)),
    "truncated_array.json": Expect(2, (28,)),
    "truncated_gzip.jsonl.gz": Expect(20, (21,), file_error=True),
    "truncated_line.jsonl": Expect(2, (2, 4)),
    "unbalanced_braces.bib": Expect(2, (7,)),
    "unknown_encoding.xml": Expect(2, (), (1,)),  # fuzzing found a crash here (LookupError from expat)
    "unterminated_quote.csv": Expect(3, (3,)),
    "utf16_bom.jsonl": Expect(2),
    "utf8_bom.csv": Expect(2),
    "utf8_bom.jsonl": Expect(2),
    "wrong_field_types.jsonl": Expect(6, (1, 3, 4, 9), (2, 5, 6, 7, 8)),
    "zero_width_rtl.jsonl": Expect(5),
}

_GOOD_RE = re.compile(r"(?:First |Third |Fourth )?Good (?:record|entry|paper|work|Paper)(?: (?:\d+|one|two|three))?")


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in MALFORMED.iterdir()) == sorted(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_malformed_file(name):
    expect = EXPECTATIONS[name]
    path = MALFORMED / name
    papers, report = read(path)
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity == "warning"]
    assert len(papers) == expect.kept
    assert tuple(p.line for p in errors) == expect.errors, [str(p) for p in errors]
    assert tuple(p.line for p in warnings) == expect.warnings, [str(p) for p in warnings]
    for problem in report.problems:
        assert problem.file == str(path) and problem.reason.strip()
        assert str(problem).startswith(f"{path}:{problem.line}: " if problem.line else f"{path}: ")
    # counts: every record found is a paper or one error; file-level errors are not records
    record_errors = len(errors) - (1 if expect.file_error else 0)
    assert report.records_read == expect.kept + record_errors
    assert report.skipped == len(errors)
    # nothing good is lost: every "Good ..." title written in the file comes out
    if not name.endswith(".gz"):
        text = path.read_bytes().decode("utf-8", "replace").replace("\x00", "")
        good = {m.group(0).strip() for m in _GOOD_RE.finditer(text)}
        lost = [g for g in good if not any(re.match(re.escape(g) + r"(?![\w ])", p.title) for p in papers)]
        assert lost == []


@pytest.mark.parametrize(
    "name, content, looks, works_as",
    [
        ("people.csv", "name,age,city\nAda,36,London\n", "a table without a title column", None),
        ("two.csv", "name,summary\nx,y\n", "a table without a title column", None),
        ("log.csv", "2024-05-01 12:00:01 INFO started\n", "a log file", None),
        ("tabs.csv", "title\tabstract\nA tabbed title\tAn abstract.\n", "TSV (tab-separated) with a header row, which --format tsv reads", "tsv"),
        ("refs.csv", "TY  - JOUR\nTI  - A RIS title\nAB  - An abstract.\nER  - \n", "RIS (Scopus, Web of Science, Zotero, EndNote, PubMed via EndNote), which --format ris reads", "ris"),
        ("notes.tsv", "# Notes\n\nSome text, and more.\n", "Markdown or plain text", None),
    ],
)
def test_table_without_title_column_says_what_it_looks_like_and_both_remedies(tmp_path, name, content, looks, works_as):
    """A file sent to the CSV/TSV reader by its extension, with no title column: one line saying
    what the file looks like, ``--field title=NAME`` and the ``--format`` choices; where the
    content is another format, the ``--format`` it names reads the file."""
    from kg.ingest.registry import load_readers

    path = tmp_path / name
    path.write_text(content)
    papers, report = read(path)
    assert papers == [] and report.records_read == 0 and len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.line, problem.severity) == (1, "error") and "\n" not in str(problem)
    assert f"it looks like {looks};" in problem.reason
    assert "if a column holds the titles, name it with --field title=NAME" in problem.reason
    assert f"if the file is in another format, name it with --format ({', '.join(sorted(load_readers()))}); file skipped" in problem.reason
    if works_as:
        assert [p.title for p in read(path, format=works_as)[0]] == [content.split("\n")[1].split("\t")[0].removeprefix("TI  - ")]


def test_cleaned_values_in_the_corpus():
    titles = lambda name: [p.title for p in read(MALFORMED / name)[0]]  # noqa: E731
    assert titles("html_in_title.jsonl") == [
        "In vivo imaging of H2O & more", "<script>alert(1)</script>", "JATS abstract",
        "<b>Bold</b> claims & &unknownentity; AT&T",
    ]
    assert titles("nul_bytes.jsonl")[:2] == ["Raw NUL byte in a title", "Escaped NUL in a title"]
    zw = titles("zero_width_rtl.jsonl")
    assert zw[0] == zw[4] == "Deep Learning with Zero Width" and zw[1] == "Bidi override attack"
    assert "\u200c" in zw[3]  # the Persian joiner is part of the word
    assert titles("non_utf8_bytes.jsonl")[1] == "Café au lait networks"
    assert titles("latin1.csv")[0] == "Schrödinger bridges for naïve learners"
    assert titles("crlf.jsonl")[1] == "Title with an escaped line break"
    assert titles("embedded_newlines.csv")[2:] == ["Multi line title", 'He said "hi"']
    assert titles("wrong_field_types.jsonl")[0] == "1984"
    assert [p.source_id for p in read(MALFORMED / "utf8_bom.csv")[0]] == ["b1", "b2"]


def test_whole_corpus_as_one_folder_counts_add_up():
    report = IngestReport()
    papers = list(iter_papers([MALFORMED], report=report))
    per_file_kept = sum(e.kept for e in EXPECTATIONS.values())
    assert report.records_read == per_file_kept + sum(len(e.errors) - e.file_error for e in EXPECTATIONS.values())
    assert len(papers) + report.duplicates == per_file_kept
    assert report.skipped == sum(len(e.errors) for e in EXPECTATIONS.values())


def test_abstract_over_spacy_max_length_keeps_its_first_part(tmp_path):
    """spaCy refuses texts over 1,000,000 characters by default; ingest never drops such a record:
    it keeps the first MAX_ABSTRACT_CHARS characters, with one warning naming the line (issue 16)."""
    huge = ("We propose a method. " * 50_000).strip()
    assert len(huge) > 1_000_000
    (tmp_path / "huge.jsonl").write_text(json.dumps({"title": "Huge", "abstract": huge}) + "\n" + json.dumps({"title": "Small", "abstract": "x."}) + "\n")
    (tmp_path / "huge.csv").write_text("title,abstract\nHuge,\"" + huge + "\"\nSmall,x.\n")
    (tmp_path / "huge.txt").write_text("Daily Papers\nHuge\n" + huge + "\nSmall Paper\nA short abstract. It has two sentences and a full stop at the end.\n")
    for name in ("huge.jsonl", "huge.csv", "huge.txt"):
        papers, report = read(tmp_path / name)
        assert [p.title for p in papers] == ["Huge", "Small" if name != "huge.txt" else "Small Paper"], name
        assert huge.startswith(papers[0].abstract) and MAX_ABSTRACT_CHARS - 100 <= len(papers[0].abstract) <= MAX_ABSTRACT_CHARS, name
        assert [(p.line, p.severity) for p in report.problems] == [(1 if name == "huge.jsonl" else 2, "warning")], name  # the txt record starts after its page marker


def test_folder_with_unreadable_entries(tmp_path):
    """A folder whose entries cannot be read: each is one problem, every readable file is read.

    A dangling symbolic link and a FIFO fail as they would for anyone; a chmod-000 file only
    fails when the tests do not run as root (root reads it anyway), so that part is checked
    only then.
    """
    good = {"title": "Readable paper", "abstract": "It is read."}
    (tmp_path / "a_good.jsonl").write_text(json.dumps(good) + "\n")
    os.symlink(tmp_path / "missing-target.jsonl", tmp_path / "b_dangling.jsonl")
    os.mkfifo(tmp_path / "c_fifo.jsonl")
    locked = tmp_path / "d_locked.jsonl"
    locked.write_text(json.dumps({"title": "Locked", "abstract": "x."}) + "\n")
    locked.chmod(0)
    try:
        report = IngestReport()
        papers = list(iter_papers([tmp_path], report=report))
    finally:
        locked.chmod(0o644)
    reasons = {os.path.basename(p.file): p.reason for p in report.problems}
    assert "dangling" in reasons["b_dangling.jsonl"]
    assert "not a regular file" in reasons["c_fifo.jsonl"]
    titles = [p.title for p in papers]
    assert titles[0] == "Readable paper"
    if os.geteuid() == 0:
        assert titles == ["Readable paper", "Locked"] and report.skipped == 2
    else:
        assert titles == ["Readable paper"] and "Permission denied" in reasons["d_locked.jsonl"] and report.skipped == 3


def test_symbolic_links_do_not_lead_out_of_the_input_folder(tmp_path):
    """Links to a folder and to a file outside the input folder are not followed, and each is
    reported; a link to a file inside the folder is read; a link named as input is read."""
    outside = tmp_path / "outside"
    (outside / "system").mkdir(parents=True)
    secret = {"title": "Secret paper outside the root", "abstract": "Private."}
    (outside / "secret.jsonl").write_text(json.dumps(secret) + "\n")
    (outside / "system" / "passwd.jsonl").write_text(json.dumps({"title": "System file", "abstract": "x."}) + "\n")
    root = tmp_path / "papers"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.jsonl").write_text(json.dumps({"title": "Paper inside", "abstract": "It is read."}) + "\n")
    os.symlink(outside / "system", root / "etc")  # a folder outside
    os.symlink(root / "sub", root / "sub-again")  # a folder inside: not followed either
    os.symlink(outside / "secret.jsonl", root / "secret.jsonl")  # a file outside
    os.symlink("sub/a.jsonl", root / "z_inside.jsonl")  # a file inside (relative link)
    report = IngestReport()
    papers = list(iter_papers([root], report=report))
    assert [p.title for p in papers] == ["Paper inside"]  # the inside link is read (merged as a duplicate)
    assert report.duplicates == 1
    reasons = {os.path.basename(p.file): p.reason for p in report.problems}
    assert set(reasons) == {"etc", "sub-again", "secret.jsonl"}
    assert "not followed" in reasons["etc"] and str(outside / "system") in reasons["etc"]
    assert "outside the input folder" in reasons["secret.jsonl"] and str(outside / "secret.jsonl") in reasons["secret.jsonl"]
    assert all(p.severity == "warning" for p in report.problems)
    # named explicitly, a link is read wherever it points
    papers = list(iter_papers([root / "secret.jsonl"], report=IngestReport()))
    assert [p.title for p in papers] == ["Secret paper outside the root"]


def test_a_file_that_changes_while_it_is_read_gets_a_warning(tmp_path):
    """Appended to (a download still running), or rewritten in place with the same size: one
    warning for the file; a file left alone gets none."""
    from kg.ingest import read_file

    line = lambda i: json.dumps({"title": f"Paper {i}", "abstract": "It is read."}) + "\n"  # noqa: E731
    growing = tmp_path / "growing.jsonl"
    growing.write_text("".join(line(i) for i in range(3)))
    report = IngestReport()
    papers = read_file(growing, report=report)
    next(papers)
    with open(growing, "a") as fh:
        fh.write(line(3))
    rest = list(papers)
    assert len(rest) >= 2
    changed = [p for p in report.problems if "while it was read" in p.reason]
    assert len(changed) == 1 and changed[0].severity == "warning" and changed[0].file == str(growing)
    assert "changed size" in changed[0].reason

    rewritten = tmp_path / "rewritten.jsonl"
    rewritten.write_text(line(0) + line(1))
    report = IngestReport()
    papers = read_file(rewritten, report=report)
    next(papers)
    info = rewritten.stat()
    with open(rewritten, "r+") as fh:
        fh.write(line(2))  # same length as line(0)
    os.utime(rewritten, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    list(papers)
    assert ["was modified" in p.reason for p in report.problems] == [True]

    report = IngestReport()
    assert len(list(read_file(growing, report=report))) == 4 and report.problems == []


def test_strict_fails_on_errors_not_on_warnings(tmp_path):
    """--strict: pipeline.load_inputs raises InputProblems (CLI exit 3) on any error problem."""
    seen = []
    options = BuildOptions(inputs=[MALFORMED / "invalid_json.jsonl"], strict=True, on_problem=seen.append)
    with pytest.raises(InputProblems) as info:
        load_inputs(options, BuildStats())
    assert [p.line for p in info.value.problems] == [2, 3, 5, 6] and len(seen) == 4
    # warnings only: strict passes
    stats = BuildStats()
    papers = load_inputs(BuildOptions(inputs=[MALFORMED / "missing_abstract.csv"], strict=True), stats)
    assert len(papers) == 4 and stats.skipped == 0 and len(stats.problems) == 3
    # not strict: the errors are reported and the good records kept
    stats = BuildStats()
    papers = load_inputs(BuildOptions(inputs=[MALFORMED / "invalid_json.jsonl"]), stats)
    assert len(papers) == 3 and stats.skipped == 4 and stats.records_read == 7


def test_report_semantics():
    from kg.ingest.report import Where
    from kg.models import Problem

    seen = []
    report = IngestReport(on_problem=seen.append)
    report.add(Problem("f.jsonl", 3, "bad"))
    report.report(Problem("f.jsonl", 4, "odd", severity="warning"))
    report.error(Where("f.jsonl"), "cannot read file", record_level=False)
    assert report.skipped == 2 and report.records_read == 0 and len(seen) == 3
    assert [p.severity for p in report.errors] == ["error", "error"]
