"""``build_graph``: papers + extractions + resolution -> one :class:`~kg.models.KnowledgeGraph`.

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
  mentions involved (in text order for the symmetric types, so that neither the evidence nor
  its id depends on which concept id sorts first: ids are kept across builds, kg.resolve.stable_ids);
  its id is a hash of paper id, spans and method (:func:`kg.models.evidence_id`, stable across rebuilds);
  ``method`` names the rule or model, plus the extractor version when given. At most
  :data:`MAX_EVIDENCE` records are kept per edge: those with the smallest ids, a deterministic
  choice that spreads over papers and does not depend on input order.
"""

from __future__ import annotations

import re
from bisect import insort
from functools import partial
from operator import attrgetter
from collections.abc import Iterable, Mapping

from kg.collector import pausing
from kg.evidence_records import EvidenceRecords
from kg.models import MAX_EVIDENCE, Evidence, Extraction, KnowledgeGraph, Paper, PaperLink, Relation, evidence_id
from kg.nlp.relation_rules import ADDRESS_CUE, EVALUATION_CUE, RESULT_CUE

#: Relation types stored once per unordered pair of concepts.
SYMMETRIC = frozenset({"CONJUNCTION", "COMPARE", "CO-OCCURS"})
#: Version of the defaults and co-occurrence rules below (part of their evidence's method).
BUILD_RULES_VERSION = "1"

_TITLE_NAME = re.compile(r"^\s*([^:]{1,60}?)\s*:\s")


def _method(rule: str, version: str | None) -> str:
    return f"{rule} [{version}]" if version else rule


class _Edge:
    """Running totals of one edge while papers stream by (papers counted by last-seen id).

    ``evidence`` holds the :data:`MAX_EVIDENCE` smallest evidence ids seen so far, sorted.
    Supporting sentences are told apart within the current paper by the caller's per-paper
    set (see :func:`_support`), so an edge holds no set of its own.
    """

    __slots__ = ("count", "papers", "last_paper", "confidence", "evidence")

    def __init__(self) -> None:
        self.count = 0
        self.papers = 0
        self.last_paper: str | None = None
        self.confidence = 0.0
        self.evidence: list[str] = []


def _support(edge: _Edge, paper_id: str, sentence, confidence: float, seen: set) -> None:
    """Count one supporting sentence of ``edge`` in ``paper_id``; ``seen`` holds the
    ``(edge, sentence)`` pairs already counted in this paper (one set per paper)."""
    if edge.last_paper != paper_id:
        edge.papers += 1
        edge.last_paper = paper_id
    key = (id(edge), sentence)
    if key not in seen:
        seen.add(key)
        edge.count += 1
    if confidence > edge.confidence:
        edge.confidence = confidence


def keep(ids: list[str], eid: str) -> bool:
    """Add evidence ``eid`` to ``ids`` (sorted, at most :data:`MAX_EVIDENCE`) if it is among the
    smallest ids of this edge; True when it was added (then the record must exist).

    Example
    -------
    >>> ids = []
    >>> [keep(ids, e) for e in "fbdaecb"], ids
    ([True, True, True, True, True, True, False], ['a', 'b', 'c', 'd', 'e'])
    """
    n = len(ids)
    if n >= MAX_EVIDENCE and eid >= ids[-1]:
        return False
    if eid in ids:
        return False
    insort(ids, eid)
    if n >= MAX_EVIDENCE:
        ids.pop()
    return True


def default_roles(paper: Paper | None, ext: Extraction, concept_of) -> list[tuple[int, str, str, float]]:
    """The default roles of one paper's mentions: ``(mention, role, rule, confidence)``.

    See the module docstring; explicit roles from extraction take precedence in
    :func:`build_graph` only in that both are kept and the link's confidence is the highest.
    """
    text = paper.text if paper is not None else None
    title_end = len(paper.title) if paper is not None else -1
    title_name = None
    if paper is not None:
        m = _TITLE_NAME.match(paper.title)
        if m:
            title_name = (m.start(1), m.end(1))
    cues: dict[tuple, bool] = {}  # (cue, sentence start, end) -> found: mentions share sentences

    def cue(pattern, m, bounds) -> bool:
        if text is None:
            return pattern.search(m.text) is not None
        key = (pattern, bounds)
        found = cues.get(key)
        if found is None:
            found = cues[key] = pattern.search(text[bounds[0] : bounds[1]]) is not None
        return found

    out = []
    sentences, n_sentences = ext.sentences, len(ext.sentences)
    for i, m in enumerate(ext.mentions):
        if concept_of(i) is None:
            continue
        label = m.label
        if label not in ("DATASET", "METRIC", "TASK") and not (title_name and label == "METHOD"):
            continue
        bounds = tuple(sentences[m.sentence]) if 0 <= m.sentence < n_sentences else (m.start, m.end)
        in_title = m.end <= title_end
        if label == "DATASET" and cue(EVALUATION_CUE, m, bounds):
            out.append((i, "evaluates_on", f"default:dataset-in-evaluation/{BUILD_RULES_VERSION}", 0.6))
        elif label == "METRIC":
            strong = cue(RESULT_CUE, m, bounds)
            out.append((i, "reports", f"default:metric/{BUILD_RULES_VERSION}", 0.7 if strong else 0.4))
        elif label == "TASK" and (in_title or cue(ADDRESS_CUE, m, bounds)):
            out.append((i, "addresses", f"default:task-{'in-title' if in_title else 'addressed'}/{BUILD_RULES_VERSION}", 0.7 if in_title else 0.6))
        if label in ("METHOD", "DATASET") and title_name and (m.start, m.end) == title_name:
            out.append((i, "proposes", f"default:title-name/{BUILD_RULES_VERSION}", 0.7))
    return out


@pausing
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
    methods = _Methods(extractor_version)
    for paper_id in sorted(exts):
        ext = exts[paper_id]
        concept_of = partial(resolution.concept_of, paper_id)
        concepts = [concept_of(i) for i in range(len(ext.mentions))]
        seen: set = set()  # (edge, sentence) pairs counted in this paper
        roles = _roles(paper_map.get(paper_id), ext, concept_of)
        _add_links(paper_id, ext, concepts, roles, links, evidence, methods, seen)
        _add_relations(paper_id, ext, concepts, edges, evidence, methods, seen)
        _add_cooccurrences(paper_id, ext, concepts, edges, evidence, methods, seen)
    return _assemble(paper_map, resolution, links, edges, evidence)


class _Methods(dict):
    """Rule -> evidence method (the rule, plus the extractor version when given), made once per rule."""

    def __init__(self, extractor_version: str | None) -> None:
        super().__init__()
        self.extractor_version = extractor_version

    def __missing__(self, rule: str) -> str:
        method = self[rule] = _method(rule, self.extractor_version)
        return method


def _roles(paper: Paper | None, ext: Extraction, concept_of) -> list[tuple[int, str, str, float]]:
    """Every ``(mention, role, rule, confidence)`` of one paper: mentions, extracted roles, defaults."""
    roles = [(i, "mentions", f"extract:{m.source}", m.score) for i, m in enumerate(ext.mentions)]
    roles += [(r.mention, r.role, r.rule, r.confidence) for r in ext.roles]
    roles += default_roles(paper, ext, concept_of)
    return roles


def _add_links(paper_id, ext, concepts, roles, links, evidence, methods, seen) -> None:
    """Step 1 of a paper: its paper -> concept links (``roles``), each with one-mention evidence."""
    mentions, sentences = ext.mentions, ext.sentences
    n_mentions, n_sentences = len(mentions), len(sentences)
    for i, role, rule, confidence in roles:
        if not 0 <= i < n_mentions or concepts[i] is None:
            continue
        key = (paper_id, concepts[i], role)
        edge = links.get(key)
        if edge is None:
            edge = links[key] = _Edge()
        _support(edge, paper_id, i, confidence if role != "mentions" else 1.0, seen)
        method = methods[rule]
        m = mentions[i]
        span = (m.start, m.end)
        eid = evidence_id(paper_id, (span,), method)
        if keep(edge.evidence, eid) and eid not in evidence:
            s_start, s_end = tuple(sentences[m.sentence]) if 0 <= m.sentence < n_sentences else span
            evidence[eid] = Evidence(eid, paper_id, s_start, s_end, (span,), method, confidence)


def _add_relations(paper_id, ext, concepts, edges, evidence, methods, seen) -> None:
    """Step 2 of a paper: its extracted relations between mentions, lifted to their concepts."""
    mentions = ext.mentions
    n_mentions = len(mentions)
    for rel in ext.relations:
        if not (0 <= rel.head < n_mentions and 0 <= rel.tail < n_mentions):
            continue
        a, b = concepts[rel.head], concepts[rel.tail]
        if a is None or b is None or a == b:
            continue
        head, tail = mentions[rel.head], mentions[rel.tail]
        if rel.label in SYMMETRIC and b < a:
            a, b, head, tail = b, a, tail, head
        key = (a, b, rel.label)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = _Edge()
        _support(edge, paper_id, head.sentence, rel.confidence, seen)
        method = methods[rel.rule]
        spans = ((head.start, head.end), (tail.start, tail.end))
        if rel.label in SYMMETRIC:  # text order: the evidence must not depend on which id sorts first
            spans = tuple(sorted(spans))
        eid = evidence_id(paper_id, spans, method)
        if keep(edge.evidence, eid) and eid not in evidence:
            evidence[eid] = _pair_evidence(ext, paper_id, eid, head.sentence, spans, method, rel.confidence)


def _add_cooccurrences(paper_id, ext, concepts, edges, evidence, methods, seen) -> None:
    """Step 3 of a paper: ``CO-OCCURS`` between every two concepts of one sentence (first mentions)."""
    mentions = ext.mentions
    cooccurrence = methods[f"cooccurrence:sentence/{BUILD_RULES_VERSION}"]
    by_sentence: dict[int, dict[str, int]] = {}
    for i, c in enumerate(concepts):
        if c is not None:
            by_sentence.setdefault(mentions[i].sentence, {}).setdefault(c, i)
    for sentence, first in sorted(by_sentence.items()):
        if len(first) < 2:
            continue
        ids = sorted(first)
        spans_of = {c: (mentions[first[c]].start, mentions[first[c]].end) for c in ids}
        for x, a in enumerate(ids):
            span_a = spans_of[a]
            for b in ids[x + 1 :]:
                key = (a, b, "CO-OCCURS")
                edge = edges.get(key)
                if edge is None:
                    edge = edges[key] = _Edge()
                _support(edge, paper_id, sentence, 1.0, seen)
                spans = tuple(sorted((span_a, spans_of[b])))  # text order, as for every symmetric type
                eid = evidence_id(paper_id, spans, cooccurrence)
                if keep(edge.evidence, eid) and eid not in evidence:
                    evidence[eid] = _pair_evidence(ext, paper_id, eid, sentence, spans, cooccurrence, 1.0)


def _assemble(paper_map, resolution, links, edges, evidence) -> KnowledgeGraph:
    """The last step: links and relations in id order (the resolution's look-alike links added),
    and the evidence any of them keeps."""
    kg = KnowledgeGraph(papers=dict(sorted(paper_map.items())), concepts=dict(resolution.concepts))
    for key in sorted(links):
        edge = links[key]
        kg.links.append(PaperLink(*key, edge.count, edge.evidence, round(edge.confidence, 4)))
    links.clear()
    for key in sorted(edges):
        edge = edges[key]
        kg.relations.append(Relation(*key, edge.count, edge.papers, edge.evidence, round(edge.confidence, 4)))
    edges.clear()
    for rel in getattr(resolution, "relations", []):
        kg.relations.append(Relation(rel.source, rel.target, rel.type, rel.count, rel.papers, list(rel.evidence), rel.confidence))
    used = {eid for link in kg.links for eid in link.evidence} | {eid for rel in kg.relations for eid in rel.evidence}
    evidence.update(getattr(resolution, "evidence", {}))
    kg.evidence = EvidenceRecords(evidence[eid] for eid in sorted(used) if eid in evidence)  # columns: kg.evidence_records
    kg.relations.sort(key=attrgetter("source", "target", "type"))
    return kg


def _pair_evidence(ext: Extraction, paper_id: str, eid: str, sentence: int, spans, method: str, confidence: float) -> Evidence:
    """The evidence of a relation between two mentions of one sentence."""
    if 0 <= sentence < len(ext.sentences):
        s_start, s_end = tuple(ext.sentences[sentence])
    else:
        s_start, s_end = min(s for s, _ in spans), max(e for _, e in spans)
    return Evidence(eid, paper_id, s_start, s_end, tuple(spans), method, confidence)
