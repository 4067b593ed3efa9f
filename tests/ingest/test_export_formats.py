"""The readers of bibliographic exports (RIS, MEDLINE, PubMed XML, JATS, Web of Science,
CSL-JSON, Crossref) on small hand-written files following each format's documentation,
malformed records included, and positive detection: an unknown file is refused."""

from __future__ import annotations

import pytest

from kg.ingest import IngestReport, iter_papers
from kg.ingest.registry import detect_format

from .helpers import DATA, MALFORMED, by_title, read


def _problems(report) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.severity, p.reason) for p in report.problems]


def test_ris_dialects_and_malformed_records():
    papers, report = read(DATA / "refs.ris")
    assert detect_format(DATA / "refs.ris", (DATA / "refs.ris").read_bytes()[:4096]) == "ris"
    gnn, no_end, boswellia = papers
    # Zotero-style tags: T1, A1, Y1, JF, N2 with a continuation line
    assert gnn.title == "Graph neural networks for molecules" and gnn.source_line == 1
    assert gnn.authors == ("Ada Lovelace", "Charles Babbage")
    assert gnn.date == "2020-03-02" and gnn.venue == "Journal of Graphs" and gnn.doi == "10.1000/gnn.1"
    assert gnn.abstract == "We study graph neural networks. The second line of the abstract continues here."
    assert gnn.categories == ("graphs", "molecules") and gnn.url == "https://example.org/gnn"
    # a record with no ER runs to the next TY, with a warning; the record without title is skipped
    assert no_end.title == "A record without an end line" and no_end.date == "2019"
    assert (15, "error", "missing title; record skipped") in _problems(report)
    assert any(line == 22 and "no 'ER  - '" in reason for line, _, reason in _problems(report))
    # PubMed via EndNote: AN is the PMID when DP says NLM; DA refines PY
    assert boswellia.pmid == "21553931" and boswellia.date == "2011-03-01"


def test_medline_text():
    papers, report = read(DATA / "pubmed.nbib")
    assert detect_format(DATA / "pubmed.nbib", b"PMID- 1\n") == "medline"
    cysts, yuzu = papers
    assert cysts.title == "A new decompression device for treating odontogenic cysts using a silicone tube."
    assert cysts.abstract.endswith("RESULTS: It worked well in all cases.")
    assert cysts.date == "2019-11-02" and cysts.doi == "10.1016/j.bjoms.2019.09.011" and cysts.pmid == "31690499"
    assert cysts.authors == ("Masahiro Kimura", "Kenichi Ishibashi") and cysts.categories == ("cysts",)
    assert yuzu.date == "2018" and yuzu.date_text == "2018 Spring" and yuzu.source_line == 22
    assert _problems(report) == [
        (18, "error", "missing title; record skipped"),
        (25, "warning", "not a MEDLINE field line ('this line is not a MEDLINE field'); ignored"),
    ]


def test_pubmed_xml_structured_abstract_and_broken_record():
    papers, report = read(DATA / "pubmed.xml")
    tumour, after = papers
    assert tumour.title == "Regression of a posterior mediastinum tumour."
    assert tumour.abstract == "BACKGROUND: Tumours are rare. METHODS: We report one case. CONCLUSIONS: It regressed."
    assert tumour.authors == ("Masashi Kimura", "The Study Group") and tumour.date == "2019-03"
    assert tumour.pmid == "30576676" and tumour.doi == "10.1016/j.joms.2018.11.016" and tumour.source_line == 4
    assert after.title == "The record after the broken one." and after.date == "2010-05-07"
    assert after.doi == "10.5555/after.broken" and after.source_line == 37
    [problem] = report.problems
    assert problem.line == 27 and problem.severity == "error" and "not well formed" in problem.reason


def test_xml_entities_stay_forbidden_while_doctypes_are_allowed():
    papers, report = read(MALFORMED / "pubmed_entities.xml")
    assert papers == [] and "entity declarations" in report.problems[0].reason


def test_jats_article():
    [paper], report = read(DATA / "jats_article.xml")
    assert report.problems == []
    assert paper.title == "Attention for protein folding"
    assert paper.abstract == "Background: Proteins fold. Results: Attention 1 helps."  # not the summary abstract
    assert paper.authors == ("Marie Curie", "The Folding Consortium")  # the editor left out
    assert paper.date == "2020-03-09" and paper.doi == "10.1371/journal.pone.0000001" and paper.pmid == "12345678"
    assert paper.venue == "PLoS ONE" and paper.source_id == "PMC7654321"


def test_web_of_science_tab_delimited_and_plain_text():
    papers, report = read(DATA / "savedrecs.txt")
    engines, extra = papers
    assert engines.title == "Analytical engines for graph learning" and engines.date == "2019-01-15"
    assert engines.authors == ("Ada Lovelace", "Charles Babbage") and engines.doi == "10.1000/engine.1"
    assert engines.source_id == "WOS:000000000000001" and engines.categories == ("graphs", "engines")
    assert extra.date == "2020-03"
    assert [(p.line, p.severity) for p in report.problems] == [(3, "warning"), (4, "error")]
    [plain], report = read(DATA / "wos_plain.txt")
    assert (plain.title, plain.authors, plain.date, plain.doi) == (engines.title, engines.authors, engines.date, engines.doi)
    assert [(p.line, p.reason) for p in report.problems] == [(18, "missing title; record skipped")]


def test_csl_json_dates_from_issued():
    papers, report = read(DATA / "csl_items.json")
    gnn, raw = papers
    assert gnn.date == "2020-03" and gnn.authors == ("Ada Lovelace", "The GNN Team") and gnn.venue == "Journal of Graphs"
    assert raw.date == "2018-07-01"
    assert (7, "error", "missing title; record skipped") in _problems(report)


def test_crossref_works_page():
    [paper], report = read(DATA / "crossref_works.json")
    assert paper.title == "Single-molecule FRET studies" and paper.abstract == "Oligomers are toxic."
    assert paper.date == "2015-11-19" and paper.venue == "Scientific Reports" and paper.authors == ("Laura Tosatto",)
    assert [p.reason for p in report.problems] == ["missing title; record skipped"]


@pytest.mark.parametrize(
    "name, content, looks",
    [
        ("README.md", "# kg\n\nA knowledge-graph builder.\n\nSee docs/.\n", "Markdown or plain text"),
        ("notes.txt", "Some notes about papers I want to read.\nMore notes.\n", "Markdown or plain text"),
        ("build.log", "2024-05-01 12:00:01 INFO started\n2024-05-01 12:00:02 INFO done\n", "a log file"),
        ("page.xml", "<?xml version='1.0'?><html><body/></html>", "an HTML page"),
        ("people.txt", "name,age,city\nAda,36,London\n", "a table without a title column"),
    ],
)
def test_unknown_files_are_refused_never_read_as_listings(tmp_path, name, content, looks):
    path = tmp_path / name
    path.write_text(content)
    report = IngestReport()
    assert list(iter_papers([path], report=report)) == []
    [problem] = report.problems
    assert problem.severity == "error" and problem.line is None
    assert f"it looks like {looks}" in problem.reason and "--format (" in problem.reason and "ris" in problem.reason


def test_same_paper_from_scopus_pubmed_and_zotero_is_one_node(tmp_path):
    """One paper exported three ways (RIS from Scopus, PubMed XML, CSL-JSON from Zotero), plus a
    MEDLINE record that has only the PMID and a title written differently: one paper."""
    (tmp_path / "scopus.ris").write_text(
        "TY  - JOUR\nTI  - Regression of a Posterior Mediastinum Tumour\nAU  - Kimura, M.\nPY  - 2019\n"
        "DO  - 10.1016/J.JOMS.2018.11.016\nAB  - Scopus abstract.\nER  - \n")
    (tmp_path / "zotero.json").write_text(
        '[{"id": "k", "type": "article-journal", "title": "Regression of a posterior mediastinum tumour",'
        ' "DOI": "https://doi.org/10.1016/j.joms.2018.11.016", "issued": {"date-parts": [[2019, 3, 1]]}}]')
    (tmp_path / "pubmed.nbib").write_text("PMID- 30576676\nTI  - Posterior mediastinum tumour regression (a case).\nDP  - 2019\n")
    report = IngestReport()
    papers = list(iter_papers([DATA / "pubmed.xml", tmp_path], report=report))
    titles = [p.title for p in papers]
    assert titles.count("Regression of a posterior mediastinum tumour.") == 1 and len(papers) == 2, titles
    assert report.duplicates == 3
    merged = by_title(papers)["Regression of a posterior mediastinum tumour."]
    assert merged.pmid == "30576676" and merged.doi == "10.1016/j.joms.2018.11.016" and merged.date == "2019-03-01"


def test_arxiv_snapshot_with_two_dois_keeps_the_first(tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text('{"id": "0704.0001", "title": "T", "abstract": "A.", "authors": "A. B", '
                    '"doi": "10.1103/PhysRevD.76.013009 10.1000/other", "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}], "update_date": "2008-11-13"}\n')
    [paper], report = read(path)
    assert paper.doi == "10.1103/physrevd.76.013009"
    assert [p.reason for p in report.problems] == ["2 DOIs in the doi field ('10.1103/PhysRevD.76.013009 10.1000/other'); the first kept; record kept"]


def test_scopus_csv_row_with_one_field_more_than_its_header_is_kept(tmp_path):
    path = tmp_path / "scopus.csv"
    path.write_text('Authors,Title,Year,DOI,Abstract,Funding Text 1,EID\n'
                    '"Doe J.","Kept despite the shift",2020,10.1000/x,"An abstract.","Funded by A","Funded by B",2-s2.0-1\n'
                    '"Roe R.","A regular row",2021,10.1000/y,"Another.","",2-s2.0-2\n')
    papers, report = read(path)
    assert [(p.title, p.date, p.doi, p.abstract) for p in papers] == [
        ("Kept despite the shift", "2020", "10.1000/x", "An abstract."), ("A regular row", "2021", "10.1000/y", "Another.")]
    assert [(p.line, p.severity) for p in report.problems] == [(2, "warning")]


def test_springer_item_title(tmp_path):
    path = tmp_path / "springer.csv"
    path.write_text('Item Title,Publication Title,Item DOI,Authors,Publication Year\n"A chapter","A book","10.1007/x","A B",2022\n')
    [paper], _ = read(path)
    assert (paper.title, paper.venue, paper.doi, paper.date) == ("A chapter", "A book", "10.1007/x", "2022")


def test_wos_plain_continuation_before_any_field_is_one_error(tmp_path):
    """Found by the property tests: rispy raised KeyError on a continuation line right after PT."""
    path = tmp_path / "savedrecs.txt"
    path.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n   stray continuation\nTI Lost\nER\n\n"
                    "PT J\nTI Kept\nPY 2020\nER\nEF\n")
    [paper], report = read(path)
    assert paper.title == "Kept" and [(p.line, p.severity) for p in report.problems] == [(3, "error"), (8, "warning")]  # 8: no abstract


_PUBMED_RECORD = "<PubmedArticle><MedlineCitation><PMID>{n}</PMID><Article><ArticleTitle>Paper {n}</ArticleTitle>{body}</Article></MedlineCitation></PubmedArticle>\n"
_ATOM_ENTRY = "<entry><id>http://example.org/{n}</id><title>Paper {n}</title>{body}</entry>\n"
_XML_LAYOUTS = {
    "pubmed": ('<?xml version="1.0"?>\n<PubmedArticleSet>\n', "</PubmedArticleSet>\n", _PUBMED_RECORD,
               "<Abstract><AbstractText>Text {n}.</AbstractText></Abstract>", "<Abstract><AbstractText>Text {n}.</Abstract>"),
    "atom": ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n', "</feed>\n", _ATOM_ENTRY,
             "<summary>Text {n}.</summary>", "<summary>Text {n}.</title>"),
}


@pytest.mark.parametrize("fmt", sorted(_XML_LAYOUTS))
def test_xml_readers_resume_after_each_broken_record_and_stray_tag(tmp_path, fmt):
    """PubMed and Atom share one recovery loop: a broken record is one error at its first line,
    a broken tag between records one warning, and every other record is read, with its line."""
    head, tail, record, good, bad = _XML_LAYOUTS[fmt]
    rows = [record.format(n=1, body=good.format(n=1)), record.format(n=2, body=bad.format(n=2)),
            record.format(n=3, body=good.format(n=3)), "<stray a=></stray>\n",
            record.format(n=4, body=good.format(n=4)), record.format(n=5, body=bad.format(n=5)),
            record.format(n=6, body=good.format(n=6))]
    path = tmp_path / f"{fmt}.xml"
    path.write_text(head + "".join(rows) + tail, encoding="utf-8")
    papers, report = read(path, format=fmt)
    assert [(p.title, p.source_line) for p in papers] == [("Paper 1", 3), ("Paper 3", 5), ("Paper 4", 7), ("Paper 6", 9)]
    unit = "record" if fmt == "pubmed" else "entry"
    assert [(p.line, p.severity) for p in report.problems] == [(4, "error"), (6, "warning"), (8, "error")]
    assert all(p.reason.startswith("XML not well formed (mismatched tag: line ") for p in report.problems[::2])
    assert report.problems[1].reason.startswith("XML not well formed (not well-formed (invalid token): line 6,")
    assert report.problems[1].reason.endswith(f"(outside any {unit})")
    assert [p.reason.split("line ")[1].split(",")[0] for p in report.problems] == ["4", "6", "8"]
