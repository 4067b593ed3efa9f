"""Annotated corpora in kg's JSONL format: reading them, and turning them into spaCy Docs.

The format is the one of ``../shared/data`` (one record per line)::

    {"id": str, "text": str, "entities": [{"start": int, "end": int, "label": str}], ...}

``end`` is exclusive. ``label`` is one of :data:`kg.models.LABELS` or ``ORIG:<label>`` for a
corpus label with no clean mapping. Reading is strict about shape (a malformed line raises
:class:`CorpusError` naming the file and line) because a silently skipped gold record would
change every figure computed from the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.models import LABELS


class CorpusError(ValueError):
    """A malformed record in an annotated file (the message names the file and line)."""


@dataclass(frozen=True, slots=True)
class GoldEntity:
    start: int
    end: int
    label: str


@dataclass(slots=True)
class GoldRecord:
    """One annotated text; ``line`` is its 1-based line in ``file``."""

    id: str
    text: str
    entities: list[GoldEntity] = field(default_factory=list)
    source: str | None = None
    file: str = ""
    line: int = 0


def read_records(path: str | Path) -> Iterator[GoldRecord]:
    """Yield the records of one annotated JSONL file, checking every entity's offsets.

    Raises
    ------
    CorpusError
        On a line that is not a JSON object with ``id``, ``text`` and a list of well-formed
        ``entities`` (``0 <= start < end <= len(text)``). Blank lines are skipped.
    FileNotFoundError
        When the file does not exist.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            yield _parse_record(line, path, lineno)


def _parse_record(line: str, path: Path, lineno: int) -> GoldRecord:
    where = f"{path}:{lineno}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{where}: a record must be a JSON object")
    text = data.get("text")
    if not isinstance(text, str):
        raise CorpusError(f"{where}: 'text' is missing or not a string")
    rid = data.get("id", f"line-{lineno}")
    entities = data.get("entities", [])
    if not isinstance(entities, list):
        raise CorpusError(f"{where}: 'entities' must be a list")
    gold = []
    for i, ent in enumerate(entities):
        try:
            start, end, label = int(ent["start"]), int(ent["end"]), str(ent["label"])
        except (KeyError, TypeError, ValueError):
            raise CorpusError(f"{where}: entity {i} needs integer 'start', 'end' and a 'label'") from None
        if not 0 <= start < end <= len(text):
            raise CorpusError(f"{where}: entity {i} [{start}, {end}) is outside the text (length {len(text)})")
        gold.append(GoldEntity(start, end, label))
    return GoldRecord(id=str(rid), text=text, entities=gold, source=data.get("source"), file=str(path), line=lineno)


def collapse_spaces(record: GoldRecord) -> GoldRecord:
    """Collapse runs of spaces into one space, moving the entity offsets with the text.

    SciERC's text keeps the extra spaces its annotation tool put around every annotated span
    ("An  entity-oriented approach  is"): a model trained on it learns that a double space
    marks an entity boundary, which never holds in kg's input. Training uses collapsed text.
    """
    keep = [True] * len(record.text)
    for m in re.finditer(r" {2,}", record.text):
        for i in range(m.start() + 1, m.end()):
            keep[i] = False
    new_index = []  # old offset -> new offset
    n = 0
    for flag in keep:
        new_index.append(n)
        n += flag
    new_index.append(n)
    text = "".join(ch for ch, flag in zip(record.text, keep) if flag)
    ents = []
    for e in record.entities:
        start, end = new_index[e.start], new_index[e.end]
        # an entity never starts or ends on the kept space of a collapsed run
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            ents.append(GoldEntity(start, end, e.label))
    return GoldRecord(record.id, text, ents, record.source, record.file, record.line)


#: Label of a span whose tokens training treats as unknown (neither entity nor outside).
UNKNOWN_LABEL = "?"


def flat_entities(entities: Iterable[GoldEntity]) -> list[GoldEntity]:
    """Resolve nesting and overlaps the way the guideline does: keep the longest span.

    Ties go to the earlier span; the result is sorted by offset and has no overlaps.
    """
    chosen: list[GoldEntity] = []
    for e in sorted(entities, key=lambda e: (-(e.end - e.start), e.start, e.label)):
        if all(e.end <= c.start or e.start >= c.end for c in chosen):
            chosen.append(e)
    return sorted(chosen, key=lambda e: e.start)


def map_label(label: str, aux_labels: dict[str, str]) -> str | None:
    """kg's label for a gold label: one of LABELS, an auxiliary label, or None (dropped)."""
    if label in LABELS:
        return label
    return aux_labels.get(label)


def record_to_doc(nlp: Language, record: GoldRecord, aux_labels: dict[str, str] | None = None) -> tuple[Doc, int]:
    """A Doc of ``record.text`` with its (flattened, mapped) entities set as ``doc.ents``.

    Entities whose offsets do not fall on token boundaries are not guessed: their tokens are
    marked *missing* (neither entity nor outside), so training neither rewards nor punishes
    any prediction there; so are entities labelled :data:`UNKNOWN_LABEL` (text that may be a
    mention of a label the corpus does not annotate). Returns the Doc and the number of
    missing spans.
    """
    aux_labels = aux_labels or {}
    doc = nlp.make_doc(record.text)
    spans: list[Span] = []
    missing: list[Span] = []
    mapped = []
    for e in record.entities:
        if e.label == UNKNOWN_LABEL:
            unknown = doc.char_span(e.start, e.end, alignment_mode="expand")
            if unknown is not None:
                missing.append(unknown)
            continue
        label = map_label(e.label, aux_labels)
        if label is not None:
            mapped.append(GoldEntity(e.start, e.end, label))
    for e in flat_entities(mapped):
        span = doc.char_span(e.start, e.end, label=e.label)
        if span is None:
            expanded = doc.char_span(e.start, e.end, alignment_mode="expand")
            if expanded is not None:
                missing.append(expanded)
            continue
        spans.append(span)
    # an expanded misaligned span may touch a kept one: keep only what does not overlap
    taken = {i for s in spans for i in range(s.start, s.end)}
    missing = [s for s in missing if not any(i in taken for i in range(s.start, s.end))]
    missing = [s for i, s in enumerate(missing) if all(s.end <= o.start or s.start >= o.end for o in missing[:i])]
    doc.set_ents(spans, missing=missing, default="outside")
    return doc, len(missing)
