"""Stable paper identifiers: ``arxiv:<id>``, ``doi:<doi>`` or ``title:<hash>``.

The same function names papers for de-duplication, for the graph and for RDF IRIs, so two
builds of the same input (or the same paper read from two formats) get the same id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote

# New-style (0704.0001 .. 2101.00001) and old-style (hep-th/9901001, math.GT/0309136) ids.
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_RE = re.compile(rf"^(?:arxiv:)?({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL_RE = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_DOI_PREFIX_RE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_DOI_RE = re.compile(rf"^10\.48550/arxiv\.({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)


def normalise_arxiv_id(value: str | None) -> str | None:
    """The arXiv id without version or prefix, or None when ``value`` is not an arXiv id.

    Accepts ``2101.00001v2``, ``arXiv:2101.00001``, ``http://arxiv.org/abs/hep-th/9901001v1``.
    Old-style archive names are lower case and the subject class upper case, as arXiv writes them.

    >>> normalise_arxiv_id("http://arxiv.org/abs/2101.00001v2")
    '2101.00001'
    >>> normalise_arxiv_id("arXiv:math.GT/0309136") , normalise_arxiv_id("not an id")
    ('math.GT/0309136', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _ARXIV_URL_RE.match(text) or _ARXIV_RE.match(text)
    if not match:
        return None
    ident = match.group(1)
    if "/" in ident:
        archive, number = ident.split("/", 1)
        head, dot, subject = archive.partition(".")
        ident = f"{head.lower()}{dot}{subject.upper()}/{number}"
    return ident


def normalise_doi(value: str | None) -> str | None:
    """The lower-cased DOI without ``doi:`` / ``https://doi.org/`` prefixes, or None if not a DOI.

    >>> normalise_doi("https://doi.org/10.1000/ABC%2Fdef")
    '10.1000/abc/def'
    >>> normalise_doi("n/a") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    prefixed = _DOI_PREFIX_RE.match(text)
    if prefixed:
        text = text[prefixed.end():]
        if "%" in text:
            text = unquote(text)
    text = text.strip().lower()
    return text if _DOI_RE.match(text) else None


_PMID_RE = re.compile(r"^(?:pmid:?\s*|https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pubmed|pubmed\.ncbi\.nlm\.nih\.gov)/)?(\d{1,9})/?$", re.I)


def normalise_pmid(value: str | None) -> str | None:
    """A PubMed id as digits (``PMID: 31690499``, a pubmed URL), or None if it is not one.

    >>> normalise_pmid("PMID:31690499"), normalise_pmid("https://pubmed.ncbi.nlm.nih.gov/123/"), normalise_pmid("x1")
    ('31690499', '123', None)
    """
    if not isinstance(value, str):
        return None
    match = _PMID_RE.match(value.strip())
    return str(int(match.group(1))) if match and int(match.group(1)) > 0 else None


def arxiv_id_from_doi(doi: str | None) -> str | None:
    """arXiv's own DOIs (``10.48550/arXiv.2101.00001``) name an arXiv paper."""
    if not doi:
        return None
    match = _ARXIV_DOI_RE.match(doi)
    return normalise_arxiv_id(match.group(1)) if match else None


_ASCII_DROP = {c: None for c in range(128) if unicodedata.category(chr(c))[0] in "PZC"}


def normalise_title(title: str) -> str:
    """The de-duplication key of a title: NFKC, case-folded, punctuation and spaces removed.

    Symbols stay (``TimeX++`` and ``TimeX`` are different papers); a title made only of
    punctuation keys on itself, case-folded, so it never collapses to the empty string.

    >>> normalise_title("Graph Neural-Networks:  a Review") == normalise_title("graph neural networks — A review")
    True
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    if text.isascii():
        key = text.translate(_ASCII_DROP)
    else:
        key = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC")
    return key or " ".join(text.split())


def title_hash(title: str) -> str:
    """First 16 hex digits of the SHA-1 of the normalised title."""
    return hashlib.sha1(normalise_title(title).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def paper_id(*, arxiv_id: str | None = None, doi: str | None = None, title: str | None = None) -> str:
    """kg's id of a paper: ``arxiv:<id>``, else ``doi:<doi>``, else ``title:<hash>``.

    >>> paper_id(arxiv_id="2101.00001v3", doi="10.1/x")
    'arxiv:2101.00001'
    >>> paper_id(doi="https://doi.org/10.1000/XYZ")
    'doi:10.1000/xyz'
    >>> paper_id(title="Attention Is All You Need")
    'title:0ea83918854b3d74'
    """
    ident = normalise_arxiv_id(arxiv_id) if arxiv_id else None
    if ident:
        return f"arxiv:{ident}"
    norm_doi = normalise_doi(doi) if doi else None
    if norm_doi:
        return f"doi:{norm_doi}"
    if title is None:
        raise ValueError("a paper id needs an arXiv id, a DOI or a title")
    return f"title:{title_hash(title)}"
