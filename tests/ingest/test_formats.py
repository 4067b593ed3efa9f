"""Each reader on a small hand-written file shaped like the real format."""

from __future__ import annotations

import gzip
import json

import pytest

from kg.ingest import IngestReport, iter_papers, read_file
from kg.ingest.registry import detect_format, load_readers

from .helpers import DATA, read


def test_registry_has_every_format_the_cli_names():
    assert set(load_readers()) == {"daily", "jsonl", "json", "arxiv", "csv", "tsv", "bibtex", "atom", "openalex", "s2",
                                   "ris", "medline", "pubmed", "jats", "wos", "csl", "crossref"}


@pytest.mark.parametrize(
    "name, head, expected",
    [
        ("a.txt", b"new\n\nGet trending papers", "daily"),
        ("a.txt", b'{"title": "x"}\n', "jsonl"),
        ("a.jsonl", b'{"title": "x"}\n', "jsonl"),
        ("snapshot.json", b'{"id": "0704.0001"}\n', "json"),
        ("a.csv", b"id,title\n", "csv"),
        ("a.tsv", b"id\ttitle\n", "tsv"),
        ("refs.bib", b"@article{", "bibtex"),
        ("feed.xml", b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "atom"),
        ("noext", b'<?xml version="1.0"?><!-- arXiv --><feed>', "atom"),
        ("noext", b"@misc{x,", "bibtex"),
        ("noext", b"[{", "json"),
        ("noext", b"title,abstract\n", "csv"),
        ("noext", b"title\tabstract\n", "tsv"),
        ("a.jsonl.gz", b"", "jsonl"),
        ("listing.txt", b"Daily Papers\nTitle, with a comma\nAbstract.", "daily"),
        ("listing.txt", b"Title, with a comma\nAbstract.", None),  # no page marker: refused, never a listing by default
    ],
)
def test_detect_format(tmp_path, name, head, expected):
    assert detect_format(tmp_path / name, head) == expected


def test_arxiv_api_atom():
    papers, report = read(DATA / "arxiv_api.xml")
    assert report.problems == []
    pointer, h1, assouad = papers
    assert pointer.id == "arxiv:1506.03134" and pointer.arxiv_id == "1506.03134"
    assert pointer.date == "2015-06-09" and pointer.date_text == "2015-06-09T19:41:29Z"
    assert pointer.authors == ("Oriol Vinyals", "Meire Fortunato", "Navdeep Jaitly")
    assert pointer.categories == ("stat.ML", "cs.CG", "cs.LG", "cs.NE")  # primary first, no repeat
    assert pointer.url == "http://arxiv.org/abs/1506.03134v2"
    assert pointer.abstract.startswith("We introduce a new neural architecture to learn the conditional probability of an")
    assert "\n" not in pointer.abstract and "  " not in pointer.abstract
    assert h1.id == "arxiv:hep-ex/0307015" and h1.doi == "10.1140/epjc/s2003-01326-x"
    assert h1.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert h1.venue == "Eur.Phys.J. C31 (2003) 17-29"
    assert assouad.abstract.startswith("Let d∈ℕ and let φ:(0,1)→[0,d].")
    assert "0<λ<θ<1" in assouad.abstract
    assert [p.source_line for p in papers] == [10, 39, 62]


def test_arxiv_snapshot():
    papers, report = read(DATA / "arxiv_snapshot.jsonl")
    assert report.problems == []
    diphoton, attention, latex = papers
    assert diphoton.id == "arxiv:0704.0001"
    assert diphoton.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert diphoton.date == "2007-04-02"  # version 1, not update_date
    assert diphoton.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert diphoton.doi == "10.1103/physrevd.76.013009" and diphoton.venue == "Phys.Rev.D76:013009,2007"
    assert diphoton.abstract.startswith("A fully differential calculation in perturbative quantum chromodynamics is presented")
    assert "next-to-leading order" in diphoton.abstract
    assert attention.categories == ("cs.CL", "cs.LG") and attention.date == "2017-06-12"
    # LaTeX made readable; no versions: the month the id encodes
    assert latex.title == "The α-divergence of Graph Neural Networks: an O(n^2) bound"
    assert latex.abstract == ("We study the α-divergence of graph neural networks (GNNs) on Schrödinger-type graphs "
                              "and prove an O(n^2) bound for 10% of nodes.")
    assert latex.date == "2021-01" and latex.date_text is None


#: Text with backslashes and dollars that is not LaTeX in a JSON or CSV file.
NOT_LATEX = 'He wrote \\" and left; $5 and $10; C:\\new \\emph{x} $\\alpha$'


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "s2", "openalex"])
def test_latex_is_read_as_latex_only_where_the_source_is_latex(tmp_path, fmt):
    """JSON, CSV, Semantic Scholar and OpenAlex text keeps its backslashes as written; BibTeX and
    the arXiv snapshot (LaTeX sources) are made readable."""
    words = NOT_LATEX.split(" ")
    record = {
        "jsonl": {"title": "A title", "abstract": NOT_LATEX},
        "csv": None,
        "s2": {"paperId": "abc", "title": "A title", "abstract": NOT_LATEX},
        "openalex": {"id": "https://openalex.org/W1", "title": "A title",
                     "abstract_inverted_index": {w: [i for i, x in enumerate(words) if x == w] for w in words}},
    }[fmt]
    path = tmp_path / f"papers.{'csv' if fmt == 'csv' else 'jsonl'}"
    if fmt == "csv":
        path.write_text('title,abstract\nA title,"' + NOT_LATEX.replace('"', '""') + '"\n')
    else:
        path.write_text(json.dumps(record) + "\n")
    papers, report = read(path, format=fmt)
    assert [p.abstract for p in papers] == [NOT_LATEX], report.problems
    # the LaTeX sources: the same text is LaTeX there and is converted
    (tmp_path / "refs.bib").write_text("@article{k, title={A title}, abstract={Schr\\\"odinger \\emph{x} $\\alpha$}}\n")
    bib, _ = read(tmp_path / "refs.bib")
    assert bib[0].abstract == "Schrödinger x α"
    (tmp_path / "arxiv.jsonl").write_text(json.dumps({"id": "2101.00001", "title": "A title", "abstract": "Schr\\\"odinger \\emph{x} $\\alpha$",
                                                       "categories": "cs.LG", "versions": [], "authors_parsed": []}) + "\n")
    arxiv, _ = read(tmp_path / "arxiv.jsonl", format="arxiv")
    assert arxiv[0].abstract == "Schrödinger x α"


def test_arxiv_snapshot_detected_in_json_file_named_like_kaggle(tmp_path):
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    path.write_bytes((DATA / "arxiv_snapshot.jsonl").read_bytes())
    papers, report = read(path)
    assert [p.id for p in papers] == ["arxiv:0704.0001", "arxiv:1706.03762", "arxiv:2101.00001"]
    assert papers[0].date == "2007-04-02"


def test_openalex_page():
    papers, report = read(DATA / "openalex_works.json")
    assert report.problems == []
    oa, attention = papers
    assert oa.id == "doi:10.7717/peerj.4375" and oa.source_id == "https://openalex.org/W2741809807"
    assert oa.abstract == ("Despite growing interest in Open Access (OA) to scholarly literature, there is an unmet need "
                           "for large-scale, up-to-date, and reproducible studies assessing the prevalence and "
                           "characteristics of OA.")
    assert oa.authors == ("Heather Piwowar", "Jason Priem") and oa.venue == "PeerJ" and oa.date == "2018-02-13"
    assert attention.id == "arxiv:1706.03762"  # from the arxiv.org location
    assert [p.source_line for p in papers] == [4, 21]


def test_openalex_single_object_and_jsonl(tmp_path):
    work = json.loads((DATA / "openalex_works.json").read_text())["results"][0]
    (tmp_path / "one.json").write_text(json.dumps(work))
    (tmp_path / "works.jsonl").write_text("\n".join(json.dumps(w) for w in json.loads((DATA / "openalex_works.json").read_text())["results"]))
    one, _ = read(tmp_path / "one.json")
    many, _ = read(tmp_path / "works.jsonl")
    assert [p.id for p in one] == ["doi:10.7717/peerj.4375"]
    assert [p.id for p in many] == ["doi:10.7717/peerj.4375", "arxiv:1706.03762"]


def test_semantic_scholar_page():
    papers, report = read(DATA / "s2_papers.json")
    attention, bert, brain = papers
    assert attention.id == "arxiv:1706.03762" and attention.source_id == "204e3073870fae3d05bcbc2f6a8e263d9b72e776"
    assert attention.venue == "Neural Information Processing Systems" and attention.date == "2017-06-12"
    assert attention.authors == ("Ashish Vaswani", "Noam M. Shazeer") and attention.categories == ("Computer Science",)
    assert bert.doi == "10.18653/v1/n19-1423" and bert.arxiv_id == "1810.04805" and bert.date == "2019"
    assert brain.venue == "Nature Reviews Neuroscience" and brain.abstract == ""
    assert [(p.line, p.severity, p.reason) for p in report.problems] == [(33, "warning", "missing abstract; record kept")]


def test_semantic_scholar_nested_records_are_counted_once_per_file():
    """Nested ``citations`` / ``references`` are not papers by default: one warning says how many
    there are (with a title or not) and names the option that reads them."""
    papers, report = read(DATA / "s2_nested.json")
    assert [p.id for p in papers] == ["arxiv:1706.03762", "doi:10.18653/v1/n19-1423"]
    nested = json.loads((DATA / "s2_nested.json").read_text())
    records = [r for paper in nested for key in ("citations", "references") for r in paper.get(key, [])]
    assert len(records) == 5 and sum(bool(r.get("title")) for r in records) == 4
    assert [(p.line, p.severity, p.reason) for p in report.problems] == [
        (None, "warning", "5 nested Semantic Scholar records (citations: 2, references: 3; 4 with a title) "
                          "not read; --s2-nested reads them as papers"),
    ]
    assert report.records_read == 2


@pytest.mark.parametrize("fmt", [None, "s2", "json"])
def test_semantic_scholar_nested_records_read_with_s2_nested(fmt):
    """``s2_nested=True``: every nested record with a title is a paper, problems name the nested
    record, and they de-duplicate with the top-level papers like any other record."""
    path = DATA / "s2_nested.json"
    papers, report = read(path, format=fmt, s2_nested=True)
    assert [p.title for p in papers] == [
        "Attention is All you Need",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Neural Machine Translation by Jointly Learning to Align and Translate",
        "Long Short-Term Memory",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "Attention Is All You Need",
    ]
    assert [p.source_line for p in papers] == [2, 2, 2, 2, 32, 32]  # the line of the top-level paper
    assert papers[1].id == "arxiv:1810.04805" and papers[1].doi == "10.18653/v1/n19-1423" and papers[1].date == "2018"
    assert papers[2].id == "arxiv:1409.0473" and papers[2].date == "2014-09-01"
    assert papers[3].source_id is None and papers[3].date == "1997" and papers[3].abstract == ""
    assert [(p.line, p.severity, p.reason) for p in report.problems] == [
        (2, "error", "citations[1]: missing title; record skipped"),
        (2, "warning", "references[1]: missing abstract; record kept"),
        (32, "warning", "references[0]: missing abstract; record kept"),
    ]
    assert str(report.problems[0]) == f"{path}:2: citations[1]: missing title; record skipped"

    report = IngestReport()
    merged = list(iter_papers([path], format=fmt, s2_nested=True, report=report))
    assert [p.id for p in merged] == ["arxiv:1706.03762", "arxiv:1810.04805", "arxiv:1409.0473", papers[3].id]
    assert merged[1].date == "2018-10-11"  # completed from the top-level record of the same DOI
    assert (report.records_read, report.duplicates, report.skipped) == (7, 2, 1)


def test_bibtex():
    papers, report = read(DATA / "refs.bib")
    attention, bert, erdos, noabs = papers
    assert attention.title == "Attention is All you Need" and attention.date == "2017-12"
    assert attention.venue == "Advances in Neural Information Processing Systems"  # @string macro
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")  # "and others" dropped
    assert attention.abstract.endswith("We propose the Transformer, based solely on attention mechanisms.")
    assert bert.title.startswith("BERT: Pre-training") and bert.arxiv_id == "1810.04805" and bert.id == "arxiv:1810.04805"
    assert bert.categories == ("language models", "pre-training") and bert.source_id == "devlin2018bert"
    assert erdos.authors == ("Paul Erdős", "Alfréd Rényi") and erdos.title == "On random graphs I"
    assert erdos.doi == "10.5486/pmd.1959.6.3-4.12" and erdos.date == "1959"
    assert erdos.abstract == "We study random graphs G_(n,N) with n vertices and N edges; naïve bounds hold for 10% of them."
    assert noabs.abstract == "" and noabs.url == "https://example.org/paper"
    assert [(p.line, p.severity) for p in report.problems] == [(40, "warning")]
    assert [p.source_line for p in papers] == [4, 16, 29, 40]


def test_csv_and_tsv():
    papers, report = read(DATA / "papers.csv")
    assert report.problems == []
    gnn = papers[0]
    assert gnn.authors == ("Jie Zhou", "Ganqu Cui", "Shengding Hu") and gnn.date == "2020"
    assert gnn.doi == "10.1016/j.aiopen.2021.01.001" and gnn.venue == "AI Open"
    assert gnn.categories == ("graph neural networks", "survey") and papers[1].categories == ("computer vision",)
    tsv, report = read(DATA / "papers.tsv")
    assert report.problems == []
    assert [p.id for p in tsv] == ["arxiv:1806.07366", "arxiv:1607.06450"]  # summary / published / arxiv_id by default names
    assert tsv[0].abstract.startswith("We introduce a new family") and tsv[0].date == "2018-06-19"


def test_field_overrides(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("Name,Body,When\nA paper,Its text.,2019-05\n")
    papers, report = read(path, fields={"title": "Name", "abstract": "Body", "date": "When"})
    assert [(p.title, p.abstract, p.date) for p in papers] == [("A paper", "Its text.", "2019-05")]
    papers, report = read(path)
    assert papers == [] and "no title column" in report.problems[0].reason


def test_generic_json_and_jsonl():
    papers, report = read(DATA / "papers.json")
    assert report.problems == []
    din, pointer = papers
    assert din.date == "2017-06" and din.authors == ("Guorui Zhou", "Chengru Song")
    assert pointer.id == "arxiv:1506.03134"
    papers, report = read(DATA / "papers.jsonl")
    assert report.problems == []
    auto, pointer, pointer_doi = papers
    assert auto.id == "arxiv:1909.03184"  # arXiv's own DOI names the arXiv paper
    assert pointer.title == "Pointer Networks" and pointer.authors == ("Oriol Vinyals", "Meire Fortunato", "Navdeep Jaitly")
    assert pointer_doi.doi == "10.5555/2969442.2969540"


def test_gzip_input(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    path.write_bytes(gzip.compress((DATA / "papers.jsonl").read_bytes()))
    papers, report = read(path)
    assert len(papers) == 3 and report.problems == []


def test_daily_both_layouts():
    one, report = read(DATA / "daily_layout1.txt")
    assert report.problems == []
    assert [(p.title, p.date, p.date_text, p.source_line) for p in one] == [
        ("Pointer Networks", "--08-05", "Aug 5", 13),
        ("Network In Network", "--08-05", "Aug 5", 17),
    ]
    assert [p.truncated for p in one] == [False, True]  # the second abstract is cut off
    two, report = read(DATA / "daily_layout2.txt")
    assert report.problems == []
    assert [(p.title, p.date, p.source_line) for p in two] == [
        ("Neural Ordinary Differential Equations", None, 3),
        ("Pointer Networks", None, 5),
    ]


def test_cross_format_dedup_merges_and_fills():
    report = IngestReport()
    inputs = [DATA / "daily_layout1.txt", DATA / "arxiv_api.xml", DATA / "papers.json", DATA / "papers.jsonl"]
    papers = {p.title.casefold(): p for p in iter_papers(inputs, report=report)}
    pointer = papers["pointer networks"]
    # first seen in the daily listing (no year); completed from the arXiv API and the JSON files
    assert pointer.source_file.endswith("daily_layout1.txt") and pointer.source_line == 13
    assert pointer.id == "arxiv:1506.03134" and pointer.arxiv_id == "1506.03134"
    assert pointer.date == "--08-05"  # a different date is not a refinement of the listing date
    assert pointer.authors == ("Oriol Vinyals", "Meire Fortunato", "Navdeep Jaitly")
    # the DOI-only "Pointer networks" record of papers.jsonl is the same paper by title
    assert pointer.doi == "10.5555/2969442.2969540"
    assert report.duplicates == 4  # api + json + jsonl x2
    assert report.records_read == 2 + 3 + 2 + 3
    assert len(papers) == 10 - 4


def test_folder_input_sorted_hidden_skipped_unknown_reported(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.jsonl").write_text('{"title": "Zed", "abstract": "Z."}\n')
    (tmp_path / "a.jsonl").write_text('{"title": "Aye", "abstract": "A."}\n')
    (tmp_path / ".hidden.jsonl").write_text('{"title": "Hidden", "abstract": "H."}\n')
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.jsonl").write_text('{"title": "Git", "abstract": "G."}\n')
    (tmp_path / "README.md").write_text("# notes\n")
    report = IngestReport()
    papers = list(iter_papers([tmp_path], report=report))
    assert [p.title for p in papers] == ["Aye", "Zed"]
    assert [(p.severity, p.file.endswith("README.md")) for p in report.problems] == [("warning", True)]


def test_missing_input_is_a_problem_not_a_crash(tmp_path):
    report = IngestReport()
    assert list(iter_papers([tmp_path / "nope.jsonl"], report=report)) == []
    assert report.skipped == 1 and "cannot read" in report.problems[0].reason


def test_unknown_format_and_field_fail_before_reading(tmp_path):
    from kg.ingest import UnknownField, UnknownFormat

    with pytest.raises(UnknownFormat, match="known: arxiv, atom, bibtex"):
        list(iter_papers([tmp_path], format="docx", report=IngestReport()))
    with pytest.raises(UnknownField, match="abstrct"):
        list(iter_papers([tmp_path], fields={"abstrct": "x"}, report=IngestReport()))


def test_forced_format_overrides_extension(tmp_path):
    path = tmp_path / "refs.txt"
    path.write_bytes((DATA / "refs.bib").read_bytes())
    assert len(list(read_file(path, format="bibtex", report=IngestReport()))) == 4


@pytest.mark.parametrize(
    "encoding, warned",
    [("UTF-8", False), ("ISO-8859-1", False), ("cp1252", False), ("Shift_JIS", False), ("TF-8", True),
     ("rot13", True), ("undefined", True), ("\x00UTF-8", True)],
)
def test_atom_declared_encodings(tmp_path, encoding, warned):
    """Whatever the XML declaration names, the entries are read (fuzzing found crashes here)."""
    path = tmp_path / "feed.xml"
    path.write_bytes((DATA / "arxiv_api.xml").read_bytes().replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode()))
    papers, report = read(path)
    assert len(papers) == 3
    assert [p.severity for p in report.problems] == (["warning"] if warned else [])
