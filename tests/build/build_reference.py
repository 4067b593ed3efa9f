"""kg/build.py at commit 2ae9ff1, verbatim: the reference the faster ``kg.build`` must match.

The original module docstring follows.

``build_graph``: papers + extractions + resolution -> one :class:`~kg.models.KnowledgeGraph`.

What becomes an edge, and the evidence each edge points to:

* **paper -> concept links** (:class:`~kg.models.PaperLink`):

  - ``mentions``: one per concept a paper mentions; ``count`` = its mentions there;
  - the roles extraction found (``Extraction.roles``: "we propose X" -> proposes, ...);
  - defaults where extraction found no role (confidence below the rules'):
    a DATASET in a sentence with an evaluation cue ("evaluate", "experiments", "results",
    "outperforms", ...) -> ``evaluates_on``; a METRIC -> ``reports`` (0.7 in a sentence
    with a result cue such as a number, "improves", "achieves"; 0.4 elsewhere); a TASK in the
    title or after an address cue ("we study", "this paper tackles") -> ``addresses``; a
    METHOD or DATASET that opens the title before a colon ("GOLD-NAS: ...") -> ``proposes``;

* **concept -> concept relations** (:class:`~kg.models.Relation`):

  - the per-sentence relations of extraction (SciERC labels plus MEASURED-BY), lifted to the
    concepts of their two mentions (a relation between two mentions of one concept is dropped);
  - ``CO-OCCURS`` between every two concepts mentioned in one sentence;
  - the resolution's ``VARIANT-OF`` / ``RELATED-TO`` links (with the resolver's evidence);

  symmetric types (CONJUNCTION, COMPARE, CO-OCCURS) are stored once, from the smaller id to
  the larger. ``count`` = distinct supporting sentences, ``papers`` = distinct papers (both
  exact); ``confidence`` = the highest confidence of a supporting sentence;

* **evidence** (:class:`~kg.models.Evidence`): one sentence of one paper with the spans of the
  mentions involved; its id is a hash of paper id, spans and method (stable across rebuilds);
  ``method`` names the rule or model, plus the extractor version when given. At most
  :data:`MAX_EVIDENCE` records are kept per edge: those with the smallest ids, a deterministic
  choice that spreads over papers and does not depend on input order.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.models import Evidence, Extraction, KnowledgeGraph, Paper, PaperLink, Relation

#: Evidence records kept per edge.
MAX_EVIDENCE = 5
#: Relation types stored once per unordered pair of concepts.
SYMMETRIC = frozenset({"CONJUNCTION", "COMPARE", "CO-OCCURS"})
#: Version of the defaults and co-occurrence rules below (part of their evidence's method).
BUILD_RULES_VERSION = "1"

_TITLE_NAME = re.compile(r"^\s*([^:]{1,60}?)\s*:\s")


def evidence_id(paper_id: str, spans: Sequence[tuple[int, int]], method: str) -> str:
    """A stable id for the evidence of ``method`` over ``spans`` in ``paper_id``.

    Example
    -------
    >>> evidence_id("arxiv:1", [(0, 4)], "ner") == evidence_id("arxiv:1", [(0, 4)], "ner")
    True
    """
    raw = f"{paper_id}|{';'.join(f'{s}-{e}' for s, e in spans)}|{method}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _method(rule: str, version: str | None) -> str:
    return f"{rule} [{version}]" if version else rule


@dataclass
class _Edge:
    """Running totals of one edge while papers stream by (papers counted by last-seen id)."""

    count: int = 0
    papers: int = 0
    last_paper: str | None = None
    sentences: set = field(default_factory=set)  # supporting sentences within the current paper
    confidence: float = 0.0
    evidence: list = field(default_factory=list)  # max-heap by id (negated), at most MAX_EVIDENCE

    def support(self, paper_id: str, sentence: int, confidence: float, eid: str, make, evidence: dict[str, Evidence]) -> None:
        """Count one supporting sentence; ``make()`` builds the evidence only if it is kept."""
        if self.last_paper != paper_id:
            self.papers += 1
            self.last_paper = paper_id
            self.sentences = set()
        if sentence not in self.sentences:
            self.count += 1
            self.sentences.add(sentence)
        if confidence > self.confidence:
            self.confidence = confidence
        keep(self.evidence, eid, make, evidence)


def keep(heap: list, eid: str, make, evidence: dict[str, Evidence]) -> None:
    """Keep evidence ``eid`` if it is among the :data:`MAX_EVIDENCE` smallest ids of this edge."""
    if len(heap) >= MAX_EVIDENCE and eid >= heap[0].id:
        return
    if any(x.id == eid for x in heap):
        return
    if len(heap) < MAX_EVIDENCE:
        heapq.heappush(heap, _Neg(eid))
    else:
        heapq.heapreplace(heap, _Neg(eid))
    if eid not in evidence:
        evidence[eid] = make()


class _Neg:
    """Heap item ordering ids largest first (so the heap top is the id to drop)."""

    __slots__ = ("id",)

    def __init__(self, id_: str):
        self.id = id_

    def __lt__(self, other: "_Neg") -> bool:
        return self.id > other.id


def _sentence_of(ext: Extraction, index: int, fallback: tuple[int, int]) -> tuple[int, int]:
    if 0 <= index < len(ext.sentences):
        return tuple(ext.sentences[index])
    return fallback


def default_roles(paper: Paper | None, ext: Extraction, concept_of) -> list[tuple[int, str, str, float]]:
    """The default roles of one paper's mentions: ``(mention, role, rule, confidence)``.

    See the module docstring; explicit roles from extraction take precedence in
    :func:`build_graph` only in that both are kept and the link's confidence is the highest.
    """
    from kg.nlp.relations import ADDRESS_CUE, EVALUATION_CUE, RESULT_CUE

    text = paper.text if paper is not None else None
    title_end = len(paper.title) if paper is not None else -1
    title_name = None
    if paper is not None:
        m = _TITLE_NAME.match(paper.title)
        if m:
            title_name = (m.start(1), m.end(1))
    out = []
    for i, m in enumerate(ext.mentions):
        if concept_of(i) is None:
            continue
        s_start, s_end = _sentence_of(ext, m.sentence, (m.start, m.end))
        sentence = text[s_start:s_end] if text is not None else m.text
        in_title = m.end <= title_end
        if m.label == "DATASET" and EVALUATION_CUE.search(sentence):
            out.append((i, "evaluates_on", f"default:dataset-in-evaluation/{BUILD_RULES_VERSION}", 0.6))
        elif m.label == "METRIC":
            strong = RESULT_CUE.search(sentence) is not None
            out.append((i, "reports", f"default:metric/{BUILD_RULES_VERSION}", 0.7 if strong else 0.4))
        elif m.label == "TASK" and (in_title or ADDRESS_CUE.search(sentence)):
            out.append((i, "addresses", f"default:task-{'in-title' if in_title else 'addressed'}/{BUILD_RULES_VERSION}", 0.7 if in_title else 0.6))
        if m.label in ("METHOD", "DATASET") and title_name and (m.start, m.end) == title_name:
            out.append((i, "proposes", f"default:title-name/{BUILD_RULES_VERSION}", 0.7))
    return out


def build_graph(
    papers: Mapping[str, Paper] | Iterable[Paper],
    extractions: Iterable[Extraction],
    resolution,
    *,
    extractor_version: str | None = None,
) -> KnowledgeGraph:
    """Assemble the knowledge graph (see the module docstring for every rule).

    Parameters
    ----------
    papers : paper id -> :class:`~kg.models.Paper` (or an iterable of papers).
    extractions : one :class:`~kg.models.Extraction` per paper, any order.
    resolution : a :class:`kg.resolve.Resolution` of these extractions.
    extractor_version : named in every evidence method when given (e.g. ``kg.nlp.pipeline_version()``).

    Returns
    -------
    :class:`~kg.models.KnowledgeGraph` (``stats`` and ``extractor_version`` left for the caller).

    Example
    -------
    >>> from kg.models import Mention
    >>> from kg.resolve import resolve
    >>> p = Paper("p1", "GNNs for node classification", "We evaluate GNNs on Cora.")
    >>> ext = Extraction("p1", [(0, 28), (29, 54)], [Mention(0, 4, "METHOD", "GNNs", 0),
    ...     Mention(9, 28, "TASK", "node classification", 0), Mention(41, 45, "METHOD", "GNNs", 1),
    ...     Mention(49, 53, "DATASET", "Cora", 1)])
    >>> kg = build_graph({"p1": p}, [ext], resolve([ext], {"p1": p}))
    >>> sorted((l.concept_id, l.role) for l in kg.links)  # doctest: +NORMALIZE_WHITESPACE
    [('dataset/cora', 'evaluates_on'), ('dataset/cora', 'mentions'), ('method/gnns', 'mentions'),
     ('task/node-classification', 'addresses'), ('task/node-classification', 'mentions')]
    >>> sorted((r.source, r.type, r.target, r.count) for r in kg.relations)
    [('dataset/cora', 'CO-OCCURS', 'method/gnns', 1), ('method/gnns', 'CO-OCCURS', 'task/node-classification', 1)]
    """
    paper_map: dict[str, Paper] = dict(papers) if isinstance(papers, Mapping) else {p.id: p for p in papers}
    exts: dict[str, Extraction] = {}
    for ext in extractions:
        exts.setdefault(ext.paper_id, ext)
    evidence: dict[str, Evidence] = {}
    links: dict[tuple[str, str, str], _Edge] = {}
    edges: dict[tuple[str, str, str], _Edge] = {}

    for paper_id in sorted(exts):
        ext = exts[paper_id]
        paper = paper_map.get(paper_id)

        def concept_of(i: int, _pid: str = paper_id) -> str | None:
            return resolution.concept_of(_pid, i)

        concepts = [concept_of(i) for i in range(len(ext.mentions))]

        def mention_evidence(i: int, method: str, confidence: float):
            m = ext.mentions[i]
            span = (m.start, m.end)
            eid = evidence_id(paper_id, [span], method)

            def make() -> Evidence:
                s_start, s_end = _sentence_of(ext, m.sentence, span)
                return Evidence(eid, paper_id, s_start, s_end, (span,), method, confidence)

            return eid, make

        # paper -> concept links: mentions, extracted roles, defaults
        roles = [(i, "mentions", f"extract:{ext.mentions[i].source}", ext.mentions[i].score) for i in range(len(ext.mentions))]
        roles += [(r.mention, r.role, r.rule, r.confidence) for r in ext.roles]
        roles += default_roles(paper, ext, concept_of)
        for i, role, rule, confidence in roles:
            if not 0 <= i < len(concepts) or concepts[i] is None:
                continue
            edge = links.setdefault((paper_id, concepts[i], role), _Edge())
            method = _method(rule, extractor_version)
            edge.support(paper_id, i, confidence if role != "mentions" else 1.0, *mention_evidence(i, method, confidence), evidence)

        # extracted relations between mentions, lifted to concepts
        for rel in ext.relations:
            if not (0 <= rel.head < len(concepts) and 0 <= rel.tail < len(concepts)):
                continue
            a, b = concepts[rel.head], concepts[rel.tail]
            if a is None or b is None or a == b:
                continue
            head, tail = ext.mentions[rel.head], ext.mentions[rel.tail]
            if rel.label in SYMMETRIC and b < a:
                a, b, head, tail = b, a, tail, head
            method = _method(rel.rule, extractor_version)
            spans = ((head.start, head.end), (tail.start, tail.end))
            eid = evidence_id(paper_id, spans, method)
            make = _pair_evidence(ext, paper_id, eid, head.sentence, spans, method, rel.confidence)
            edges.setdefault((a, b, rel.label), _Edge()).support(paper_id, head.sentence, rel.confidence, eid, make, evidence)

        # co-occurrence within a sentence
        by_sentence: dict[int, dict[str, int]] = {}
        for i, (m, c) in enumerate(zip(ext.mentions, concepts)):
            if c is not None:
                by_sentence.setdefault(m.sentence, {}).setdefault(c, i)
        method = _method(f"cooccurrence:sentence/{BUILD_RULES_VERSION}", extractor_version)
        for sentence, first in sorted(by_sentence.items()):
            ids = sorted(first)
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    a, b = ids[x], ids[y]
                    ma, mb = ext.mentions[first[a]], ext.mentions[first[b]]
                    spans = ((ma.start, ma.end), (mb.start, mb.end))
                    eid = evidence_id(paper_id, spans, method)
                    make = _pair_evidence(ext, paper_id, eid, sentence, spans, method, 1.0)
                    edges.setdefault((a, b, "CO-OCCURS"), _Edge()).support(paper_id, sentence, 1.0, eid, make, evidence)

    kg = KnowledgeGraph(papers=dict(sorted(paper_map.items())), concepts=dict(resolution.concepts))
    for (paper_id, concept_id, role), edge in sorted(links.items()):
        kg.links.append(PaperLink(paper_id, concept_id, role, edge.count, _ids(edge), round(edge.confidence, 4)))
    for (a, b, label), edge in sorted(edges.items()):
        kg.relations.append(Relation(a, b, label, edge.count, edge.papers, _ids(edge), round(edge.confidence, 4)))
    for rel in getattr(resolution, "relations", []):
        kg.relations.append(Relation(rel.source, rel.target, rel.type, rel.count, rel.papers, list(rel.evidence), rel.confidence))
    used = {eid for link in kg.links for eid in link.evidence} | {eid for rel in kg.relations for eid in rel.evidence}
    evidence.update(getattr(resolution, "evidence", {}))
    kg.evidence = {eid: evidence[eid] for eid in sorted(used) if eid in evidence}
    kg.relations.sort(key=lambda r: (r.source, r.target, r.type))
    return kg


def _pair_evidence(ext: Extraction, paper_id: str, eid: str, sentence: int, spans, method: str, confidence: float):
    """A builder of the evidence of a relation between two mentions of one sentence."""

    def make() -> Evidence:
        fallback = (min(s for s, _ in spans), max(e for _, e in spans))
        s_start, s_end = _sentence_of(ext, sentence, fallback)
        return Evidence(eid, paper_id, s_start, s_end, tuple(spans), method, confidence)

    return make


def _ids(edge: _Edge) -> list[str]:
    return sorted(item.id for item in edge.evidence)
