"""The record-based RDF writer gives exactly what the block-by-block writer gave (rdf_reference.py):
Turtle and TriG spelled from templates, N-Triples and JSON-LD from the expanded records."""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.models import Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation
from kg.rdf.formats import FORMATS
from kg.rdf.synthetic import synthetic_kg
from kg.rdf.triples import expand, iter_blocks, iter_records
from kg.rdf.write import write_rdf


def _load_reference():
    spec = importlib.util.spec_from_file_location("kg_tests_rdf_reference", Path(__file__).with_name("rdf_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = _load_reference()


def hostile_kg() -> KnowledgeGraph:
    """Quotes, control characters, a lone surrogate inside a quoted span, negative and reversed
    offsets, evidence with no spans, dangling references, a base-looking concept id."""
    text_title = 'T "q" \\ \x01\x7f'
    abstract = "Line one\r\nwith a \ud800 surrogate, \t tabs and «ünïcode» 😀. Second sentence here."
    p1 = Paper("doi:10.1/x y<z>", text_title, abstract, date="2021-02-30", date_text="Feb 30", authors=("A", "A", "B\n"),
               url="https://ex.org/a b", categories=("cs", "cs"), source_id="src", truncated=True)
    p2 = Paper("arxiv:2", "Second", "Short.", date="--02-29")
    text = p1.text
    s = text.index("surrogate")
    concepts = {
        "method/x": Concept("method/x", "METHOD", "X", aliases={"X": 3, "x": 1, "\ud800": 1}, acronym="X", paper_count=2,
                            mention_count=5, first_seen="2021", last_seen="2021-02"),
        "task/..": Concept("task/..", "TASK", "..", aliases={"..": 1}),
    }
    evidence = {
        "e1": Evidence("e1", p1.id, 0, len(text), ((s, s + 9), (len(p1.title) + 1, len(p1.title) + 5)), "rule:x [v]", 0.123456789),
        "e2": Evidence("e2", p1.id, 5, 2, (), "rule:y", 1),
        "e3": Evidence("e3", p1.id, 0, 3, ((-2, 1), (4, 2)), "rule:y", 0.5),
        "e#4": Evidence("e#4", "arxiv:404", 0, 1, ((0, 1),), "rule", 1.0),
        "e5": Evidence("e5", p2.id, 0, 6, ((0, 6),), "rule:z", 0.0),
    }
    links = [
        PaperLink(p1.id, "method/x", "proposes", 2, ["e1", "e2", "missing", "e#4"], 0.9),
        PaperLink(p1.id, "task/..", "addresses", 1, ["e3"], 1.0),
        PaperLink(p2.id, "method/x", "mentions", 1, ["e5", "e1"]),
        PaperLink(p2.id, "method/missing", "uses", 1, []),
        PaperLink(p2.id, "method/x", "cites", 1, []),
    ]
    relations = [
        Relation("method/x", "task/..", "USED-FOR", 3, 2, ["e1", "e3"], 0.7),
        Relation("method/x", "task/..", "HYPONYM-OF", 1, 1, [], 0.5),
        Relation("method/x", "task/..", "VARIANT-OF", 1, 1, ["e5"], 0.9),
        Relation("task/..", "method/nope", "USED-FOR", 1, 1, [], 0.5),
        Relation("task/..", "method/x", "BOGUS", 1, 1, [], 0.5),
    ]
    return KnowledgeGraph({p.id: p for p in (p1, p2)}, concepts, links, relations, evidence, extractor_version="kg 1 <x>")


GRAPHS = {"small": None, "hostile": hostile_kg, "synthetic": lambda: synthetic_kg(200, seed=4), "empty": KnowledgeGraph}


@pytest.mark.parametrize("base", [None, "https://example.org/kg#", "urn:x-kg:", "https://w3id.org/kg/resource/x/"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_format_matches_the_block_writer(name, base, small_kg, tmp_path, caplog) -> None:
    kg = small_kg if GRAPHS[name] is None else GRAPHS[name]()
    for fmt in FORMATS:
        with caplog.at_level(logging.WARNING, logger="kg.rdf.triples"):
            caplog.clear()
            expected = reference.reference_text(kg, fmt, base)
            old_warnings = [r.getMessage() for r in caplog.records]
            caplog.clear()
            written = write_rdf(kg, tmp_path, format=fmt, base_iri=base).read_text(encoding="utf-8")
            new_warnings = [r.getMessage() for r in caplog.records]
        assert written == expected, fmt
        assert new_warnings == old_warnings, fmt


def test_expanded_records_are_the_old_blocks(small_kg) -> None:
    base = "https://w3id.org/kg/resource/"
    assert list(expand(iter_records(small_kg, base))) == list(reference.iter_blocks(small_kg, base))
    assert list(iter_blocks(small_kg, base)) == list(reference.iter_blocks(small_kg, base))


def test_a_nan_confidence_still_fails_the_write(small_kg, tmp_path) -> None:
    broken = dataclasses.replace(small_kg, evidence=dict(small_kg.evidence))
    broken.evidence["e9"] = dataclasses.replace(broken.evidence["e9"], confidence=float("nan"))
    with pytest.raises(ValueError, match="finite"):
        write_rdf(broken, tmp_path)
    assert not list(tmp_path.iterdir())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=40), abstract=st.text(max_size=80), form=st.text(min_size=1, max_size=20),
       start=st.integers(-3, 90), end=st.integers(-3, 90))
def test_any_text_and_span_match(title, abstract, form, start, end) -> None:
    paper = Paper("arxiv:1", title, abstract)
    concept = Concept("method/x", "METHOD", form, aliases={form: 1})
    ev = Evidence("e", paper.id, min(start, end), max(start, end), ((start, end),), form, 0.5)
    kg = KnowledgeGraph({paper.id: paper}, {concept.id: concept}, [PaperLink(paper.id, concept.id, "uses", 1, ["e"])], [], {"e": ev})
    for fmt in ("turtle", "trig"):
        ours = "".join(_text(kg, fmt))
        assert ours == reference.reference_text(kg, fmt)


def _text(kg: KnowledgeGraph, fmt: str):
    import io

    from kg.rdf.formats import get_format
    from kg.rdf.iris import check_base_iri

    fh = io.StringIO()
    base = check_base_iri(None)
    get_format(fmt).write(iter_blocks(kg, base), fh, base)
    yield fh.getvalue()
