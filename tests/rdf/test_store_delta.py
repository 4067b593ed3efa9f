"""The Oxigraph store of a new graph file made from the store of the previous one
(:mod:`kg.rdf.store_delta`): exactly the quads of a bulk load of the new file, the previous store
never written, and a bulk load instead whenever the in-place path cannot be taken or fails."""

from __future__ import annotations

import copy
import dataclasses
import os
import shutil

import pyoxigraph as ox
import pytest

from kg.rdf.formats import get_format
from kg.rdf.oxstore import write_store
from kg.rdf.store import build_oxigraph, oxigraph_dir, oxigraph_up_to_date
from kg.rdf import store_delta
from kg.rdf.store_delta import DeltaUnsupported, apply_delta, iter_blocks, update_oxigraph
from kg.rdf.write import write_rdf

from ..helpers import bulk_loaded_quads, files_snapshot, load_script, store_quads
from ..synthetic_kg import synthetic_kg


def edited(kg):
    """``kg`` with two papers dropped (their subjects go), one concept merged away (its subject
    goes, its links and relations are left out), one concept relabelled and one paper added."""
    new = copy.deepcopy(kg)
    papers = sorted(new.papers)
    for pid in papers[:2]:
        del new.papers[pid]
    concepts = sorted(new.concepts, key=lambda cid: -new.concepts[cid].paper_count)
    del new.concepts[concepts[1]]
    new.concepts[concepts[2]] = dataclasses.replace(new.concepts[concepts[2]], label="A new label")
    extra = new.papers[papers[3]]
    new.papers["arxiv:2999.00001"] = dataclasses.replace(extra, id="arxiv:2999.00001", title="An added paper")
    return new


@pytest.fixture(autouse=True)
def small_graphs_delta(monkeypatch):
    """These graphs are small, so a few edits change more than the default share of blocks."""
    monkeypatch.setenv("KG_STORE_DELTA_MAX_FRACTION", "0.5")


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    root = tmp_path_factory.mktemp("delta")
    old_kg = synthetic_kg(80, seed=5)
    new_kg = edited(old_kg)
    return root, old_kg, new_kg


@pytest.mark.parametrize("fmt, pieces", [("turtle", "one"), ("nt", "one"), ("turtle", "many")])
def test_in_place_store_equals_the_bulk_load(graphs, fmt, pieces, tmp_path, monkeypatch):
    _, old_kg, new_kg = graphs
    if pieces == "many":  # statements looked up, parsed and loaded in many small pieces
        monkeypatch.setattr(store_delta, "PICK_BATCH", 7)
        monkeypatch.setattr(store_delta, "LOAD_BYTES", 300)
    old = write_rdf(old_kg, tmp_path / "old", format=fmt)
    new = write_rdf(new_kg, tmp_path / "new", format=fmt)
    build_oxigraph(old)
    kept = files_snapshot(oxigraph_dir(old), tmp_path / "links")
    report = update_oxigraph(old, new)
    assert oxigraph_up_to_date(new)
    assert store_quads(oxigraph_dir(new)) == bulk_loaded_quads(new, tmp_path / "oracle")
    assert report.subjects_removed >= 3  # two papers and the merged concept (and what hung on them)
    assert 0 < report.quads_deleted and 0 < report.quads_inserted
    assert report.blocks_changed < report.blocks_new  # a delta, not everything
    # the previous store: the same files, none written (hard links would show a write)
    assert files_snapshot(oxigraph_dir(old), tmp_path / "links2") == kept
    assert not any(p.name.startswith(".graph") for p in (tmp_path / "new").iterdir())  # no staging copy left


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_every_block_is_one_iri_subject(graphs, fmt, tmp_path):
    """What the delta relies on, checked on the writer's output through Oxigraph's parser: every
    line that does not begin with whitespace starts a block about one IRI subject, and the
    triples of each block are about that subject only."""
    _, old_kg, _ = graphs
    path = write_rdf(old_kg, tmp_path, format=fmt)
    blocks = iter_blocks(path)
    header = next(blocks)
    seen = 0
    for block in blocks:
        parsed = list(ox.parse(header + block + b"\n", getattr(ox.RdfFormat, get_format(fmt).oxigraph_format)))
        assert parsed, block
        assert len({q.subject for q in parsed}) == 1, block
        assert all(isinstance(q.subject, ox.NamedNode) and not isinstance(q.object, ox.BlankNode) for q in parsed)
        seen += len(parsed)
    assert seen == len(list(ox.parse(path=str(path), format=getattr(ox.RdfFormat, get_format(fmt).oxigraph_format))))


def test_unchanged_file_changes_nothing(graphs, tmp_path):
    _, old_kg, _ = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(old_kg, tmp_path / "new")
    build_oxigraph(old)
    report = update_oxigraph(old, new)
    assert (report.blocks_changed, report.quads_deleted, report.quads_inserted) == (0, 0, 0)
    assert store_quads(oxigraph_dir(new)) == store_quads(oxigraph_dir(old))


def test_bulk_load_when_the_previous_store_is_stale_or_missing(graphs, tmp_path):
    _, old_kg, new_kg = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(new_kg, tmp_path / "new")
    report = write_store(new, old)  # no store beside the old file
    assert report["path"] == "bulk" and "no Oxigraph store up to date" in report["fallback"] and "failed" not in report
    shutil.rmtree(oxigraph_dir(new))
    build_oxigraph(old)
    os.utime(old, ns=(old.stat().st_atime_ns, old.stat().st_mtime_ns + 10**9))  # the file changed after its store
    report = write_store(new, old)
    assert report["path"] == "bulk" and "no Oxigraph store up to date" in report["fallback"]
    assert store_quads(oxigraph_dir(new)) == bulk_loaded_quads(new, tmp_path / "oracle")


def test_bulk_load_for_a_format_or_header_it_cannot_compare(graphs, tmp_path):
    _, old_kg, new_kg = graphs
    old = write_rdf(old_kg, tmp_path / "old", format="trig")
    new = write_rdf(new_kg, tmp_path / "new", format="trig")
    build_oxigraph(old)
    with pytest.raises(DeltaUnsupported, match="trig is not written as subject blocks"):
        update_oxigraph(old, new)
    assert write_store(new, old)["path"] == "bulk"
    old = write_rdf(old_kg, tmp_path / "old2", base_iri="https://example.org/kg/")
    new = write_rdf(new_kg, tmp_path / "new2")
    build_oxigraph(old)
    report = write_store(new, old)
    assert report["path"] == "bulk" and "different headers" in report["fallback"]
    assert store_quads(oxigraph_dir(new)) == bulk_loaded_quads(new, tmp_path / "oracle")


def test_bulk_load_when_most_blocks_changed(graphs, tmp_path):
    _, old_kg, _ = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(synthetic_kg(80, seed=6), tmp_path / "new")  # another graph altogether
    build_oxigraph(old)
    report = write_store(new, old)
    assert report["path"] == "bulk" and "blocks changed: more than" in report["fallback"]


def test_a_failed_update_falls_back_to_the_bulk_load(graphs, tmp_path):
    """A previous store that its stamp calls up to date but that cannot be opened: the in-place
    path fails, leaves no copy, and the bulk load writes the right store."""
    _, old_kg, new_kg = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(new_kg, tmp_path / "new")
    build_oxigraph(old)
    for p in oxigraph_dir(old).iterdir():
        if p.name.startswith("MANIFEST") or p.name == "CURRENT":
            p.write_bytes(b"broken")
    assert oxigraph_up_to_date(old)
    report = write_store(new, old)
    assert report["path"] == "bulk" and report["failed"] is True
    assert store_quads(oxigraph_dir(new)) == bulk_loaded_quads(new, tmp_path / "oracle")
    assert not any(p.name.startswith(".graph") for p in (tmp_path / "new").iterdir())


def test_apply_delta_refuses_before_touching_the_store(graphs, tmp_path):
    _, old_kg, _ = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(synthetic_kg(80, seed=6), tmp_path / "new")
    _assert_refused_untouched(old, new)


def _assert_refused_untouched(old, new, match=None, **options):
    """``apply_delta`` from a store holding ``old`` to ``new`` raises :class:`DeltaUnsupported`
    (matching ``match``) and leaves every quad of the store as it was."""
    store = ox.Store()
    store.load(path=str(old), format=ox.RdfFormat.TURTLE)
    before = set(store)
    with pytest.raises(DeltaUnsupported, match=match):
        apply_delta(store, old, new, **options)
    assert set(store) == before


def test_the_guard_follows_the_environment(graphs, tmp_path, monkeypatch):
    _, old_kg, new_kg = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(new_kg, tmp_path / "new")
    build_oxigraph(old)
    monkeypatch.setenv("KG_STORE_DELTA_MAX_FRACTION", "0")
    report = write_store(new, old)
    assert report["path"] == "bulk" and "blocks changed: more than 0%" in report["fallback"]


HEADER = "@base <https://example.org/r/> .\n@prefix ex: <https://example.org/o#> .\n\n"


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def test_a_triple_a_subject_writes_twice_survives_the_removal_of_one_copy(tmp_path):
    """A subject with several blocks: the triple ``<s> ex:p <o>`` is in an unchanged block and
    in a changed one that loses it. Statements are compared over all the subject's blocks, so the
    store keeps it; a per-block comparison would remove it."""
    old = _write(tmp_path / "old" / "graph.ttl",
                 '<s> ex:p <o> .\n<t> ex:q "x" .\n<s> ex:p <o> ;\n    ex:n 1 ;\n    ex:label "a\\nb" .\n<u> ex:q "gone" .\n')
    new = _write(tmp_path / "new" / "graph.ttl",
                 '<s> ex:p <o> .\n<t> ex:q "x" .\n<s> ex:n 2 ;\n    ex:label "a\\nb" .\n<v> ex:q "new" , "two" .\n')
    build_oxigraph(old)
    report = update_oxigraph(old, new, max_fraction=1.0)
    assert (report.quads_deleted, report.subjects_removed) == (2, 1)  # ex:n 1 and <u>, never ex:p <o>
    assert store_quads(oxigraph_dir(new)) == bulk_loaded_quads(new, tmp_path / "oracle")


@pytest.mark.parametrize("line", ['<s> ex:p _:b0 .\n', '<s> ex:p [ ex:q 1 ] .\n', '<s> ex:p ( 1 2 ) .\n'])
def test_a_blank_node_in_a_changed_statement_is_refused_before_any_write(tmp_path, line):
    """A blank node loaded as text would get a new identity on every load, and a collection is
    made of blank nodes: the statement could never be removed again. Refused, store untouched."""
    old = _write(tmp_path / "old" / "graph.ttl", '<s> ex:p <o> .\n<t> ex:q "x" .\n')
    new = _write(tmp_path / "new" / "graph.ttl", line + '<t> ex:q "x" .\n')
    _assert_refused_untouched(old, new, match="blank node", max_fraction=1.0)


def test_the_benchmark_script_finds_the_two_stores_equal(graphs, tmp_path, capsys):
    """``scripts/bench_store_delta.py``, which docs/scale.md's figures come from, on a small pair."""
    _, old_kg, new_kg = graphs
    old = write_rdf(old_kg, tmp_path / "old")
    new = write_rdf(new_kg, tmp_path / "new")
    build_oxigraph(old)
    assert load_script("bench_store_delta").main([str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "in place:" in out and "bulk load:" in out and "stores equal: True" in out
