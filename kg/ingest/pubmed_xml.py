"""PubMed XML (``--format pubmed``): ``efetch`` output, a ``<PubmedArticleSet>`` of
``<PubmedArticle>`` (and ``<PubmedBookArticle>``) records, DOCTYPE allowed
(:mod:`kg.ingest.xmlrecords`).

Fields: ``MedlineCitation/PMID``; ``Article/ArticleTitle`` (inline markup kept as text);
``Abstract/AbstractText`` - a structured abstract's sections are joined in order, each
prefixed with its ``Label`` (``BACKGROUND: ... METHODS: ...``); date from
``Journal/JournalIssue/PubDate`` (``Year``/``Month``/``Day``, or ``MedlineDate`` such as
``2011 May-Jun``), else ``ArticleDate``; ``AuthorList/Author`` (``ForeName LastName``, or
``CollectiveName``); DOI from ``ELocationID[@EIdType=doi]`` else
``PubmedData/ArticleIdList/ArticleId[@IdType=doi]``; venue ``Journal/Title``; keywords
``KeywordList/Keyword``. Book records use ``BookDocument`` in place of ``MedlineCitation``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.dates import parse_date, year_month
from kg.ingest.medline import medline_date
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.ingest.xmlrecords import iter_xml_records, text_of
from kg.models import Paper

RECORDS = ("PubmedArticle", "PubmedBookArticle")
_RECORD_RE = re.compile(rb"<Pubmed(?:Book)?Article[\s>]")


def structured_abstract(abstract: ET.Element | None) -> str | None:
    """An ``<Abstract>``'s ``AbstractText`` sections joined in order, each after its label.

    >>> e = ET.fromstring('<Abstract><AbstractText Label="AIMS">To test.</AbstractText><AbstractText Label="RESULTS">It <i>works</i>.</AbstractText></Abstract>')
    >>> structured_abstract(e)
    'AIMS: To test. RESULTS: It works.'
    """
    if abstract is None:
        return None
    parts = []
    for section in abstract.findall("AbstractText"):
        text = text_of(section)
        if text is None:
            continue
        label = (section.get("Label") or "").strip()
        parts.append(f"{label}: {text.strip()}" if label and label.upper() not in ("UNLABELLED", "UNASSIGNED") else text.strip())
    return " ".join(parts) or None


def _pub_date(parent: ET.Element | None) -> tuple[str | None, str | None]:
    if parent is None:
        return None, None
    medline = parent.findtext("MedlineDate")
    if medline:
        return medline_date(medline), medline
    year, month, day = parent.findtext("Year"), parent.findtext("Month"), parent.findtext("Day")
    if not year:
        return None, None
    text = " ".join(p for p in (year, month, day) if p)
    if month and day:
        if month.strip().isdigit() and day.strip().isdigit():
            iso = parse_date(f"{year.strip()}-{int(month):02d}-{int(day):02d}")
        else:
            iso = parse_date(f"{month.strip()} {day.strip()}, {year.strip()}")
        return iso or year_month(year, month), text
    return (year_month(year, month) if month else parse_date(year.strip())), text


def _author(element: ET.Element) -> str | None:
    collective = element.findtext("CollectiveName")
    if collective:
        return collective
    last, fore = element.findtext("LastName"), element.findtext("ForeName") or element.findtext("Initials")
    if not last:
        return None
    return f"{fore} {last}" if fore else last


def pubmed_draft(record: ET.Element) -> Draft:
    """A :class:`Draft` from one ``PubmedArticle`` / ``PubmedBookArticle`` element."""
    citation = record.find("MedlineCitation")
    if citation is None:
        citation = record.find("BookDocument")
    citation = citation if citation is not None else record
    article = citation.find("Article")
    holder = article if article is not None else citation
    title = text_of(holder.find("ArticleTitle")) or text_of(holder.find("Book/BookTitle"))
    journal = holder.find("Journal")
    date, date_text = _pub_date(journal.find("JournalIssue/PubDate") if journal is not None else None)
    if date is None:
        date, date_text = _pub_date(holder.find("ArticleDate"))
    if date is None:
        date, date_text = _pub_date(holder.find("Book/PubDate"))
    doi = next((e.text for e in holder.findall("ELocationID") if e.get("EIdType") == "doi" and e.text), None)
    doi = doi or next((e.text for e in record.findall("PubmedData/ArticleIdList/ArticleId") if e.get("IdType") == "doi" and e.text), None)
    pmid = citation.findtext("PMID")
    authors = [name for a in holder.findall("AuthorList/Author") if (name := _author(a))]
    return Draft(
        title=title,
        abstract=structured_abstract(holder.find("Abstract")),
        source_id=pmid,
        date=date_text,
        date_iso=date,
        authors=authors,
        venue=journal.findtext("Title") if journal is not None else None,
        doi=doi,
        pmid=pmid,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid.strip()}/" if pmid and pmid.strip().isdigit() else None,
        categories=[k.text for k in citation.findall("KeywordList/Keyword") if k.text],
        latex="never",
    )


@register("pubmed", description="PubMed XML (PubmedArticleSet, efetch)")
def read_pubmed(source: Source) -> Iterator[Paper]:
    for index, record in enumerate(iter_xml_records(source, lambda tag: tag in RECORDS, _RECORD_RE)):
        paper = make_paper(pubmed_draft(record.element), source.where(record.line, index), source.report)
        if paper is not None:
            yield paper
