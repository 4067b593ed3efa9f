"""One concept, one type: a concept's type from its papers' votes, with a margin.

The NER labels one name differently in different sentences and papers ("SMOTE" a METHOD in most
papers, a DATASET in one). A concept gets one type, voted by its papers:

1. each paper casts one vote, for the label most of its mentions of the concept carry (a paper
   whose mentions tie votes for each of the tied labels), so one paper that repeats a mislabel
   counts once (:func:`paper_vote`);
2. the label with most votes is the type; it is *decided* when it has at least
   :data:`TYPE_MARGIN` of the votes (at least twice the votes of all other labels together);
3. a vote that is not decided may be tilted by a lexicon (:mod:`kg.resolve.lexicon`): when the
   lexicon names the concept with a label the model voted for, that label gets
   :data:`LEXICON_VOTES` more votes; the lexicon never adds a label the model did not predict;
4. a type still not decided is *ambiguous*: the concept keeps the label with most votes (ties:
   the lexicon's label, then the order of :data:`kg.models.LABELS`) and is flagged, so readers
   and ``summary.md`` can tell a voted type from a guessed one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from kg.models import LABELS, Extraction
from kg.resolve.lexicon import lexicon_label

#: Share of the votes the leading label needs for the type to be decided (not ambiguous).
TYPE_MARGIN = 2 / 3
#: Votes a lexicon adds to a label the model voted for, when the model's vote is not decided.
LEXICON_VOTES = 1


@dataclass(frozen=True, slots=True)
class TypeDecision:
    """The type of one concept and how it was reached.

    ``votes`` are the model's votes (papers per label, in the order of :data:`LABELS`);
    ``lexicon`` is the label a lexicon added votes to (None: the lexicon took no part).
    """

    type: str
    votes: dict[str, int] = field(default_factory=dict)
    ambiguous: bool = False
    lexicon: str | None = None


def paper_vote(labels: Mapping[str, int]) -> list[str]:
    """The labels one paper votes for: those most of its mentions of the concept carry.

    Example
    -------
    >>> paper_vote({"DATASET": 3, "METHOD": 1}), paper_vote({"TASK": 1, "METHOD": 1})
    (['DATASET'], ['METHOD', 'TASK'])
    """
    top = max(labels.values())
    return [label for label in LABELS if labels.get(label, 0) == top and top > 0]


def decide_type(votes: Mapping[str, int], lexicon_label: str | None = None, margin: float = TYPE_MARGIN) -> TypeDecision:
    """The type of a concept from its papers' ``votes`` (label -> papers), tilted by
    ``lexicon_label`` only when the model's vote is not decided and the model voted for it.

    Example
    -------
    >>> decide_type({"METHOD": 5, "DATASET": 1})  # SMOTE: one paper's DATASET is outvoted
    TypeDecision(type='METHOD', votes={'METHOD': 5, 'DATASET': 1}, ambiguous=False, lexicon=None)
    >>> decide_type({"METHOD": 1, "DATASET": 1}).ambiguous, decide_type({"METHOD": 1, "DATASET": 1}).type
    (True, 'METHOD')
    >>> decide_type({"METHOD": 1, "DATASET": 1}, lexicon_label="DATASET")
    TypeDecision(type='DATASET', votes={'METHOD': 1, 'DATASET': 1}, ambiguous=False, lexicon='DATASET')
    >>> decide_type({"METHOD": 1}, lexicon_label="DATASET").type  # never a label the model did not predict
    'METHOD'
    """
    ordered = {label: votes[label] for label in LABELS if votes.get(label, 0) > 0}
    if not ordered:
        raise ValueError("a type vote needs at least one vote")
    top, n = _leading(ordered, None)
    total = sum(ordered.values())
    if n >= margin * total:
        return TypeDecision(top, ordered)
    if lexicon_label is None or lexicon_label not in ordered:
        return TypeDecision(top, ordered, ambiguous=True)
    tilted = Counter(ordered)
    tilted[lexicon_label] += LEXICON_VOTES
    top, n = _leading(tilted, lexicon_label)
    return TypeDecision(top, ordered, ambiguous=n < margin * (total + LEXICON_VOTES), lexicon=lexicon_label)


def _leading(votes: Mapping[str, int], prefer: str | None) -> tuple[str, int]:
    """The label with most votes; ties go to ``prefer``, then to the order of :data:`LABELS`."""
    label = min(votes, key=lambda lab: (-votes[lab], lab != prefer, LABELS.index(lab)))
    return label, votes[label]


_LABEL = attrgetter("label")


def cluster_types(exts: Sequence[Extraction], clusters: Mapping[str, Sequence[str | None]], keys: Mapping[str, Sequence[str | None]], lexicon: Mapping[str, str]) -> dict[str, TypeDecision]:
    """The type of every cluster, voted by its papers (:func:`paper_votes`) and tilted by the
    ``lexicon`` (matching key -> label; ``{}``: none) where the vote is not decided.

    ``clusters`` and ``keys`` hold, per paper id, the cluster and the matching key of each
    mention (None: not resolved).
    """
    votes: Counter = Counter()  # (cluster, label) -> papers voting for it
    lexicon_count: Counter = Counter()  # (cluster, lexicon label or None) -> mentions
    for ext in exts:
        row = clusters[ext.paper_id]
        paper_votes(Counter(zip(row, map(_LABEL, ext.mentions))), len(set(row)), votes)
        if lexicon:
            hits = list(map(lexicon.get, keys[ext.paper_id]))
            if hits.count(None) < len(hits):
                lexicon_count.update(zip(row, hits))
    type_votes: dict[str, Counter] = defaultdict(Counter)  # cluster -> papers voting for each label
    for (c, label), n in votes.items():
        if c is not None:
            type_votes[c][label] += n
    del votes
    lexicon_hits: dict[str, Counter] = defaultdict(Counter)  # cluster -> lexicon labels of its mentions
    for (c, label), n in lexicon_count.items():
        if c is not None and label is not None:
            lexicon_hits[c][label] += n
    del lexicon_count
    return {c: decide_type(v, lexicon_label(lexicon_hits.get(c))) for c, v in type_votes.items()}


def paper_votes(labelled: Mapping[tuple[str | None, str], int], n_clusters: int, votes: Counter) -> None:
    """Add one paper's type votes to ``votes`` ((cluster, label) -> papers): ``labelled`` is
    the paper's (cluster, mention label) -> mentions, ``n_clusters`` its distinct clusters. A
    cluster written with one label votes for it; one written with several votes as
    :func:`paper_vote` says (most papers take the first, C-level branch).

    Example
    -------
    >>> votes = Counter()
    >>> paper_votes({("smote", "DATASET"): 4, ("smote", "METHOD"): 1, (None, "TASK"): 1}, 2, votes)
    >>> votes
    Counter({('smote', 'DATASET'): 1})
    """
    if len(labelled) == n_clusters:  # every cluster (None included) carries one label here
        votes.update(labelled.keys())
        return
    by_cluster: dict[str, dict[str, int]] = defaultdict(dict)
    for (c, label), n in labelled.items():
        if c is not None:
            by_cluster[c][label] = n
    for c, labels in by_cluster.items():
        votes.update([(c, label) for label in paper_vote(labels)])
