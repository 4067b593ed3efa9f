"""kg query: example queries, both stores giving the same answers, errors with positions, the CLI."""

from __future__ import annotations

import json
import os
import time

import pytest

from kg.cli import main
from kg.rdf.query import QueryError, check_query, examples, format_result, load_store, read_query, render, run_query
from kg.rdf.store import oxigraph_dir, oxigraph_up_to_date

from .conftest import engine_rows

REQUIRED_EXAMPLES = {
    "top-methods", "top-datasets", "top-metrics", "top-tasks", "datasets-per-method", "methods-for-task",
    "metrics-for-task", "cooccurring-concepts", "new-methods", "concepts-by-date",
}


def test_example_library_is_documented():
    found = examples()
    assert REQUIRED_EXAMPLES <= set(found)
    for example in found.values():
        assert len(example.description) > 20, example.name
        assert example.text.lstrip().startswith("#"), example.name


@pytest.fixture(scope="module")
def synthetic_stores(synthetic_ttl):
    return load_store(synthetic_ttl, "memory"), load_store(synthetic_ttl, "oxigraph")


@pytest.mark.parametrize("name", sorted(examples()))
def test_examples_agree_on_both_stores(name, synthetic_stores):
    text = read_query(None, example=name)
    memory = engine_rows(synthetic_stores[0], text)
    oxigraph = engine_rows(synthetic_stores[1], text)
    assert memory, f"{name} found nothing in the synthetic graph"
    assert memory == oxigraph  # same rows in the same order


def test_examples_answer_sensibly_on_the_small_graph(small_ttl):
    store = load_store(small_ttl)

    def labels(name, column):
        result = run_query(store, read_query(None, example=name))
        i = result.vars.index(column)
        return [str(row[i]) for row in result.rows]

    assert labels("top-methods", "label")[0] == "graph neural networks"
    assert labels("datasets-per-method", "dataset_label").count("Cora") == 2
    assert labels("new-methods", "method_label") == ["GraphSAGE-X"]
    assert set(labels("metrics-for-task", "metric_label")) == {"BLEU", "accuracy"}
    assert "node classification" in labels("methods-for-task", "task_label")


def test_default_prefixes_and_overrides(small_ttl):
    store = load_store(small_ttl)
    rows = list(run_query(store, "SELECT ?l WHERE { ?c a kg:Dataset ; skos:prefLabel ?l } ORDER BY ?l").rows)
    assert [str(r[0]) for r in rows] == ["Cora", "WMT'14"]
    own = "PREFIX kg: <urn:nothing#> SELECT ?c WHERE { ?c a kg:Dataset }"
    assert list(run_query(store, own).rows) == []


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_malformed_query_reports_message_and_position(small_ttl, backend):
    store = load_store(small_ttl, backend)
    with pytest.raises(QueryError, match=r"line 2, column \d+") as err:
        run_query(store, "SELECT ?s\nWHERE { ?s ?p }")
    assert "^" in str(err.value)
    with pytest.raises(QueryError):
        run_query(store, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")


def test_service_is_refused_but_the_word_in_strings_is_not():
    with pytest.raises(QueryError, match="SERVICE"):
        check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match="SERVICE"):
        check_query("select * { service silent ?x { ?s ?p ?o } }")
    check_query('SELECT * WHERE { ?s ?p "SERVICE <x>" } # SERVICE in a comment')
    check_query("SELECT ?service WHERE { ?service kg:SERVICE ?o }")


def test_read_query_sources(tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("ASK {}", encoding="utf-8")
    assert read_query(str(rq)) == "ASK {}"
    assert read_query("SELECT * {}") == "SELECT * {}"
    for bad in [(None, None), ("x.rq", None), ("ASK {}", "top-methods"), (None, "no-such-example")]:
        with pytest.raises(QueryError):
            read_query(*bad)


def test_result_formats(small_ttl):
    store = load_store(small_ttl)
    q = "SELECT ?c ?l WHERE { ?c a kg:Metric ; skos:prefLabel ?l } ORDER BY ?l"
    data = json.loads(format_result(run_query(store, q), "json"))
    assert [b["l"]["value"] for b in data["results"]["bindings"]] == ["BLEU", "accuracy"]
    assert format_result(run_query(store, q), "csv").splitlines()[0] == "c,l"
    assert format_result(run_query(store, q), "tsv").splitlines()[1].endswith('\t"BLEU"')
    assert "<literal>BLEU</literal>" in render(run_query(store, q), "xml").body
    assert json.loads(format_result(run_query(store, "ASK { ?c a kg:Task }"), "json")) == {"head": {}, "boolean": True}
    cut = render(run_query(store, "SELECT * WHERE { ?s ?p ?o }"), "json", max_rows=5)
    assert cut.truncated and cut.rows == 5 and len(json.loads(cut.body)["results"]["bindings"]) == 5
    ttl = format_result(run_query(store, "CONSTRUCT { ?c a kg:Task } WHERE { ?c a kg:Task }"), "table")
    assert "kg:Task" in ttl


def test_oxigraph_store_is_persisted_reused_and_rebuilt(small_ttl):
    load_store(small_ttl, "oxigraph")
    folder = oxigraph_dir(small_ttl)
    assert folder.is_dir() and oxigraph_up_to_date(small_ttl)
    stamp = (folder / "kg-source.json").stat().st_mtime_ns
    load_store(small_ttl, "oxigraph")
    assert (folder / "kg-source.json").stat().st_mtime_ns == stamp  # reused
    text = small_ttl.read_text(encoding="utf-8")
    small_ttl.write_text(text + '\n<urn:extra> a kg:Method ; skos:prefLabel "extra" .\n', encoding="utf-8")
    os.utime(small_ttl, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert not oxigraph_up_to_date(small_ttl)
    store = load_store(small_ttl, "oxigraph")
    assert run_query(store, 'ASK { ?c skos:prefLabel "extra" }').boolean


def test_cli_query(small_ttl, capsys):
    graph = ["--graph", str(small_ttl)]
    assert main(["query", "--example", "list"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in REQUIRED_EXAMPLES)
    assert main(["query", *graph, "--example", "top-datasets", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("Cora,2,2")
    assert main(["query", *graph, "--store", "oxigraph", "SELECT ?x WHERE { ?x a kg:Task"]) == 2
    err = capsys.readouterr().err
    assert "malformed query at line 1" in err
    assert main(["query", "--graph", str(small_ttl.with_name("none.ttl")), "--example", "top-tasks"]) == 5
    assert main(["query", *graph, "--example", "nope"]) == 2
