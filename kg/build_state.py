"""What one build leaves for the next: ``OUT/.kg-state/state.json.gz``.

The state holds the versions that made the build, the ids of its papers and its concept id
table (:class:`kg.resolve.stable_ids.IdTable`). It is written into the staging folder with
every other output, so it is switched in with them in one step (:func:`kg.output.output_set`):
a build killed at any point leaves the previous outputs *and* the previous state, never a
state that does not describe the outputs beside it.

The next build into the same folder reads it (:func:`read_state`) and is

* an **update** when the previous papers are all among its inputs and the extractor and the
  resolver are the same (``kg build --update`` fails before extraction otherwise);
* a **rebuild** when there is a state but it is not an update (papers dropped, another model);
* **clean** when there is none.

Every kind keeps the previous ids (:func:`kg.resolve.stable_ids.assign_ids`).
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from kg.resolve.stable_ids import IdAssignment, IdTable

log = logging.getLogger(__name__)

#: Folder of the state inside an output folder, and its file.
STATE_DIR = ".kg-state"
STATE_FILE = "state.json.gz"
#: Version of the file's layout; a state of another version is ignored (clean build).
STATE_FORMAT = 1


@dataclass
class BuildState:
    """One build's state: versions, paper ids (sorted) and the concept id table."""

    extractor: str
    resolver: str
    papers: list[str]
    ids: IdTable


class NotAnUpdate(RuntimeError):
    """``--update`` was asked for, but the output folder holds no state this build can update."""


def read_state(out: str | Path) -> BuildState | None:
    """The state of the build in the output folder ``out``; None when there is none or it is
    unreadable or of another format (logged as a warning: the build is then a clean one)."""
    path = Path(out) / STATE_DIR / STATE_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as exc:
        log.warning("%s: unreadable build state (%s); ids start afresh", path, exc)
        return None
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        log.warning("%s: build state of another format; ids start afresh", path)
        return None
    try:
        return BuildState(data["extractor"], data["resolver"], list(data["papers"]), IdTable.from_json(data["ids"]))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        log.warning("%s: damaged build state (%s); ids start afresh", path, exc)
        return None


def write_state(state: BuildState, folder: str | Path) -> Path:
    """Write ``state`` into ``folder/.kg-state/`` (``folder``: the staging folder); gzip with a
    fixed mtime, so two builds of the same input write the same bytes."""
    from kg.output import atomic_open

    path = Path(folder) / STATE_DIR / STATE_FILE
    data = {"format": STATE_FORMAT, "extractor": state.extractor, "resolver": state.resolver,
            "papers": state.papers, "ids": state.ids.to_json()}
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with atomic_open(path, "wb", encoding=None) as fh:
        fh.write(gzip.compress(raw, compresslevel=6, mtime=0))
    return path


def build_kind(previous: BuildState | None, papers, extractor: str, resolver: str) -> str:
    """``clean``, ``update`` or ``rebuild`` (see the module docstring); ``papers``: the ids read now."""
    if previous is None:
        return "clean"
    if previous.extractor == extractor and previous.resolver == resolver and set(previous.papers) <= set(papers):
        return "update"
    return "rebuild"


def why_not_update(previous: BuildState | None, papers, extractor: str, resolver: str) -> str:
    """Why :func:`build_kind` is not ``update`` (for ``--update``'s error)."""
    if previous is None:
        return "the output folder holds no previous build state"
    if previous.extractor != extractor:
        return f"the previous build used another extractor ({previous.extractor})"
    if previous.resolver != resolver:
        return f"the previous build used other resolution rules (version {previous.resolver})"
    missing = len(set(previous.papers) - set(papers))
    return f"{missing} paper(s) of the previous build are not in the inputs"


def change_report(kind: str, previous: BuildState | None, papers, concepts, assignment: IdAssignment, top: int = 5) -> str:
    """What changed since the previous build, as printed by ``kg build``: new papers, new
    concepts, merged/renamed concepts and the top risers by papers."""
    if previous is None:
        return ""
    counts: dict[str, int] = {}
    for ch in assignment.changes:
        counts[ch.change] = counts.get(ch.change, 0) + 1
    new_papers = len(set(papers) - set(previous.papers))
    lines = [f"{kind}: {new_papers} new paper(s) since the previous build; concepts: "
             + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("new", "split", "merged", "retyped", "renamed", "removed"))
             + " (changes.jsonl)"]
    for ch in [c for c in assignment.changes if c.change in ("merged", "retyped")][:top]:
        lines.append(f"  {ch.change}: {ch.old_label!r} ({ch.id}) -> {ch.label!r} ({ch.into})")
    for ch in [c for c in assignment.changes if c.change == "renamed"][:top]:
        lines.append(f"  renamed: {ch.id}: {ch.old_label!r} -> {ch.label!r}")
    risers = []
    for c in concepts.values():
        old = previous.ids.concepts.get(c.id)
        if old is not None and c.paper_count > old[1]:
            risers.append((c.paper_count - old[1], c.paper_count, c.id, c.label))
    risers.sort(key=lambda r: (-r[0], -r[1], r[2]))
    if risers:
        lines.append("  top risers: " + ", ".join(f"{label} +{d} ({n} papers)" for d, n, _cid, label in risers[:top]))
    return "\n".join(lines)
