"""The bundled sample: five "Daily Papers" dumps, 552 listings, 468 distinct papers."""

from __future__ import annotations

import re
from collections import Counter

from kg.ingest import SAMPLE_DIR, IngestReport, iter_papers, read_file


def test_sample_counts():
    report = IngestReport()
    papers = list(iter_papers([SAMPLE_DIR], report=report))
    assert report.records_read == 552
    assert len(papers) == 468
    assert report.duplicates == 552 - 468
    assert report.problems == [] and report.skipped == 0
    assert len({p.id for p in papers}) == 468
    assert all(p.id.startswith("title:") and re.fullmatch(r"title:[0-9a-f]{16}", p.id) for p in papers)


def test_sample_layouts_dates_and_lines():
    files = sorted(SAMPLE_DIR.glob("*.txt"))
    assert len(files) == 5
    per_file = {}
    for path in files:
        report = IngestReport()
        papers = list(read_file(path, report=report))
        per_file[path.name[:3]] = papers
        assert report.problems == []
        # every record is a title line followed by its abstract line
        lines = path.read_text(encoding="utf-8").split("\n")
        for paper in papers:
            title_line = lines[paper.source_line - 1]
            assert paper.title in title_line  # "SubscribeTitle" on the first line of layout 2
            assert not paper.title.startswith("Subscribe")
            following = [l for l in lines[paper.source_line:] if l.strip()][0]
            assert paper.abstract == " ".join(following.split())
    assert [len(per_file[k]) for k in sorted(per_file)] == [44, 39, 47, 209, 213]
    assert {p.date for p in per_file["000"]} == {"--08-05"} and {p.date_text for p in per_file["000"]} == {"Aug 5"}
    assert {p.date for p in per_file["001"]} == {"--08-14"}
    assert {p.date for p in per_file["002"]} == {"--07-29"}
    assert {p.date for p in per_file["003"]} == {None} and {p.date for p in per_file["004"]} == {None}
    assert per_file["003"][0].title == "Variational Learning is Effective for Large Deep Networks"
    assert per_file["003"][0].source_line == 3


def test_sample_duplicates_keep_the_first_listing():
    report = IngestReport()
    papers = {p.title: p for p in iter_papers([SAMPLE_DIR], report=report)}
    first_file: dict[str, str] = {}
    counts = Counter()
    for path in sorted(SAMPLE_DIR.glob("*.txt")):
        for paper in read_file(path, report=IngestReport()):
            counts[paper.title] += 1
            first_file.setdefault(paper.title, path.name)
    repeated = [title for title, n in counts.items() if n > 1]
    assert len(repeated) > 10, "the sample has papers listed more than once"
    for title in repeated:
        assert papers[title].source_file.endswith(first_file[title])


def test_sample_truncation_flag_is_rare_and_reasoned():
    papers = list(iter_papers([SAMPLE_DIR], report=IngestReport()))
    flagged = [p for p in papers if p.truncated]
    assert len(flagged) <= 5
    for paper in flagged:
        assert paper.abstract[-1] not in ".!?)"
