"""A real ``kg build`` (one file of the bundled sample, the whole NLP pipeline): its RDF conforms
to ontology/shapes.ttl, the example queries return sensible rows, and rdflib, Oxigraph and
Apache Jena agree on every one of them."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib

from kg.rdf.query import examples, load_store, read_query, run_query

from ..rdf import conftest as _helpers

pytestmark = [pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """graph.ttl of ``kg build`` over the smallest bundled sample file."""
    from kg.ingest import SAMPLE_DIR
    from kg.pipeline import BuildOptions, build

    smallest = min(Path(SAMPLE_DIR).glob("*.txt"), key=lambda p: p.stat().st_size)
    out = tmp_path_factory.mktemp("build") / "output"
    result = build(BuildOptions(inputs=[smallest], out=out, jobs=1, cache=False))
    return result.files["rdf"]


def test_build_output_conforms_to_the_shapes(built):
    graph = rdflib.Graph().parse(built)
    conforms, _, report = pyshacl.validate(graph, shacl_graph=rdflib.Graph().parse(_helpers.SHAPES), advanced=True)
    assert conforms, report[:5000]


def test_examples_return_sensible_rows(built):
    store = load_store(built, "oxigraph")

    def rows(name):
        result = run_query(store, read_query(None, example=name))
        return [dict(zip(result.vars, (str(t) if t is not None else None for t in row))) for row in result.rows]

    top = rows("top-methods")
    assert len(top) >= 10 and int(top[0]["papers"]) >= int(top[-1]["papers"]) >= 1
    assert all(r["concept"].startswith("https://w3id.org/kg/resource/concept/method/") for r in top)
    for name in ("top-tasks", "top-datasets", "top-metrics", "concepts-by-date", "cooccurring-concepts", "new-methods"):
        assert rows(name), f"{name} is empty on a real build"
    by_date = rows("concepts-by-date")
    assert {r["type"].rsplit("#", 1)[1] for r in by_date} >= {"Method", "Task"}
    quotes = [r["quote"] for r in rows("new-methods")]
    assert any(quotes), "no proposed method has a quoted mention"


@pytest.mark.jena
def test_rdflib_oxigraph_and_jena_agree_on_the_build(built, fuseki):
    memory, oxigraph = load_store(built, "memory"), load_store(built, "oxigraph")
    assert fuseki.load(built) == len(memory.handle)
    for name in examples():
        text = read_query(None, example=name)
        jena = _helpers.comparable_rows(fuseki.select(text))
        assert _helpers.engine_rows(memory, text) == jena, name
        assert _helpers.engine_rows(oxigraph, text) == jena, name
