"""Plain typed records passed between kg's stages.

The data flow is ``ingest -> extract -> resolve -> build -> query / render / export``:

* ingest yields :class:`Paper` records (and :class:`Problem` reports for bad input);
* extract turns one paper into one :class:`Extraction` (mentions, abbreviation pairs,
  sentence spans, per-paper relation candidates) - cacheable and computed in workers;
* resolve maps mentions to :class:`Concept` nodes;
* build lifts per-paper candidates to :class:`PaperLink` and :class:`Relation` edges,
  each pointing to :class:`Evidence`, and gathers everything in one :class:`KnowledgeGraph`
  from which every output shape (RDF, NetworkX, Neo4j, maps) is written.

Every record here is a frozen or plain dataclass of JSON-friendly values, so that it can be
cached, sent to a worker process and compared in tests without custom code.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The four concept types, in the order used in tables and legends.
LABELS: tuple[str, ...] = ("METHOD", "DATASET", "METRIC", "TASK")



def type_order(concept_type: str) -> tuple[int, str]:
    """Sort key putting the four concept types in the order of :data:`LABELS`, others after.

    >>> sorted(["TASK", "OTHER", "METHOD"], key=type_order)
    ['METHOD', 'TASK', 'OTHER']
    """
    return (LABELS.index(concept_type) if concept_type in LABELS else len(LABELS), str(concept_type))


#: Paper -> concept roles (the first one is the default every mention gives).
ROLES: tuple[str, ...] = ("mentions", "proposes", "uses", "evaluates_on", "reports", "addresses")

#: Concept -> concept relation types. SciERC names where they fit, plus co-occurrence and
#: the resolution links (variant-of, related-to) between look-alike concepts.
RELATION_TYPES: tuple[str, ...] = (
    "USED-FOR",
    "EVALUATE-FOR",
    "COMPARE",
    "HYPONYM-OF",
    "PART-OF",
    "FEATURE-OF",
    "CONJUNCTION",
    "MEASURED-BY",
    "CO-OCCURS",
    "VARIANT-OF",
    "RELATED-TO",
)


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from a source file.

    ``id`` is kg's stable identifier: ``arxiv:<id without version>``, else ``doi:<lower-cased
    DOI>``, else ``title:<hash of the normalised title>`` (see :func:`kg.ingest.ids.paper_id`).
    ``source_id`` is the identifier the source itself used, if any (echoed by ``kg extract``).

    ``date`` is ISO 8601 and never more precise than the source: ``YYYY``, ``YYYY-MM``,
    ``YYYY-MM-DD``, or ``--MM-DD`` for a listing that gives a month and day but no year
    (the "Daily Papers" dumps). ``date_text`` keeps the date exactly as the source wrote it.
    """

    id: str
    title: str
    abstract: str
    source_id: str | None = None
    date: str | None = None
    date_text: str | None = None
    authors: tuple[str, ...] = ()
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None
    categories: tuple[str, ...] = ()
    source_file: str | None = None
    source_line: int | None = None
    truncated: bool = False
    pmid: str | None = None  # PubMed id (digits), for de-duplication across PubMed, RIS and JATS

    @property
    def text(self) -> str:
        """The text extraction runs on; every character offset in kg points into it."""
        return paper_text(self.title, self.abstract)

    @property
    def year(self) -> int | None:
        """The year when the source gave one (never guessed)."""
        if self.date and self.date[:4].isdigit():
            return int(self.date[:4])
        return None


def paper_text(title: str, abstract: str) -> str:
    """``title + "\\n" + abstract``: the offsets contract of ``kg extract`` and of all mentions."""
    return f"{title}\n{abstract}"


@dataclass(frozen=True, slots=True)
class Problem:
    """A malformed or skipped input record, reported with where it is and why."""

    file: str
    line: int | None  # 1-based line, or None when only a record index is known
    reason: str
    record: int | None = None  # 0-based record index within the file, where lines do not apply
    severity: str = "error"  # "error" (record skipped) or "warning" (record kept, repaired)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        elif self.record is not None:
            where += f" record {self.record}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Mention:
    """One extracted concept mention; ``text == paper.text[start:end]`` always holds."""

    start: int
    end: int
    label: str  # one of LABELS
    text: str
    sentence: int  # index into Extraction.sentences
    source: str = "ner"  # component that produced it: ner, ruler, abbreviation, ...
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A long form <-> short form pair found in one paper (Schwartz & Hearst 2003)."""

    short: str
    long: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int


@dataclass(frozen=True, slots=True)
class MentionRelation:
    """A relation between two mentions of one paper, found in one sentence.

    ``head`` and ``tail`` index ``Extraction.mentions``. ``rule`` names the rule or model that
    produced it (it becomes the evidence's method), ``confidence`` is in [0, 1].
    """

    head: int
    tail: int
    label: str  # one of RELATION_TYPES
    rule: str
    confidence: float


@dataclass(frozen=True, slots=True)
class MentionRole:
    """The paper's role towards one of its mentions ("we propose X" -> proposes)."""

    mention: int
    role: str  # one of ROLES
    rule: str
    confidence: float


@dataclass(slots=True)
class Extraction:
    """Everything extraction found in one paper: the unit that is cached and parallelised."""

    paper_id: str
    sentences: list[tuple[int, int]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    abbreviations: list[Abbreviation] = field(default_factory=list)
    relations: list[MentionRelation] = field(default_factory=list)
    roles: list[MentionRole] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            paper_id=data["paper_id"],
            sentences=[tuple(s) for s in data["sentences"]],
            mentions=[Mention(**m) for m in data["mentions"]],
            abbreviations=[Abbreviation(**a) for a in data["abbreviations"]],
            relations=[MentionRelation(**r) for r in data["relations"]],
            roles=[MentionRole(**r) for r in data["roles"]],
        )


@dataclass(slots=True)
class Concept:
    """One resolved concept: a node of the graph.

    ``id`` is stable across rebuilds of the same input: ``<type>/<slug>`` of the canonical label,
    or, for a concept labelled by its acronym, of its most used full form (lower case; see
    :func:`kg.resolve.labels.id_form`), with a numeric suffix only when two different concepts
    would get the same slug.
    ``aliases`` maps every surface form seen to its number of mentions.
    ``type_votes`` are the papers voting for each label (:mod:`kg.resolve.types`);
    ``ambiguous_type`` is True when no label had the margin, so ``type`` is the best guess;
    ``confidence`` combines its papers and mention scores (:mod:`kg.resolve.confidence`).
    """

    id: str
    type: str  # one of LABELS
    label: str
    aliases: dict[str, int] = field(default_factory=dict)
    acronym: str | None = None
    paper_count: int = 0
    mention_count: int = 0
    first_seen: str | None = None  # earliest Paper.date among its papers
    last_seen: str | None = None
    type_votes: dict[str, int] = field(default_factory=dict)
    ambiguous_type: bool = False
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where an edge comes from: one sentence of one paper and the spans in it.

    Offsets are into ``paper.text``; the quote of a span is ``paper.text[start:end]`` and the
    sentence is ``paper.text[sentence_start:sentence_end]``. ``method`` names the rule or
    model (with kg's extractor version) that produced the edge.
    """

    id: str
    paper_id: str
    sentence_start: int
    sentence_end: int
    spans: tuple[tuple[int, int], ...]
    method: str
    confidence: float


#: Evidence records kept per edge (paper link, relation or look-alike link).
MAX_EVIDENCE = 5


def evidence_id(paper_id: str, spans: Sequence[tuple[int, int]], method: str) -> str:
    """The id of the :class:`Evidence` of ``method`` over ``spans`` in ``paper_id``.

    The first 16 hex digits of the sha1 of ``"<paper id>|<start>-<end>;...|<method>"``: stable
    across rebuilds and input order. The one implementation, used by the resolver (look-alike
    links) and by :mod:`kg.build` (every other edge); the one- and two-span cases are spelled
    out because the build calls this once per mention and sentence pair.

    Example
    -------
    >>> evidence_id("arxiv:1", [(0, 4)], "ner")
    '01207fa9288d5e9c'
    >>> evidence_id("arxiv:1", [(0, 4), (9, 12)], "ner") == evidence_id("arxiv:1", ((0, 4), (9, 12)), "ner")
    True
    """
    if len(spans) == 1:
        (s, e), = spans
        raw = f"{paper_id}|{s}-{e}|{method}"
    elif len(spans) == 2:
        (s, e), (s2, e2) = spans
        raw = f"{paper_id}|{s}-{e};{s2}-{e2}|{method}"
    else:
        raw = f"{paper_id}|{';'.join(f'{s}-{e}' for s, e in spans)}|{method}"
    return _sha1(raw.encode("utf-8")).hexdigest()[:16]


_sha1 = hashlib.sha1


@dataclass(slots=True)
class PaperLink:
    """Paper -> concept edge with a role (mentions, proposes, uses, ...)."""

    paper_id: str
    concept_id: str
    role: str
    count: int  # mentions of the concept in the paper supporting this role
    evidence: list[str] = field(default_factory=list)  # Evidence ids, at most a few
    confidence: float = 1.0


@dataclass(slots=True)
class Relation:
    """Concept -> concept edge aggregated over the corpus.

    ``count`` is the number of sentences supporting it, ``papers`` the number of distinct
    papers; ``evidence`` keeps the ids of a bounded sample of supporting Evidence.
    """

    source: str
    target: str
    type: str  # one of RELATION_TYPES
    count: int = 0
    papers: int = 0
    evidence: list[str] = field(default_factory=list)
    confidence: float = 1.0


@dataclass(slots=True)
class BuildStats:
    """Counts reported in summary.md and at the end of ``kg build``."""

    records_read: int = 0
    papers: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    extracted: int = 0
    from_cache: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    min_confidence: float | None = None  # --min-confidence of the build (None: nothing hidden)
    hidden_concepts: int = 0  # singletons it hid from every output
    hidden_mentions: int = 0  # their mentions (unresolved in mentions.jsonl)
    oxigraph: dict[str, Any] = field(default_factory=dict)  # how the Oxigraph store was written (kg.rdf.oxstore.write_store)


@dataclass(slots=True)
class KnowledgeGraph:
    """The resolved graph: the single source every output shape is written from."""

    papers: dict[str, Paper] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    links: list[PaperLink] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    evidence: Mapping[str, Evidence] = field(default_factory=dict)  # kg.build: kg.evidence_records.EvidenceRecords
    stats: BuildStats = field(default_factory=BuildStats)
    extractor_version: str = ""
    redirects: dict[str, str] = field(default_factory=dict)  # retired concept id -> the id replacing it (kg.resolve.stable_ids)

    def sentence(self, evidence: Evidence) -> str:
        """The sentence an evidence record quotes."""
        text = self.papers[evidence.paper_id].text
        return text[evidence.sentence_start : evidence.sentence_end]

    def quote(self, evidence: Evidence, span: int = 0) -> str:
        """The exact text of one of the evidence's spans."""
        start, end = evidence.spans[span]
        return self.papers[evidence.paper_id].text[start:end]
