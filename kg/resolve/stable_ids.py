"""Permanent concept ids across builds: the ``matching key -> id`` table and redirects.

A clean build names a concept by its label (:func:`kg.resolve.labels.id_form`), so a concept
whose label changes as the corpus grows ("deep nets" -> "deep networks"), or whose cluster
gains or loses forms, would get another id in the next build. To keep ids permanent, a build
keeps the table of every matching key of every concept (``form_key`` of each alias) -> the id
it was given (:class:`IdTable`), and the next build of the same output folder
(docs/resolution.md, section 2.4):

1. gives a concept the previous id that most of its mentions carried (the mentions of its
   aliases whose key had that id, same concept type only); an old id goes to the concept that
   holds most of its mentions (pairs taken greedily, heaviest first; ties by ids, so the result
   does not depend on input order), except that a concept whose clean-build id is one of the
   ids its forms carried keeps that one first;
2. gives every other concept the id a clean build would give it, with ``-2``, ``-3``... when
   that id is held by a kept concept or was ever used before (an id never changes meaning);
3. redirects every previous id that no concept kept to the concept holding most of its
   mentions: ``merged`` (same type) or ``retyped`` (the type vote flipped); earlier redirects
   follow their target. Redirects accumulate build after build.

The changes of one build are :class:`Change` records (``changes.jsonl``): ``new``, ``split``
(a new concept made of forms that had an id kept by another concept), ``merged``,
``retyped``, ``renamed`` (same id, another label) and ``removed`` (no concept has the forms
any more: only when the inputs lost papers).
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.models import Concept
from kg.resolve.normalize import form_key


@dataclass
class IdTable:
    """What a build keeps of its concept ids for the next build.

    ``keys``: matching key -> the ids of the concepts holding it (one per type when a cluster
    was split by type; sorted). ``concepts``: id -> ``(label, paper count)`` (for the
    ``renamed`` changes and the risers). ``redirects``: every retired id -> the id that
    replaces it now. ``retired``: ids ever used and no longer live (never given out again).
    """

    keys: dict[str, list[str]] = field(default_factory=dict)
    concepts: dict[str, tuple[str, int]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)

    def to_json(self) -> dict:
        return {
            "keys": self.keys,
            "concepts": {cid: list(v) for cid, v in self.concepts.items()},
            "redirects": self.redirects,
            "retired": sorted(self.retired),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> IdTable:
        return cls(
            keys={k: list(v) for k, v in data["keys"].items()},
            concepts={cid: (v[0], int(v[1])) for cid, v in data["concepts"].items()},
            redirects=dict(data["redirects"]),
            retired=set(data["retired"]),
        )


@dataclass(frozen=True)
class Change:
    """One change of a concept id or label between the previous build and this one."""

    change: str  # new, split, merged, retyped, renamed, removed
    id: str  # the concept's id (for merged/retyped/removed: the old, retired id)
    label: str
    into: str | None = None  # merged/retyped: the id that replaces ``id``
    source: str | None = None  # split: the old id whose forms it took some of
    old_label: str | None = None  # renamed, merged, retyped, removed: the previous label
    papers: int | None = None  # the concept's papers in this build (``into``'s for merged/retyped)

    def to_json(self) -> dict:
        row = {"change": self.change, "id": self.id, "label": self.label}
        for name in ("into", "source", "old_label", "papers"):
            value = getattr(self, name)
            if value is not None:
                row["from" if name == "source" else name] = value
        return row


@dataclass
class IdAssignment:
    """The outcome of :func:`assign_ids`: the final id of every concept of this build."""

    rename: dict[str, str]  # id given by this build's resolution -> final id
    redirects: dict[str, str]  # every retired id -> final id (accumulated over builds)
    changes: list[Change]
    table: IdTable  # what the next build starts from


def concept_keys(concept: Concept) -> set[str]:
    """The matching keys of a concept: ``form_key`` of each of its aliases (see kg.resolve.normalize)."""
    return {k for form in concept.aliases if (k := form_key(form))}


def _key_weights(concept: Concept) -> dict[str, int]:
    weights: dict[str, int] = defaultdict(int)
    for form, n in concept.aliases.items():
        key = form_key(form)
        if key:
            weights[key] += n
    return weights


def _type_of(cid: str) -> str:
    return cid.split("/", 1)[0].upper()


# Kept whole (~80 lines of code): its four passes (carried mentions, final ids, changes, next table) share six tables.
def assign_ids(concepts: Mapping[str, Concept], previous: IdTable | None) -> IdAssignment:
    """The final id of every concept of ``concepts`` (keyed by the ids a clean build gives),
    keeping the ids of ``previous`` (see the module docstring).

    Example
    -------
    >>> old = assign_ids({"method/deep-nets": Concept("method/deep-nets", "METHOD", "deep nets", {"deep nets": 3})}, None)
    >>> new = {"method/deep-networks": Concept("method/deep-networks", "METHOD", "deep networks",
    ...        {"deep networks": 5, "deep nets": 3}, paper_count=4)}
    >>> a = assign_ids(new, old.table)
    >>> a.rename, [c.change for c in a.changes]
    ({'method/deep-networks': 'method/deep-nets'}, ['renamed'])
    """
    if previous is None:
        previous = IdTable()
    weights = {cid: _key_weights(c) for cid, c in concepts.items()}
    # (concept, old id) -> mentions of the concept's forms whose key carried the old id
    carried: dict[tuple[str, str], int] = defaultdict(int)
    for cid, kw in weights.items():
        for key, n in kw.items():
            for old in previous.keys.get(key, ()):
                carried[(cid, old)] += n
    rename: dict[str, str] = {}
    kept_old: set[str] = set()
    # a concept whose clean-build id is one of the old ids its forms carried keeps it first (two
    # concepts named only by one acronym, "ENAS", share their keys: the names tell them apart)
    for (cid, old), n in sorted(carried.items(), key=lambda kv: (kv[0][1] != kv[0][0], -kv[1], kv[0][0], kv[0][1])):
        if cid in rename or old in kept_old or _type_of(old) != concepts[cid].type:
            continue
        rename[cid] = old
        kept_old.add(old)
    taken = set(kept_old)
    used_before = set(previous.concepts) | previous.retired | set(previous.redirects)
    for cid in sorted(concepts):
        if cid in rename:
            continue
        final, k = cid, 1
        while final in taken or final in used_before:
            k += 1
            final = f"{cid}-{k}"
        rename[cid] = final
        taken.add(final)

    changes: list[Change] = []
    # the concept holding most of an old id's mentions (ties: the smaller final id)
    holders: dict[str, list[tuple[int, str]]] = defaultdict(list)
    carried_by: dict[str, list[tuple[int, str]]] = defaultdict(list)  # concept -> (mentions, old id)
    for (cid, old), n in carried.items():
        holders[old].append((n, rename[cid]))
        carried_by[cid].append((n, old))
    final_concepts = {rename[cid]: c for cid, c in concepts.items()}
    redirects: dict[str, str] = {}
    retired = set(previous.retired)
    for old in sorted(previous.concepts):
        label = previous.concepts[old][0]
        if old in kept_old:
            continue
        retired.add(old)
        if old in holders:
            n, into = min(holders[old], key=lambda h: (-h[0], h[1]))
            c = final_concepts[into]
            redirects[old] = into
            changes.append(Change("merged" if _type_of(old) == c.type else "retyped", old, c.label, into=into,
                                  old_label=label, papers=c.paper_count))
        else:
            changes.append(Change("removed", old, label, old_label=label))
    for old, target in previous.redirects.items():  # earlier redirects follow their target
        while target in redirects:
            target = redirects[target]
        if target in final_concepts:
            redirects[old] = target
    redirect_targets = {new for old, new in redirects.items() if old in previous.concepts}
    for cid, c in concepts.items():
        final = rename[cid]
        if final in kept_old:
            old_label = previous.concepts[final][0]
            if old_label != c.label:
                changes.append(Change("renamed", final, c.label, old_label=old_label, papers=c.paper_count))
        else:
            sources = [(n, old) for n, old in carried_by.get(cid, ()) if old in kept_old]
            if sources:
                changes.append(Change("split", final, c.label, source=max(sources)[1], papers=c.paper_count))
            elif previous.concepts and final not in redirect_targets:  # else reported as merged/retyped
                changes.append(Change("new", final, c.label, papers=c.paper_count))
    changes.sort(key=lambda ch: (ch.change, ch.id))

    table = IdTable(retired=retired - set(final_concepts), redirects=dict(sorted(redirects.items())))
    keys: dict[str, list[str]] = defaultdict(list)
    for cid, kw in weights.items():
        for key in kw:
            keys[key].append(rename[cid])
    table.keys = {k: sorted(v) for k, v in sorted(keys.items())}
    table.concepts = {rename[cid]: (c.label, c.paper_count) for cid, c in sorted(concepts.items(), key=lambda kv: rename[kv[0]])}
    return IdAssignment(rename=rename, redirects=table.redirects, changes=changes, table=table)


def apply_ids(resolution, rename: Mapping[str, str]) -> None:
    """Rename the concepts of a :class:`~kg.resolve.resolver.Resolution` in place (``rename``:
    every current id -> its final id); concepts, relations and merges are sorted again."""
    if all(old == new for old, new in rename.items()):
        return
    concepts = {}
    for cid, c in resolution.concepts.items():
        c.id = rename[cid]
        concepts[c.id] = c
    resolution.concepts = {cid: concepts[cid] for cid in sorted(concepts)}
    resolution._ids = [rename[cid] for cid in resolution._ids]  # the mention rows index this list
    for rel in resolution.relations:
        rel.source, rel.target = rename[rel.source], rename[rel.target]
    resolution.relations.sort(key=lambda r: (r.source, r.target, r.type))
    merges = [dataclasses.replace(m, concept=rename[m.concept]) for m in resolution.merges]
    merges.sort(key=lambda m: (m.concept, m.rule, m.form, m.into))
    resolution.merges = merges


def write_changes(changes: Iterable[Change], path: str | Path) -> Path:
    """``changes.jsonl``: one JSON object per :class:`Change`, sorted by change and id."""
    from kg.output import atomic_open

    path = Path(path)
    with atomic_open(path) as fh:
        for ch in changes:
            fh.write(json.dumps(ch.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
    return path
