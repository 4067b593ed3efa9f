"""Lexicons as label votes: names that Papers with Code lists as a task, a dataset or a metric.

The packaged list (``kg/data/lexicons/type_lexicon.tsv``, CC BY-SA 4.0, see the README beside
it) is derived from ``../shared/lexicons/`` by ``scripts/build_type_lexicon.py``. It is used for
one thing only: an undecided type vote (:func:`kg.resolve.types.decide_type`) gets one more
vote for the lexicon's label when the model voted for that label too. It never adds a mention,
never changes a decided type, and never gives a concept a label the model did not predict.

Entries are matched by the resolver's own matching key (:func:`kg.resolve.normalize.form_key`),
so "Fashion-MNIST", "fashion MNIST" and "Fashion MNIST" are one entry, as they are one name.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from kg.models import LABELS
from kg.resolve.normalize import clean_form, form_key

#: The packaged lexicon: ``name<TAB>label`` with a header row.
LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicons" / "type_lexicon.tsv"


@lru_cache(maxsize=4)
def type_lexicon(path: str | Path = LEXICON_PATH) -> dict[str, str]:
    """Matching key -> label of every lexicon entry; keys two entries give different labels are
    left out (a name the lists disagree on is no evidence).

    Raises ``ValueError`` naming the file and line of a row without a name or with a label
    that is not one of :data:`kg.models.LABELS`.
    """
    labels: dict[str, set[str]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for line, row in enumerate(reader, 2):
            if len(row) < 2 or not row[0].strip() or row[1] not in LABELS:
                raise ValueError(f"{path}:{line}: expected 'name<TAB>label' with a label of {', '.join(LABELS)}")
            key = form_key(clean_form(row[0]))
            if key:
                labels.setdefault(key, set()).add(row[1])
    return {key: next(iter(found)) for key, found in labels.items() if len(found) == 1}


def lexicon_label(hits: Mapping[str, int] | None) -> str | None:
    """The label a concept's lexicon hits (label -> mentions whose key is in the lexicon) vote
    for: the only one, or the one with most mentions (a tie: no vote).

    >>> lexicon_label({"DATASET": 3}), lexicon_label({"DATASET": 1, "TASK": 1}), lexicon_label(None)
    ('DATASET', None, None)
    """
    if not hits:
        return None
    ranked = sorted(hits.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
