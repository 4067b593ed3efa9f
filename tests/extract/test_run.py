"""extract_papers: order, cache, incremental runs, worker processes, oversized and failing texts."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from kg.extract import extract_papers, run
from kg.extract.cache import FILENAME, ExtractionCache
from kg.models import BuildStats, Paper


def _run(papers, model, **kw):
    stats = BuildStats()
    return list(extract_papers(papers, model=model, stats=stats, **kw)), stats


def _check_offsets(papers, extractions):
    for paper, ext in zip(papers, extractions):
        assert ext.paper_id == paper.id
        for m in ext.mentions:
            assert paper.text[m.start : m.end] == m.text
            s, e = ext.sentences[m.sentence]
            assert s <= m.start and m.end <= e


def test_results_in_input_order_with_kg_labels_only(sample_papers, standin_model):
    exts, stats = _run(sample_papers, standin_model, batch_size=2)
    assert [e.paper_id for e in exts] == [p.id for p in sample_papers]
    assert stats.extracted == len(sample_papers) and stats.from_cache == 0
    assert [m.text for m in exts[0].mentions] == ["ResNet", "SGD", "ImageNet", "image classification", "accuracy"]
    assert all(m.label != "ORG" for e in exts for m in e.mentions)
    assert exts[3].mentions == [] and exts[4].mentions == []
    _check_offsets(sample_papers, exts)


def test_cache_hits_and_same_text_under_another_id(sample_papers, standin_model, tmp_path):
    first, s1 = _run(sample_papers, standin_model, cache_dir=tmp_path)
    assert (s1.extracted, s1.from_cache) == (5, 0)
    assert (tmp_path / FILENAME).exists()
    renamed = [dataclasses.replace(p, id=f"other:{i}") for i, p in enumerate(sample_papers)]
    again, s2 = _run(renamed, standin_model, cache_dir=tmp_path)
    assert (s2.extracted, s2.from_cache) == (0, 5)
    assert [e.paper_id for e in again] == [p.id for p in renamed]
    assert [dataclasses.replace(e, paper_id="") for e in again] == [dataclasses.replace(e, paper_id="") for e in first]


def test_incremental_run_extracts_only_new_papers_and_equals_a_clean_run(sample_papers, standin_model, tmp_path):
    old, new = sample_papers[:3], sample_papers[3:]
    _run(old, standin_model, cache_dir=tmp_path)
    mixed = [new[0], *old, new[1]]
    incremental, stats = _run(mixed, standin_model, cache_dir=tmp_path)
    assert (stats.extracted, stats.from_cache) == (2, 3)
    clean, _ = _run(mixed, standin_model, cache_dir=None)
    assert incremental == clean


def test_changed_text_or_pipeline_misses(sample_papers, standin_model, tmp_path):
    _run(sample_papers[:1], standin_model, cache_dir=tmp_path)
    edited = dataclasses.replace(sample_papers[0], abstract=sample_papers[0].abstract + " More.")
    _, stats = _run([edited], standin_model, cache_dir=tmp_path)
    assert stats.extracted == 1
    _, stats = _run(sample_papers[:1], standin_model, cache_dir=tmp_path, chunk_chars=50)
    assert stats.extracted == 1  # other chunking settings: other keys


def test_damaged_cache_is_moved_aside_with_a_warning(sample_papers, standin_model, tmp_path):
    (tmp_path / FILENAME).write_bytes(b"this is not a database" * 100)
    exts, stats = _run(sample_papers, standin_model, cache_dir=tmp_path)
    assert len(exts) == len(sample_papers)
    assert any("could not be read" in p.reason for p in stats.problems)
    assert list(tmp_path.glob(f"{FILENAME}.damaged-*"))
    _, stats = _run(sample_papers, standin_model, cache_dir=tmp_path)
    assert stats.from_cache == len(sample_papers) and not stats.problems


def test_uncommitted_cache_writes_are_not_visible(tmp_path):
    """A batch is one transaction: a write interrupted before COMMIT leaves nothing behind."""
    cache = ExtractionCache(tmp_path)
    cache.put_many([(b"k" * 32, b"v")])
    conn = sqlite3.connect(cache.path)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO extraction VALUES (?, ?)", (b"x" * 32, b"half"))
    conn.close()  # like a process killed mid-batch: no COMMIT
    assert cache.get_many([b"k" * 32, b"x" * 32]) == {b"k" * 32: b"v"}
    cache.close()


def test_worker_processes_give_the_same_results(sample_papers, standin_model, tmp_path, monkeypatch):
    papers = [dataclasses.replace(p, id=f"{p.id}:{k}", title=f"{p.title} {k}") for k in range(8) for p in sample_papers]
    inline, _ = _run(papers, standin_model, jobs=1)
    monkeypatch.setattr(run, "MIN_PAPERS_PER_WORKER", 1)
    chosen = []
    real_choose = run._choose_engine
    monkeypatch.setattr(run, "_choose_engine", lambda *a: chosen.append(real_choose(*a)) or chosen[-1])
    pooled, stats = _run(papers, standin_model, jobs=2, batch_size=3, cache_dir=tmp_path)
    assert chosen[0].name == "2 processes"
    assert pooled == inline
    assert stats.extracted == len(papers)


def test_small_input_runs_in_process(sample_papers, standin_model, monkeypatch):
    chosen = []
    real_choose = run._choose_engine
    monkeypatch.setattr(run, "_choose_engine", lambda *a: chosen.append(real_choose(*a)) or chosen[-1])
    _run(sample_papers, standin_model, jobs=2)
    assert chosen[0].name == "inline"


def test_a_large_input_never_loads_the_model_in_this_process(sample_papers, standin_model, monkeypatch):
    """An input of MODEL_APART_MIN_PAPERS papers or more, with too few uncached papers for a pool,
    is extracted by one worker process: kg build holds its graph in this process afterwards, and
    a model loaded here would stay with it. Same results as in the process."""
    from kg.extract import worker

    in_process, _ = _run(sample_papers, standin_model, jobs=2)
    monkeypatch.setattr(run, "MODEL_APART_MIN_PAPERS", len(sample_papers))
    monkeypatch.setattr(worker, "_pipelines", {})  # what this process loads from here on
    chosen = []
    real_choose = run._choose_engine
    monkeypatch.setattr(run, "_choose_engine", lambda *a: chosen.append(real_choose(*a)) or chosen[-1])
    apart, stats = _run(sample_papers, standin_model, jobs=2)
    assert chosen[0].name == "1 process"
    assert apart == in_process and stats.extracted == len(sample_papers)
    assert worker._pipelines == {}
    _run(sample_papers[1:], standin_model, jobs=2)  # one paper fewer: in this process
    assert chosen[1].name == "inline" and list(worker._pipelines) == [standin_model]


@pytest.mark.slow
def test_2mb_abstract_over_spacy_max_length_is_chunked_and_nothing_is_lost(standin_model):
    """A 2.1 MB "abstract" (over spaCy's 1,000,000-character max_length) with concepts spread
    through it, some right at the edges of the 100,000-character pieces."""
    filler = "This sentence names nothing in particular and goes on. "  # 55 characters
    blocks = [filler * (k % 7 + 1) + ("We train ResNet on ImageNet. " if k % 3 else "Accuracy of BERT\n") for k in range(10_000)]
    paper = Paper(id="big", title="A 2 MB abstract", abstract="".join(blocks))
    assert len(paper.text) > 2_000_000
    (ext,), stats = _run([paper], standin_model)
    assert not stats.problems
    assert len(ext.mentions) == 2 * 10_000
    _check_offsets([paper], [ext])
    assert [s for s, _ in ext.sentences] == sorted(s for s, _ in ext.sentences)


def test_text_over_max_chars_is_cut_with_a_warning(standin_model):
    paper = Paper(id="huge", title="T", abstract="ResNet. " * 1000, source_file="in.jsonl", source_line=7)
    reported = []
    (ext,), stats = _run([paper], standin_model, chunk_chars=500, max_chars=4000, on_problem=reported.append)
    assert len(ext.mentions) == 4000 // 8
    (problem,) = stats.problems
    assert problem == reported[0]
    assert problem.severity == "warning" and problem.file == "in.jsonl" and problem.line == 7
    assert "only the first 4,000" in problem.reason


def test_warnings_come_back_from_the_cache(standin_model, tmp_path):
    paper = Paper(id="huge", title="T", abstract="ResNet. " * 100)
    _, first = _run([paper], standin_model, max_chars=100, chunk_chars=50, cache_dir=tmp_path)
    _, second = _run([paper], standin_model, max_chars=100, chunk_chars=50, cache_dir=tmp_path)
    assert second.from_cache == 1
    assert [p.reason for p in second.problems] == [p.reason for p in first.problems] != []


def test_bad_arguments(sample_papers, standin_model):
    with pytest.raises(ValueError):
        extract_papers(sample_papers, model=standin_model, jobs=0)
    with pytest.raises(FileNotFoundError):
        list(extract_papers(sample_papers, model="/nonexistent/model"))


def test_a_worker_that_cannot_load_the_pipeline_is_a_clear_error(sample_papers, tmp_path, monkeypatch):
    """Workers are fresh processes: a component registered only in this process cannot load
    there, the pool breaks, and the build stops with an ExtractionError naming the papers."""
    import spacy
    from spacy.language import Language

    if "kg_test_only_component" not in Language.factories:
        Language.factory("kg_test_only_component", func=lambda nlp, name: (lambda doc: doc))
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_test_only_component")
    nlp.to_disk(tmp_path / "model")
    monkeypatch.setattr(run, "MIN_PAPERS_PER_WORKER", 1)
    papers = [dataclasses.replace(sample_papers[k % 5], id=f"x:{k}") for k in range(8)]
    with pytest.raises(run.ExtractionError, match="x:0 .. x:3 failed on 2 processes: BrokenProcessPool.*worker process died"):
        list(extract_papers(papers, model=tmp_path / "model", jobs=2, batch_size=4))
