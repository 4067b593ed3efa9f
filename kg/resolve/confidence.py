"""A concept's confidence, and which singletons ``--min-confidence`` hides.

Every mention carries the extractor's confidence (``Mention.score``): the encoder's mean
probability of the span's tags for ``--extractor accurate``, 1.0 from the CNN, which gives none.
A concept's confidence combines how many papers name it with how sure the extractor was there:

    confidence = 1 - prod over its papers p of (1 - PAPER_WEIGHT * s_p)

where ``s_p`` is the highest score of the concept's mentions in paper ``p``. Each paper is
independent evidence that counts for at most :data:`PAPER_WEIGHT` (a single paper never makes a
concept more than even odds: on the guideline dev set, about half of either extractor's
mentions are exactly right); with full scores a concept of 1 paper has 0.5, of 2 papers 0.75,
of 3 papers 0.875. So a singleton's confidence is ``PAPER_WEIGHT * s``: 0.5 for every CNN
singleton, and for the encoder half its best mention's score.

Hiding (``--min-confidence X``) only ever applies to singletons (concepts of one paper) whose
confidence is below ``X``: a concept several papers name stays, whatever its scores. A hidden
concept is removed from the resolution itself (:func:`kg.resolve.hiding.hide_low_confidence`), so it is absent
from every output written from it: no node, link, relation or evidence of it, its mentions
unresolved (``concept`` null in ``mentions.jsonl``, left out by ``kg extract``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: The most one paper's mention adds to a concept's confidence (see the module docstring).
PAPER_WEIGHT = 0.5
#: ``kg map``'s (and ``map.html``'s) default ``--min-confidence``: singletons below it are not
#: drawn. 0.4 keeps every CNN singleton (0.5: the CNN gives no per-mention confidence, so none
#: can be told from another) and hides encoder singletons whose best mention scored below 0.8
#: (see docs/extraction.md for the measured precision per score).
MAP_MIN_CONFIDENCE = 0.4


def concept_confidence(paper_scores: Iterable[float]) -> float:
    """The confidence of a concept from the best mention score in each of its papers.

    Example
    -------
    >>> concept_confidence([1.0]), concept_confidence([1.0, 1.0]), concept_confidence([0.6])
    (0.5, 0.75, 0.3)
    """
    return round(1.0 - math.prod(paper_miss(s) for s in paper_scores), 4)


def paper_miss(score: float) -> float:
    """One paper's factor in the confidence product: ``1 - PAPER_WEIGHT * score`` (score in [0, 1]).

    >>> paper_miss(1.0), paper_miss(0.2)
    (0.5, 0.9)
    """
    return 1.0 - PAPER_WEIGHT * min(max(score, 0.0), 1.0)


def is_hidden(paper_count: int, confidence: float, min_confidence: float) -> bool:
    """Whether ``--min-confidence`` hides a concept: a singleton below the threshold.

    >>> is_hidden(1, 0.3, 0.4), is_hidden(2, 0.3, 0.4), is_hidden(1, 0.5, 0.4)
    (True, False, False)
    """
    return paper_count <= 1 and confidence < min_confidence
