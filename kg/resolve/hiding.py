"""Hiding low-confidence singletons (``--min-confidence``): a resolution without them.

Which concepts are hidden is :func:`kg.resolve.confidence.is_hidden`; this module makes the
resolution every output is written from without them. It is apart from
:mod:`kg.resolve.confidence` because it builds a :class:`~kg.resolve.resolver.Resolution`, and
the resolver imports the confidence formula.
"""

from __future__ import annotations

from array import array

from kg.resolve.confidence import is_hidden
from kg.resolve.resolver import Resolution


def hide_low_confidence(resolution, min_confidence: float | None):
    """``resolution`` without its singletons of confidence below ``min_confidence``.

    Returns ``(resolution, hidden concept ids)``; the same object when nothing is hidden. The
    hidden concepts' mentions become unresolved, and look-alike links and merges that involve them
    are dropped, so every writer leaves them out alike.
    """
    if not min_confidence:
        return resolution, []
    hidden = sorted(cid for cid, c in resolution.concepts.items() if is_hidden(c.paper_count, c.confidence, min_confidence))
    if not hidden:
        return resolution, []
    gone = set(hidden)
    order = [cid for cid in resolution._ids if cid not in gone]
    new_index = {cid: i for i, cid in enumerate(order)}
    remap = [new_index.get(cid, -1) for cid in resolution._ids]
    rows = {pid: array("i", (remap[i] if i >= 0 else -1 for i in row)) for pid, row in resolution._mentions.items()}
    relations = [r for r in resolution.relations if r.source not in gone and r.target not in gone]
    used = {eid for r in relations for eid in r.evidence}
    kept = Resolution(
        concepts={cid: c for cid, c in resolution.concepts.items() if cid not in gone},
        relations=relations,
        evidence={eid: ev for eid, ev in resolution.evidence.items() if eid in used},
        merges=[m for m in resolution.merges if m.concept not in gone],
        _ids=order,
        _mentions=rows,
    )
    return kept, hidden
