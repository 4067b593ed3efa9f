"""PMC / JATS article XML (``--format jats``): one ``<article>``, or a ``<pmc-articleset>`` of
them (PMC ``efetch``), DOCTYPE allowed (:mod:`kg.ingest.xmlrecords`).

Fields, from ``front/article-meta``: ``title-group/article-title``; ``abstract`` (the first
one without ``abstract-type``, else the first; its sections' titles and paragraphs joined in
order); ``pub-date`` (``epub``/``ppub``/``pub``/``electronic``/``print`` first, then any);
``contrib[@contrib-type=author]`` (``given-names surname``, or ``collab``);
``article-id[@pub-id-type=doi|pmid|pmc]``; venue from ``journal-meta//journal-title``;
keywords ``kwd-group/kwd``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from kg.ingest.assemble import Draft, make_paper
from kg.ingest.dates import parse_date, year_month
from kg.ingest.registry import register
from kg.ingest.source import Source
from kg.ingest.xmlrecords import iter_xml_records, local, text_of
from kg.models import Paper

_RECORD_RE = re.compile(rb"<article[\s>]")
_PREFERRED_DATES = ("epub", "ppub", "pub", "electronic", "print")


def _strip_ns(element: ET.Element) -> ET.Element:
    """Drop namespaces from tag names (JATS mixes in MathML, XLink...) so paths stay plain."""
    for node in element.iter():
        if isinstance(node.tag, str):
            node.tag = local(node.tag)
    return element


def _abstract(meta: ET.Element) -> str | None:
    abstracts = meta.findall("abstract")
    if not abstracts:
        return None
    chosen = next((a for a in abstracts if not a.get("abstract-type")), abstracts[0])
    blocks = [text_of(node) for node in chosen.iter() if node.tag in ("title", "p") and node is not chosen]
    blocks = [" ".join(b.split()) for b in blocks if b]
    if not blocks:
        return text_of(chosen)
    joined: list[str] = []
    for node, text in zip([n for n in chosen.iter() if n.tag in ("title", "p") and n is not chosen and text_of(n)], blocks):
        joined.append(f"{text}:" if node.tag == "title" else text)
    if joined and joined[0].lower() == "abstract:":
        joined = joined[1:]
    return " ".join(joined) or None


def _date(meta: ET.Element) -> tuple[str | None, str | None]:
    dates = meta.findall("pub-date")
    def kind(d: ET.Element) -> str:
        return d.get("pub-type") or d.get("date-type") or ""
    ordered = sorted(dates, key=lambda d: _PREFERRED_DATES.index(kind(d)) if kind(d) in _PREFERRED_DATES else len(_PREFERRED_DATES))
    for d in ordered:
        year, month, day = (d.findtext(k, "").strip() for k in ("year", "month", "day"))
        if not year:
            continue
        text = " ".join(p for p in (year, month, day) if p)
        if month.isdigit() and day.isdigit():
            iso = parse_date(f"{year}-{int(month):02d}-{int(day):02d}")
        else:
            iso = year_month(year, month or None)
        if iso:
            return iso, text
    return None, None


def _author(contrib: ET.Element) -> str | None:
    name = contrib.find("name")
    if name is not None:
        surname, given = name.findtext("surname", "").strip(), name.findtext("given-names", "").strip()
        return f"{given} {surname}".strip() or None
    return text_of(contrib.find("collab"))


def jats_draft(article: ET.Element) -> Draft:
    """A :class:`Draft` from one ``<article>`` element."""
    article = _strip_ns(article)
    meta = article.find("front/article-meta")
    if meta is None:
        meta = ET.Element("article-meta")
    ids = {e.get("pub-id-type"): (e.text or "").strip() for e in meta.findall("article-id")}
    date, date_text = _date(meta)
    authors = [name for c in meta.iter("contrib") if c.get("contrib-type", "author") == "author" and (name := _author(c))]
    pmc = ids.get("pmc") or ids.get("pmcid")
    return Draft(
        title=text_of(meta.find("title-group/article-title")),
        abstract=_abstract(meta),
        source_id=(f"PMC{pmc}" if pmc and pmc.isdigit() else pmc) or ids.get("pmid") or ids.get("doi"),
        date=date_text,
        date_iso=date,
        authors=authors,
        venue=text_of(article.find("front/journal-meta/journal-title-group/journal-title")) or text_of(article.find("front/journal-meta/journal-title")),
        doi=ids.get("doi"),
        pmid=ids.get("pmid"),
        url=f"https://www.ncbi.nlm.nih.gov/pmc/articles/PMC{pmc}/" if pmc and pmc.isdigit() else None,
        categories=[text_of(k) for k in meta.findall("kwd-group/kwd") if text_of(k)],
        latex="never",
    )


@register("jats", description="PMC / JATS article XML (<article>, <pmc-articleset>)")
def read_jats(source: Source) -> Iterator[Paper]:
    for index, record in enumerate(iter_xml_records(source, lambda tag: tag == "article", _RECORD_RE)):
        paper = make_paper(jats_draft(record.element), source.where(record.line, index), source.report)
        if paper is not None:
            yield paper
