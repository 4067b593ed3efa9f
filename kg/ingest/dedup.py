"""Merging the same paper read more than once (across files and formats).

Keys, in order: DOI, arXiv id, PubMed id, normalised title (:func:`kg.ingest.ids.normalise_title`).
A record is a duplicate of the first earlier paper that shares its DOI, else its arXiv id,
else its PMID, else its normalised title - unless the two carry *different* DOIs, arXiv ids or PMIDs,
which makes them different papers that happen to share a title ("Introduction", "Editorial").

The first record wins; it is completed from its duplicates:

* fields it lacks (date, DOI, arXiv id, URL, venue, authors, categories, source id) are
  filled from the first duplicate that has them;
* a date is replaced by a more precise one that agrees with it (``--08-05`` by
  ``2024-08-05``, ``2021`` by ``2021-03-02``);
* an empty or cut-off abstract is replaced by a complete one.

Its id is computed again at the end (a DOI or arXiv id learnt from a duplicate changes it,
as :func:`~kg.ingest.ids.paper_id` says). Papers are held until the input ends, so the memory
used grows with the number of distinct papers (about 2-3 kB each), not with the input size;
they come out in the order they were first seen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from kg.ingest.dates import refines
from kg.ingest.ids import normalise_title, paper_id
from kg.ingest.report import IngestReport
from kg.models import Paper

_FILLED = ("source_id", "doi", "arxiv_id", "pmid", "url", "venue", "authors", "categories")


def _keys(paper: Paper) -> list[str]:
    keys = []
    if paper.doi:
        keys.append("doi:" + paper.doi)
    if paper.arxiv_id:
        keys.append("arxiv:" + paper.arxiv_id)
    if paper.pmid:
        keys.append("pmid:" + paper.pmid)
    keys.append("title:" + normalise_title(paper.title))
    return keys


def _conflict(a: Paper, b: Paper) -> bool:
    """Different DOIs, arXiv ids or PMIDs: not the same paper, whatever the titles say."""
    return bool((a.doi and b.doi and a.doi != b.doi) or (a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id)
                or (a.pmid and b.pmid and a.pmid != b.pmid))


def merge(first: Paper, later: Paper) -> Paper:
    """``first`` completed with what ``later`` knows and ``first`` does not (see the module doc)."""
    changes: dict[str, object] = {}
    for name in _FILLED:
        if not getattr(first, name) and getattr(later, name):
            changes[name] = getattr(later, name)
    if later.date and refines(first.date, later.date):
        changes["date"] = later.date
        changes["date_text"] = later.date_text
    if later.abstract and (not first.abstract or (first.truncated and not later.truncated)):
        changes["abstract"] = later.abstract
        changes["truncated"] = later.truncated
    if not changes:
        return first
    merged = dataclasses.replace(first, **changes)
    return dataclasses.replace(merged, id=paper_id(arxiv_id=merged.arxiv_id, doi=merged.doi, title=merged.title))


def deduplicate(papers: Iterable[Paper], report: IngestReport) -> Iterator[Paper]:
    """Yield each distinct paper once, merged with its duplicates; count duplicates in ``report``.

    Example
    -------
    >>> from kg.models import Paper
    >>> a = Paper(id="title:x", title="Pointer Networks", abstract="", date="--08-05")
    >>> b = Paper(id="arxiv:1506.03134", title="Pointer networks.", abstract="We introduce...",
    ...           arxiv_id="1506.03134", date="2015-06-09")
    >>> report = IngestReport()
    >>> [(p.id, p.date, p.abstract) for p in deduplicate([a, b], report)], report.duplicates
    ([('arxiv:1506.03134', '--08-05', 'We introduce...')], 1)
    """
    groups: list[Paper] = []
    index: dict[str, list[int]] = {}
    for paper in papers:
        found = None
        for key in _keys(paper):
            for group in index.get(key, ()):
                if key.startswith("title:") and _conflict(groups[group], paper):
                    continue
                found = group
                break
            if found is not None:
                break
        if found is None:
            groups.append(paper)
            for key in _keys(paper):
                index.setdefault(key, []).append(len(groups) - 1)
            continue
        report.duplicates += 1
        merged = merge(groups[found], paper)
        groups[found] = merged
        for key in _keys(merged):
            slots = index.setdefault(key, [])
            if found not in slots:
                slots.append(found)
    # two groups can end with one id when a duplicate taught one of them another's DOI/arXiv id
    by_id: dict[str, int] = {}
    final: list[Paper | None] = []
    for paper in groups:
        if paper.id in by_id:
            report.duplicates += 1
            final[by_id[paper.id]] = merge(final[by_id[paper.id]], paper)  # type: ignore[arg-type]
            final.append(None)
            continue
        by_id[paper.id] = len(final)
        final.append(paper)
    for paper in final:
        if paper is not None:
            yield paper
