"""``kg build`` over a previous build: an update keeps ids and equals a clean build otherwise,
and a build killed during an update leaves the previous outputs and state as they were."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build_state import STATE_DIR, NotAnUpdate, read_state
from kg.pipeline import BuildOptions, build

from ..export.script_model import apply_script, empty_db
from ..helpers import write_sample_slices
from .outputs_compare import compare_all


#: Sample papers in the first build, and papers added by the update (seeded slice of the sample).
FIRST, ADDED = 120, 180


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path, Path]:
    """Two JSON Lines files of real sample papers (dates kept) and a shared extraction cache."""
    folder = tmp_path_factory.mktemp("inputs")
    a, b = write_sample_slices(folder, FIRST, ADDED)
    return a, b, folder / "cache"


@pytest.fixture(scope="module")
def builds(inputs, tmp_path_factory):
    a, b, cache = inputs
    root = tmp_path_factory.mktemp("builds")
    first = build(BuildOptions(inputs=[a], out=root / "update", cache_dir=cache, jobs=1))
    snapshot = {p: p.read_bytes() for p in (root / "update").rglob("*") if p.is_file() and ".cache" not in p.parts}
    update = build(BuildOptions(inputs=[a, b], out=root / "update", cache_dir=cache, jobs=1, update=True))
    clean = build(BuildOptions(inputs=[a, b], out=root / "clean", cache_dir=cache, jobs=1))
    return first, update, clean, snapshot


@pytest.mark.slow
def test_update_equals_clean_build_up_to_ids(builds):
    first, update, clean, _ = builds
    assert (first.kind, update.kind, clean.kind) == ("clean", "update", "clean")
    mapping, redirects = compare_all(update.out, clean.out)
    # ids of the first build survive: every concept of the first build is still there or redirected
    state = read_state(update.out)
    live = set(update.kg.concepts)
    for cid in first.kg.concepts:
        assert cid in live or state.ids.redirects.get(cid) in live, cid
    # the test only means something when the update kept an id a clean build would change
    changed = {a: b for a, b in mapping.items() if a != b}
    assert changed, "no concept id differs between the update and the clean build; pick another slice"
    for kept in changed:
        assert kept in first.kg.concepts
    # redirects: one RDF triple, one changes.jsonl row and one Neo4j/NetworkX 'replaces' entry each
    changes = [json.loads(line) for line in (update.out / "changes.jsonl").read_text().splitlines()]
    moved = {row["id"]: row["into"] for row in changes if row["change"] in ("merged", "retyped")}
    assert moved and moved == state.ids.redirects
    base = "https://w3id.org/kg/resource/concept/"
    assert sorted((str(s), str(o)) for s, o in redirects) == sorted((base + o, base + n) for o, n in moved.items())
    graph = json.loads((update.out / "graph.json").read_text())
    replaces = {old for n in graph["nodes"] for old in n.get("replaces", ())}
    assert replaces == set(moved)
    header = (update.out / "neo4j" / "nodes_concept.csv").read_text().split("\n", 1)[0]
    assert header.endswith(",replaces:string[]")
    assert (clean.out / "changes.jsonl").read_text() == ""
    assert f"update: {ADDED} new paper(s)" in update.changes


@pytest.mark.slow
@pytest.mark.slow
def test_update_writes_the_neo4j_delta_of_the_previous_build(builds, tmp_path):
    """neo4j/delta.cypher over the first build's import.cypher gives the update's import.cypher
    (statements interpreted by tests/export/script_model.py; the real server: tests/neo4j)."""
    first, update, clean, snapshot = builds
    assert not (clean.out / "neo4j" / "delta.cypher").exists() and not any(p.name == "delta.cypher" for p in snapshot)
    previous = tmp_path / "previous.cypher"
    previous.write_bytes(snapshot[first.out / "neo4j" / "import.cypher"])
    db = apply_script(apply_script(empty_db(), previous), update.out / "neo4j" / "delta.cypher")
    assert db == apply_script(empty_db(), update.out / "neo4j" / "import.cypher")


def test_update_is_refused_when_papers_were_dropped(builds, inputs, tmp_path):
    _, update, _, _ = builds
    a, b, cache = inputs
    before = {p: p.read_bytes() for p in update.out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    with pytest.raises(NotAnUpdate, match="not in the inputs"):
        build(BuildOptions(inputs=[b], out=update.out, cache_dir=cache, jobs=1, update=True))
    assert {p: p.read_bytes() for p in update.out.rglob("*") if p.is_file() and ".cache" not in p.parts} == before


@pytest.mark.slow
def test_update_killed_leaves_previous_outputs_and_state(builds, inputs, tmp_path):
    first, _, _, snapshot = builds
    a, b, cache = inputs
    out = tmp_path / "out"
    build(BuildOptions(inputs=[a], out=out, cache_dir=cache, jobs=1))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert Path(STATE_DIR) / "state.json.gz" in before
    cmd = [sys.executable, "-m", "kg", "-q", "build", str(a), str(b), "--out", str(out), "--cache-dir", str(cache),
           "--jobs", "1", "--update"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    staging = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # kill once the update writes its outputs
        staged = list(out.parent.glob(f".{out.name}.kg-staging-*"))
        if staged and any(p.name.startswith(".graph.ttl") or p.name == "graph.ttl" for p in staged[0].iterdir()):
            staging = staged[0]
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    assert proc.wait(30) == -signal.SIGKILL, f"the build was not killed while writing: {proc.stderr.read()[-500:]}"
    assert staging is not None
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert after == before
    # the next update still finds the previous state, and cleans the killed build's staging folder
    again = build(BuildOptions(inputs=[a, b], out=out, cache_dir=cache, jobs=1, update=True))
    assert again.kind == "update" and not staging.exists()


@pytest.mark.slow
def test_a_build_from_a_warm_cache_loads_no_model(builds, inputs, tmp_path):
    """Everything after extraction runs without spaCy, thinc or torch: a build whose papers are all
    in the cache imports none of them (the graph builder once imported the relation component's
    module for its cue patterns, which pulled in spaCy and torch: ~2.5 CPU s and ~0.5 GB per build)."""
    a, b, cache = inputs
    script = (
        "import sys\n"
        "from kg.cli import main\n"
        f"rc = main(['build', '-q', {str(a)!r}, {str(b)!r}, '--out', {str(tmp_path / 'out')!r}, '--cache-dir', {str(cache)!r}, '--jobs', '1'])\n"
        "print(rc, sorted(m for m in ('spacy', 'thinc', 'torch') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr


def test_the_resolver_caches_are_released_before_the_graph_is_built(builds, inputs, tmp_path, monkeypatch):
    """The resolution rules' memo caches (up to ~3.4 million entries) are emptied once resolution
    is done, so the graph and writers reuse their memory (docs/scale.md, "Memory")."""
    import kg.build
    from kg.resolve.normalize import form_key

    a, _b, cache = inputs
    seen = []
    real = kg.build.build_graph

    def spy(*args, **kwargs):
        seen.append(form_key.cache_info().currsize)
        return real(*args, **kwargs)

    monkeypatch.setattr(kg.build, "build_graph", spy)
    build(BuildOptions(inputs=[a], out=tmp_path / "out", cache_dir=cache, jobs=1))
    assert seen == [0]
