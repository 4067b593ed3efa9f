"""The look-alike links of :mod:`kg.resolve.variants` as graph relations, with their evidence.

:func:`~kg.resolve.variants.variant_links` finds the links from the concepts' names alone; this
module counts, for each link, the mentions and papers that write the name showing it, and keeps
up to ``MAX_EVIDENCE`` of their sentences as :class:`~kg.models.Evidence`.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from kg.models import MAX_EVIDENCE, Concept, Evidence, Extraction, Relation, evidence_id
from kg.resolve.variants import variant_links

#: The confidence of each kind of link (and of its evidence).
LINK_CONFIDENCE = {"VARIANT-OF": 0.9, "RELATED-TO": 0.6}


def variant_relations(
    concepts: Mapping[str, Concept],
    concept_ids: Sequence[str],
    rows: Mapping[str, array],
    exts: Sequence[Extraction],
    keys: Mapping[str, Sequence[str | None]],
    names: Mapping[str, tuple[str, list[tuple[str, tuple[str, ...]]]]],
    version: str,
) -> tuple[list[Relation], dict[str, Evidence]]:
    """VARIANT-OF / RELATED-TO between concepts, each with the sentences that show the name.

    ``concept_ids`` and ``rows`` are each mention's concept (per paper, an index into
    ``concept_ids``; -1: none), ``keys`` each mention's matching key, ``names`` concept id ->
    (type, its (key, runs) names) as :func:`~kg.resolve.variants.variant_links` takes them;
    ``version`` (the resolver's) goes into each evidence's method. The relations are sorted by
    source, target and type.
    """
    rank = {cid: (-c.paper_count, -c.mention_count) for cid, c in concepts.items()}
    links = variant_links(names, rank)
    if not links:
        return [], {}
    wanted: dict[tuple[str, str], list] = defaultdict(list)  # (concept, key) -> links it supports
    for link in links:
        wanted[(link.source, link.source_key)].append(link)
    support: dict = defaultdict(lambda: {"count": 0, "papers": set(), "evidence": []})
    wanted_keys = {key for _cid, key in wanted}
    for ext in exts:
        paper_keys = keys[ext.paper_id]
        if wanted_keys.isdisjoint(paper_keys):  # most papers write no linked name
            continue
        for m, key, ci in zip(ext.mentions, paper_keys, rows[ext.paper_id]):
            if ci < 0 or key not in wanted_keys or (concept_ids[ci], key) not in wanted:
                continue
            for link in wanted[(concept_ids[ci], key)]:
                s = support[link]
                s["count"] += 1
                s["papers"].add(ext.paper_id)
                if len(s["evidence"]) < MAX_EVIDENCE and 0 <= m.sentence < len(ext.sentences):
                    s["evidence"].append((ext.paper_id, ext.sentences[m.sentence], (m.start, m.end)))
    relations: list[Relation] = []
    evidence: dict[str, Evidence] = {}
    for link in links:
        s = support[link]
        method = f"resolve:name-{'variant' if link.type == 'VARIANT-OF' else 'related'}/{version}"
        confidence = LINK_CONFIDENCE[link.type]
        ev_ids = []
        for paper_id, (s_start, s_end), span in s["evidence"]:
            eid = evidence_id(paper_id, [span], method)
            evidence[eid] = Evidence(eid, paper_id, s_start, s_end, (span,), method, confidence)
            ev_ids.append(eid)
        relations.append(Relation(link.source, link.target, link.type, count=s["count"], papers=len(s["papers"]), evidence=ev_ids, confidence=confidence))
    relations.sort(key=lambda r: (r.source, r.target, r.type))
    return relations, evidence


def concept_names(alias_keys: Mapping[tuple[str, str], Iterable[str]], ids: Mapping[tuple[str, str], str], key_runs: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, list[tuple[str, tuple[str, ...]]]]]:
    """Concept id -> (type, its names as sorted ``(key, runs)``), the input of
    :func:`~kg.resolve.variants.variant_links`, from each concept key's matching keys."""
    names = {}
    for ckey, keys in alias_keys.items():
        names[ids[ckey]] = (ckey[1], [(k, key_runs[k]) for k in sorted(keys)])
    return names
