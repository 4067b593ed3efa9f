"""Every real export in ../shared/realworld/ (see its PROVENANCE.tsv) is read whole: exactly the
papers it holds, counted here independently with real parsers (csv, json, ElementTree) or the
format's own record markers, with their DOIs, dates and authors where the source has them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import defusedxml.ElementTree as DET
import pytest

from kg.ingest import IngestReport, iter_papers
from kg.ingest.ids import normalise_doi

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT.parent / "shared" / "realworld"

pytestmark = pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is not here")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _ris(path: Path) -> tuple[int, set[str], bool]:
    text = _text(path)
    dois = {normalise_doi(m) for m in re.findall(r"(?:^|[\r\n])DO  - (\S+)", text)}
    return len(re.findall(r"(?:^|[\r\n])TY  - ", text)), dois, True


def _xml(tag: str):
    def count(path: Path) -> tuple[int, set[str], bool]:
        root = DET.parse(path, forbid_dtd=False).getroot()
        records = list(root.iter(tag))
        dois = set()
        for r in records:  # the record's own DOI, not those of its reference list
            own = [e for e in r.iter() if (e.get("EIdType") == "doi" or e.get("pub-id-type") == "doi") and e.text]
            own += [e for e in r.findall("PubmedData/ArticleIdList/ArticleId") if e.get("IdType") == "doi" and e.text]
            if own:
                dois.add(normalise_doi(own[0].text))
        return len(records), dois, True
    return count


def _table(title: str, doi: str | None, delimiter: str = ",", dated: bool = True):
    def count(path: Path) -> tuple[int, set[str], bool]:
        rows = [r for r in csv.DictReader(path.open(encoding="utf-8-sig", newline=""), delimiter=delimiter) if r[title].strip()]
        return len(rows), {normalise_doi(r[doi]) for r in rows if r[doi].strip()} if doi else set(), dated
    return count


def _crossref(path: Path) -> tuple[int, set[str], bool]:
    message = json.loads(_text(path))["message"]
    works = message.get("items", [message])
    return len(works), {normalise_doi(w["DOI"]) for w in works}, True


def _s2(path: Path) -> tuple[int, set[str], bool]:
    papers = [p for p in json.loads(_text(path)) if p is not None]
    return len(papers), {normalise_doi(p["externalIds"]["DOI"]) for p in papers if (p.get("externalIds") or {}).get("DOI")}, True


#: file -> independent count of (papers, DOIs, whether every paper has a date in the source)
COUNTERS = {
    "ris/asreview_scopus.ris": _ris,
    "ris/asreview_pubmed_endnote.txt": _ris,
    "ris/litstudy_example.ris": _ris,
    "pubmed/asreview_pubmed.xml": _xml("PubmedArticle"),
    "jats/biopython_efetch_pmc.xml": _xml("article"),
    "crossref/habanero_works_many_ids.json": _crossref,
    "s2/semanticscholar_batch_with_null.json": _s2,
    "csv/litstudy_ieee.csv": _table("Document Title", "DOI"),
    "csv/litstudy_springer.csv": _table("Item Title", "Item DOI"),
    "csv/asreview_embase.csv": _table("Title", None, dated=False),  # Embase's CSV has no date or DOI column
    "tsv/asreview_generic_tab.tsv": _table("title", None, "\t"),
}


def test_every_realworld_file_has_a_counter():
    files = {str(p.relative_to(REALWORLD)) for p in REALWORLD.rglob("*") if p.is_file() and p.name != "PROVENANCE.tsv"}
    assert files == set(COUNTERS)


@pytest.mark.parametrize("name", sorted(COUNTERS))
def test_realworld_file_builds_with_exactly_its_papers(name):
    path = REALWORLD / name
    expected, dois, dated = COUNTERS[name](path)
    report = IngestReport()
    papers = list(iter_papers([path], report=report))
    assert not [p for p in report.problems if p.severity == "error" and "null" not in p.reason], report.problems
    assert report.records_read - report.skipped == expected and len(papers) + report.duplicates == expected
    assert {p.doi for p in papers if p.doi} == dois
    if dated:
        assert all(p.date and p.year for p in papers), [(p.title, p.date_text) for p in papers if not p.date]
    assert all(p.authors for p in papers) or name.startswith(("jats/", "tsv/"))  # the PMC file is an author-less correction


def test_realworld_s2_batch_holds_no_nested_records():
    """The real batch response was asked for without ``citations`` / ``references`` (it has the
    counts ``citationCount`` / ``referenceCount`` only): no nested warning, and ``s2_nested``
    reads the same papers."""
    path = REALWORLD / "s2/semanticscholar_batch_with_null.json"
    assert not any("citations" in p or "references" in p for p in json.loads(_text(path)) if p)
    report = IngestReport()
    plain = [p.id for p in iter_papers([path], report=report)]
    assert not [p for p in report.problems if "nested" in p.reason]
    assert [p.id for p in iter_papers([path], s2_nested=True, report=IngestReport())] == plain
