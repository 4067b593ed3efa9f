"""The Oxigraph store ``kg build`` writes beside the graph file, and which store a query opens.

A graph of tens of millions of triples takes minutes to load, so the build loads it once: right
after ``graph.<ext>`` is written, a separate process bulk-loads it into ``graph.<ext>.oxigraph/``
(:func:`kg.rdf.store.build_oxigraph`: Oxigraph's bulk loader, the source stamp that
``kg query`` and ``kg serve`` check) while the build writes its other files. Both sit in the
build's staging folder, so the store is switched in with every other output, atomically, and
``kg query``/``kg serve`` open it read-only at once. A separate process, not a thread: the
loader's memory (RocksDB, the loader's buffers) is returned when it ends, and a crash in it
fails the build instead of the build process.

An update or rebuild of an output folder passes the previous build's graph file too: when the
store beside it is up to date with it, the new store is that store, copied as a RocksDB
checkpoint (hard links) and changed by the difference of the two graph files
(:func:`kg.rdf.store_delta.update_oxigraph`), when at most 35% of the new file's blocks
changed (real updates change 25% at 10,000 + 1,000 papers and 18% at 80,000 + 1,000, because
counts and ranks sit in the entity blocks; in place pays up to about 40%: docs/scale.md).
Whenever that path cannot be taken or fails, the store is bulk-loaded as in a first build; either way the process prints one JSON line saying which path it took (:func:`write_store`).

Which store a query uses (:func:`choose_backend`, ``--store auto``, the default): the Oxigraph
store when an up-to-date one is beside the graph file, else rdflib's memory store for a graph
file under :data:`MEMORY_MAX_BYTES`, else Oxigraph (built once on first use).

    python -m kg.rdf.oxstore output/graph.ttl      # (re)build the store of a graph file
    python -m kg.rdf.oxstore new/graph.ttl old/graph.ttl   # from old's store where it can
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.lifeline import end_with_parent_from_env, helper_env
from kg.rdf.store import build_oxigraph, oxigraph_dir, oxigraph_up_to_date

#: ``kg build --oxigraph auto`` writes the store from this many papers on (about 600,000 triples).
#: docs/rdf.md's benchmark: rdflib loads 10^5 triples in 12 s and 10^6 in 102 s before its first
#: answer, Oxigraph in 1.8 s and 7.9 s; below this the build's own time matters more (the sample
#: and the tests build small graphs many times) and rdflib's load stays in seconds.
STORE_MIN_PAPERS = 1000

#: ``--store auto`` parses graph files up to this size with rdflib (about 1,000 papers of Turtle).
MEMORY_MAX_BYTES = 32 * 2**20

#: What ``kg build --oxigraph`` accepts.
STORE_CHOICES = ("auto", "yes", "no")


def wants_store(choice: str, papers: int) -> bool:
    """Whether the build writes the Oxigraph store, for ``--oxigraph CHOICE`` and ``papers``.

    >>> wants_store("auto", 500), wants_store("auto", 20000), wants_store("yes", 1), wants_store("no", 10**6)
    (False, True, True, False)
    """
    if choice not in STORE_CHOICES:
        raise ValueError(f"--oxigraph must be one of {', '.join(STORE_CHOICES)}, not {choice!r}")
    return choice == "yes" or (choice == "auto" and papers >= STORE_MIN_PAPERS)


def choose_backend(graph: str | Path, requested: str = "auto") -> str:
    """The store to open ``graph`` with: ``requested`` unless it is ``auto`` (see the module doc)."""
    if requested != "auto":
        return requested
    graph = Path(graph)
    if oxigraph_up_to_date(graph):
        return "oxigraph"
    try:
        size = graph.stat().st_size
    except OSError:
        return "memory"  # the caller reports the missing file
    return "memory" if size <= MEMORY_MAX_BYTES else "oxigraph"


def write_store(graph: str | Path, previous: str | Path | None = None) -> dict[str, Any]:
    """Write the Oxigraph store of ``graph``: in place from the store of ``previous`` (the
    previous build's graph file) where it can, else by a bulk load. Returns what was done:
    ``{"path": "in-place", ...}`` with the :class:`~kg.rdf.store_delta.DeltaReport`, or
    ``{"path": "bulk"}``, with ``"fallback"`` (why not in place) and ``"failed": true`` when the
    in-place path was tried and failed; its partial copy is gone, never switched in."""
    from kg.rdf.store_delta import DeltaUnsupported, update_oxigraph

    report: dict[str, Any] = {"path": "bulk"}
    if previous is not None:
        try:
            return {"path": "in-place", **update_oxigraph(previous, graph).as_dict()}
        except DeltaUnsupported as exc:
            report["fallback"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure: the bulk load below is always right
            report.update(fallback=f"{type(exc).__name__}: {exc}", failed=True)
    build_oxigraph(graph)
    return report


@dataclass
class StoreWriter:
    """A running store-loading process: what it loads and when it started."""

    process: subprocess.Popen
    graph: Path
    started: float


def start_store(graph: str | Path, previous: str | Path | None = None) -> StoreWriter:
    """Start writing the store of ``graph`` (from the store of ``previous`` where it can, see
    :func:`write_store`) in a separate process."""
    graph = Path(graph)
    cmd = [sys.executable, "-m", "kg.rdf.oxstore", str(graph)] + ([str(previous)] if previous is not None else [])
    # the loader ends with this process, even when it is killed (kg.lifeline)
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=helper_env())
    return StoreWriter(process, graph, time.perf_counter())


def finish_store(writer: StoreWriter) -> tuple[float, Path, dict[str, Any]]:
    """Wait for a store writer; ``(seconds it ran, store folder, what it did)`` (see
    :func:`write_store`), or ``RuntimeError`` with its error."""
    out, err = writer.process.communicate()
    seconds = time.perf_counter() - writer.started
    if writer.process.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"loading {writer.graph.name} into Oxigraph failed (exit {writer.process.returncode}): "
                           + (message[-1] if message else "no message"))
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else {}
    except ValueError:
        report = {}
    return seconds, oxigraph_dir(writer.graph), report


def stop_store(writer: StoreWriter) -> None:
    """Kill a store writer (the build is failing) and reap it; its staging folder goes with the build's."""
    if writer.process.returncode is not None:
        return  # already finished and reaped
    writer.process.kill()
    writer.process.communicate()


def main(argv: list[str] | None = None) -> int:
    end_with_parent_from_env()  # started by a build: end with it (start_store)
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m kg.rdf.oxstore GRAPH_FILE [PREVIOUS_GRAPH_FILE]", file=sys.stderr)
        return 2
    try:
        report = write_store(args[0], args[1] if len(args) == 2 else None)
    except (OSError, ValueError) as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
