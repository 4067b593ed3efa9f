"""Clean-up, ids, dates and de-duplication rules, one small case each."""

from __future__ import annotations

import pytest

from kg.ingest import IngestReport
from kg.ingest.clean import clean_text, looks_truncated, strip_invisible, strip_markup
from kg.ingest.dates import parse_date, refines, year_month
from kg.ingest.dedup import deduplicate
from kg.ingest.ids import normalise_arxiv_id, normalise_doi, normalise_title, paper_id, title_hash
from kg.ingest.latex import latex_to_text
from kg.models import Paper


@pytest.mark.parametrize(
    "raw, latex, expected",
    [
        ("Calculation of prompt diphoton\n  production", "always", "Calculation of prompt diphoton production"),
        ("A multi-\nlayer perceptron", "always", "A multi-layer perceptron"),
        ("\\emph{BERT} and \\textbf{GPT}", "always", "BERT and GPT"),
        ("Schr\\\"odinger, Erd\\H{o}s, \\'{e}t\\'e, \\c{c}a, {\\aa}ngstr{\\\"o}m", "always", "Schrödinger, Erdős, été, ça, ångström"),
        ("$\\alpha$-divergence with $\\mathcal{O}(n \\log n)$ cost", "always", "α-divergence with O(n log n) cost"),
        ("Top-1 accuracy of 90\\%~on ImageNet -- and more", "always", "Top-1 accuracy of 90% on ImageNet -- and more"),
        ("{BERT}: {P}re-training", "always", "BERT: Pre-training"),
        ("Code: https://github.com/a/b~c", "always", "Code: https://github.com/a/b~c"),
        ("costs $5 and $10", "auto", "costs $5 and $10"),
        ("C:\\Users\\x and {braces}", "auto", "C:\\Users\\x and {braces}"),
        ("The $F_1$ score", "auto", "The F_1 score"),
        ("<i>In vivo</i> H<sub>2</sub>O &amp; co", "auto", "In vivo H2O & co"),
        ("<script>alert(1)</script>", "auto", "<script>alert(1)</script>"),
        ("x\x00y\u200bz\u202e\u202c\ufeff", "auto", "xyz"),
        ("e\u0301te\u0301", "never", "été"),  # NFC
        ("a\u00a0b\u2009c\u3000d\u2028e", "never", "a b c d e"),
        ("bad \ud800 surrogate", "never", "bad \ufffd surrogate"),
        ("A-\x1e\u00b2 and multi-\u2028layer", "never", "A-\u00b2 and multi-layer"),  # line boundaries join hyphens
        ("a\x0bb\x1fc\x85d", "never", "a b c d"),
    ],
)
def test_clean_text(raw, latex, expected):
    assert clean_text(raw, latex=latex) == expected


def test_joiners_kept_only_between_non_ascii_letters():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert strip_invisible(persian) == persian
    assert strip_invisible("A\u200cB \u200dx") == "AB x"


def test_entities_only_with_semicolon_and_markup_whitelist():
    assert strip_markup("x&para=1 &copy; &#233; &#x26;") == "x&para=1 © é &"
    assert strip_markup("<jats:p>One</jats:p><jats:p>Two</jats:p>").split() == ["One", "Two"]
    assert strip_markup("<iframe src=x></iframe>") == "<iframe src=x></iframe>"


def test_latex_never_loops_on_nested_or_broken_input():
    assert latex_to_text("{" * 50 + "x" + "}" * 50) == "x"
    assert latex_to_text("\\frac{\\frac{a}{b}}{c}") == "(a/b)/c"
    assert isinstance(latex_to_text("\\" * 101 + "{}$$" * 30), str)


@pytest.mark.parametrize(
    "abstract, truncated",
    [
        ("We propose X. It works.", False),
        ("We propose X. Results show that the", True),
        ("Code is at https://github.com/a/b", False),
        ("Code at econ.is.tue.mpg.de", False),
        ("We study graphs...", True),
        ("We study graphs…", True),
        ("It works (mostly)", False),
        ("", False),
    ],
)
def test_looks_truncated(abstract, truncated):
    assert looks_truncated(abstract) is truncated


def test_ids():
    assert paper_id(arxiv_id="arXiv:2101.00001v3", doi="10.1/x", title="t") == "arxiv:2101.00001"
    assert paper_id(doi="https://doi.org/10.1000/ABC") == "doi:10.1000/abc"
    assert paper_id(doi="DOI: 10.1000/ABC") == "doi:10.1000/abc"
    assert paper_id(title="Graph Neural Networks") == "title:" + title_hash("graph neural-networks")
    assert normalise_arxiv_id("https://arxiv.org/pdf/2101.00001v2.pdf") == "2101.00001"
    assert normalise_arxiv_id("HEP-TH/9901001") == "hep-th/9901001"
    assert normalise_doi("10.1000") is None and normalise_doi(None) is None
    assert normalise_title("TimeX++: x") != normalise_title("TimeX: x")
    assert normalise_title("...") == "..."
    with pytest.raises(ValueError):
        paper_id()


@pytest.mark.parametrize(
    "value, iso",
    [
        ("Aug 5", "--08-05"), ("Feb 29", "--02-29"), ("Feb 30", None), ("August 5, 2024", "2024-08-05"),
        ("2021", "2021"), (2021, "2021"), ("2021-03", "2021-03"), ("2021-02-29", None), ("2020-02-29", "2020-02-29"),
        ("2021-01-04T13:46:39Z", "2021-01-04"), ("Mon, 2 Apr 2007 19:18:42 GMT", "2007-04-02"),
        ("yesterday", None), (True, None), ("", None), ("Jun 2017", "2017-06"),
    ],
)
def test_parse_date(value, iso):
    assert parse_date(value) == iso


def test_year_month_and_refines():
    assert year_month("2019", "jun") == "2019-06" and year_month(2019, "13") == "2019" and year_month("x") is None
    assert refines("--08-05", "2024-08-05") and refines(None, "2020") and not refines("2021-03", "2021")


def test_dedup_rules():
    a = Paper(id="title:a", title="Introduction", abstract="A.", doi="10.1/a")
    b = Paper(id="title:b", title="Introduction", abstract="B.", doi="10.1/b")  # other DOI: another paper
    c = Paper(id="title:c", title="introduction!", abstract="C.")  # no DOI: the first one
    d = Paper(id="arxiv:2101.00001", title="Other title", abstract="", arxiv_id="2101.00001")
    e = Paper(id="doi:10.1/e", title="Yet another title", abstract="Full abstract.", doi="10.1/e", arxiv_id="2101.00001",
              authors=("Ada",), date="2021")
    report = IngestReport()
    out = list(deduplicate([a, b, c, d, e], report))
    assert [p.abstract for p in out] == ["A.", "B.", "Full abstract."]
    assert out[2].title == "Other title" and out[2].doi == "10.1/e" and out[2].authors == ("Ada",)
    assert out[2].id == "arxiv:2101.00001"
    assert report.duplicates == 2


def test_dedup_replaces_truncated_abstract_and_refines_date():
    first = Paper(id="title:x", title="T", abstract="Cut off in the", truncated=True, date="--08-05", date_text="Aug 5")
    later = Paper(id="title:x", title="T", abstract="Cut off in the middle. Full.", date="2024-08-05", date_text="2024-08-05")
    (merged,) = deduplicate([first, later], IngestReport())
    assert merged.abstract == "Cut off in the middle. Full." and not merged.truncated
    assert merged.date == "2024-08-05"


@pytest.mark.parametrize(
    "text",
    ["@" * 20000, "a@" * 10000, "``" * 20000, " " * 20000 + "\\cite{x}", "\\(" * 10000, "\\[" * 10000,
     "$$a" * 10000, "$x" * 10000, "\\cite" * 5000, "\\a " * 10000, "{" * 20000, "x^{" * 10000, "<i " * 10000, "-\n" * 10000],
)
def test_clean_up_is_linear_on_adversarial_text(text):
    """Patterns that made the first regular expressions quadratic (seconds at 20k characters)."""
    import time

    start = time.perf_counter()
    looks_truncated(text)
    clean_text(text, latex="always")
    clean_text(text, latex="auto")
    assert time.perf_counter() - start < 3.0
