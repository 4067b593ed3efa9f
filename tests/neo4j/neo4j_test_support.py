"""Test support for the Neo4j exporters: hostile text, random graphs, and the expected database.

:func:`expected_snapshot` is the test oracle: what a Neo4j database must hold after an export
of ``G``, written straight from ``docs/neo4j.md`` and :mod:`kg.graph.build`'s schema without
using :mod:`kg.export`, so the exporters are checked against the documented mapping rather than
against themselves. It has the shape of ``snapshot()`` in ``tests/neo4j/conftest.py``.
"""

from __future__ import annotations

import os
import re
from typing import Any

import networkx as nx
from hypothesis import strategies as st

from kg.graph.build import evidence_sentence, to_networkx
from kg.models import LABELS, RELATION_TYPES, ROLES, Concept, Evidence, KnowledgeGraph, Paper, PaperLink, Relation

#: Strings every writer must carry through unchanged, and that must never run as Cypher.
HOSTILE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "  leading and trailing  ",
    "'",
    '"',
    "\\",
    "\\'",
    '\\"',
    "a,b",
    'x","y',
    '""',
    "line 1\nline 2",
    "crlf\r\nline",
    "\r",
    "\t",
    "\x00",
    "\x1f",
    "\x1e;\x1d|\x1c",
    "\ue000",
    "é naïve «quoted» — ‘single’",
    "日本語のテキスト",
    "😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u2028\u2029",
    "zero\u200bwidth",
    "\u202eRTL override",
    "\ufeffBOM",
    "'}) MATCH (n) DETACH DELETE n //",
    '"}) DETACH DELETE n; //',
    "$rows",
    "`backtick`",
    "// not a comment",
    ";",
    ":param rows => []",
    "\\u0041 not an escape",
    "<script>alert(1)</script>",
    "NaN",
    "null",
    "true",
    "U+001F",
)


def examples(n: int) -> int:
    """A Hypothesis example count: ``n`` times ``KG_HYPOTHESIS_SCALE`` (default 1) for long fuzzing runs."""
    return n * max(1, int(os.environ.get("KG_HYPOTHESIS_SCALE", "1")))


texts = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=30))
nonempty_texts = texts.filter(bool)
ints = st.integers(min_value=0, max_value=2**31)
confidences = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
dates = st.one_of(st.none(), st.sampled_from(["2021", "2021-05", "2021-05-04", "--08-05"]), texts)
optional_texts = st.one_of(st.none(), texts)


@st.composite
def graphs(draw, max_papers: int = 4, max_concepts: int = 5) -> nx.MultiDiGraph:
    """A small kg graph whose every string is hostile; offsets are valid, ids unique."""
    paper_ids = draw(st.lists(nonempty_texts, min_size=1, max_size=max_papers, unique=True))
    papers = {}
    for pid in paper_ids:
        papers[pid] = Paper(
            id=pid,
            title=draw(texts),
            abstract=draw(texts),
            date=draw(dates),
            date_text=draw(optional_texts),
            authors=tuple(draw(st.lists(texts, max_size=3))),
            venue=draw(optional_texts),
            doi=draw(optional_texts),
            arxiv_id=draw(optional_texts),
            url=draw(optional_texts),
            categories=tuple(draw(st.lists(texts, max_size=2))),
        )
    concept_ids = draw(st.lists(nonempty_texts, min_size=1, max_size=max_concepts, unique=True).filter(lambda ids: not set(ids) & set(paper_ids)))
    concepts = {}
    for cid in concept_ids:
        aliases = draw(st.dictionaries(nonempty_texts, st.integers(1, 50), max_size=3))
        concepts[cid] = Concept(
            id=cid,
            type=draw(st.sampled_from(LABELS)),
            label=draw(texts),
            aliases=aliases,
            acronym=draw(optional_texts),
            paper_count=draw(ints),
            mention_count=draw(ints),
            first_seen=draw(dates),
            last_seen=draw(dates),
            type_votes=draw(st.dictionaries(st.sampled_from(LABELS), st.integers(1, 9), max_size=3)),
            ambiguous_type=draw(st.booleans()),
            confidence=draw(st.floats(0, 1)),
        )
    evidence: dict[str, Evidence] = {}

    def new_evidence() -> list[str]:
        ids = []
        for _ in range(draw(st.integers(0, 2))):
            pid = draw(st.sampled_from(paper_ids))
            n = len(papers[pid].text)
            start = draw(st.integers(0, n))
            end = draw(st.integers(start, n))
            spans = tuple((s, e) for s, e in (sorted(draw(st.tuples(st.integers(start, end), st.integers(start, end)))) for _ in range(draw(st.integers(0, 2)))))
            eid = f"ev{len(evidence)}" if draw(st.booleans()) else f"ev{len(evidence)} {draw(texts)}"
            evidence[eid] = Evidence(eid, pid, start, end, spans, draw(texts), draw(confidences))
            ids.append(eid)
        return ids

    links = []
    for pid, cid, role in draw(st.lists(st.tuples(st.sampled_from(paper_ids), st.sampled_from(concept_ids), st.sampled_from(ROLES)), max_size=8, unique=True)):
        links.append(PaperLink(pid, cid, role, draw(ints), new_evidence(), draw(confidences)))
    relations = []
    for a, b, rel in draw(st.lists(st.tuples(st.sampled_from(concept_ids), st.sampled_from(concept_ids), st.sampled_from(RELATION_TYPES)), max_size=6, unique=True)):
        count = draw(ints)
        relations.append(Relation(a, b, rel, count, draw(ints), new_evidence(), draw(confidences)))
    kg = KnowledgeGraph(papers, concepts, links, relations, evidence, extractor_version=draw(texts))
    return to_networkx(kg)


def expected_snapshot(G: nx.MultiDiGraph, *, bulk_import: bool = False) -> dict[str, dict]:
    """What the database must hold after exporting ``G`` (see the module docstring).

    With ``bulk_import=True``, a list holding exactly one empty string is missing, as the
    importer reads it (documented in docs/neo4j.md).
    """
    nodes, rels = {}, {}

    def _clean(props: dict[str, Any]) -> dict[str, Any]:
        # Neo4j stores no null and (by kg's documented choice) no empty list.
        return {k: v for k, v in props.items() if v is not None and v != [] and not (bulk_import and v == [""])}

    type_labels = {"METHOD": "Method", "DATASET": "Dataset", "METRIC": "Metric", "TASK": "Task"}
    for node, a in G.nodes(data=True):
        if a["kind"] == "paper":
            keys = ("title", "abstract", "date", "date_text", "authors", "venue", "doi", "arxiv_id", "url", "categories")
            nodes[("Paper", node)] = (("Paper",), _clean({"id": node, **{k: a.get(k) for k in keys}}))
        else:
            keys = ("type", "label", "acronym", "paper_count", "mention_count", "first_seen", "last_seen", "confidence", "ambiguous_type")
            props = {k: a.get(k) for k in keys}
            props.update(id=node, aliases=[f for f, _ in a["aliases"]], alias_counts=[n for _, n in a["aliases"]])
            votes = a.get("type_votes") or []
            props.update(type_vote_labels=[label for label, _ in votes], type_vote_papers=[n for _, n in votes])
            props["replaces"] = list(a.get("replaces") or [])  # retired ids of earlier builds
            nodes[("Concept", node)] = (tuple(sorted(("Concept", type_labels[a["type"]]))), _clean(props))
    for eid, ev in G.graph["evidence"].items():
        paper_id, sentence = evidence_sentence(G, eid)
        text = G.nodes[paper_id]["title"] + "\n" + G.nodes[paper_id]["abstract"]
        props = {
            "id": eid,
            "paper": paper_id,
            "sentence": sentence,
            "sentence_start": ev["sentence"][0],
            "sentence_end": ev["sentence"][1],
            "span_starts": [s for s, _ in ev["spans"]],
            "span_ends": [e for _, e in ev["spans"]],
            "quotes": [text[s:e] for s, e in ev["spans"]],
            "method": ev["method"],
            "confidence": ev["confidence"],
        }
        nodes[("Evidence", eid)] = (("Evidence",), _clean(props))
        rels[("IN_PAPER", eid, paper_id)] = {}
    for u, v, a in G.edges(data=True):
        if a["kind"] == "link":
            rels[(a["role"].upper(), u, v)] = _clean({k: a[k] for k in ("count", "confidence", "evidence")})
        else:
            rels[(a["type"].replace("-", "_"), u, v)] = _clean({k: a[k] for k in ("count", "papers", "weight", "confidence", "evidence")})
    return {"nodes": nodes, "relationships": rels}


def label_and_type_counts(G: nx.MultiDiGraph) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type that ``G`` should give, counted from ``G`` itself."""
    labels = {"Paper": 0, "Concept": 0, "Method": 0, "Dataset": 0, "Metric": 0, "Task": 0, "Evidence": len(G.graph["evidence"])}
    for _, a in G.nodes(data=True):
        if a["kind"] == "paper":
            labels["Paper"] += 1
        else:
            labels["Concept"] += 1
            labels[a["type"].title()] += 1
    types: dict[str, int] = {"IN_PAPER": len(G.graph["evidence"])} if G.graph["evidence"] else {}
    for _, _, a in G.edges(data=True):
        name = a["role"].upper() if a["kind"] == "link" else a["type"].replace("-", "_")
        types[name] = types.get(name, 0) + 1
    return labels, types


def snapshot(driver, database: str | None = None, *, hashes: bool = False) -> dict[str, dict]:
    """Everything in a database: nodes by (first label, id) and relationships by (type, start id, end id).

    The push's ``kg_hash`` marker is left out unless ``hashes`` (the oracle does not know it);
    without it, every node and relationship must carry a string ``kg_hash`` or none at all.
    """
    nodes, rels = {}, {}

    def props_of(record) -> dict[str, Any]:
        props = dict(record["props"])
        if not hashes:
            marker = props.pop("kg_hash", None)
            assert marker is None or isinstance(marker, str), marker
        return props

    records, _, _ = driver.execute_query("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database)
    for record in records:
        labels = sorted(record["labels"])
        key = ("Concept" if "Concept" in labels else labels[0], record["props"].get("id"))
        assert key not in nodes, f"two nodes for {key}"
        nodes[key] = (tuple(labels), props_of(record))
    records, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props", database_=database
    )
    for record in records:
        key = (record["type"], record["a"], record["b"])
        assert key not in rels, f"two relationships for {key}"
        rels[key] = props_of(record)
    return {"nodes": nodes, "relationships": rels}


def hostile_graph() -> nx.MultiDiGraph:
    """One graph carrying every string of :data:`HOSTILE_STRINGS` in every kind of field."""
    papers, concepts, links, relations, evidence = {}, {}, [], [], {}
    for i, text in enumerate(HOSTILE_STRINGS):
        pid = f"paper {i} {text}"
        paper = Paper(
            id=pid, title=text, abstract=f"{text} and {text}", date=text or None, date_text=text,
            authors=(text, "B"), venue=text, doi=text, url=text, categories=(text,),
        )
        papers[pid] = paper
        cid = f"{LABELS[i % 4].lower()}/{i} {text}"
        concepts[cid] = Concept(cid, LABELS[i % 4], text, aliases={f"{text}!": 2, "alias": 1}, acronym=text, paper_count=i, mention_count=i, first_seen=text)
        eid = f"e{i} {text}"
        n = len(paper.text)
        evidence[eid] = Evidence(eid, pid, 0, n, ((0, len(text)), (n - len(text), n)), text, 0.5)
        links.append(PaperLink(pid, cid, ROLES[i % len(ROLES)], i, [eid], 0.25))
    cids = sorted(concepts)
    for i, cid in enumerate(cids):
        relations.append(Relation(cid, cids[(i + 1) % len(cids)], RELATION_TYPES[i % len(RELATION_TYPES)], i, 1, [f"e{i} {HOSTILE_STRINGS[i]}"], 1.0 / (i + 1)))
    return to_networkx(KnowledgeGraph(papers, concepts, links, relations, evidence))


# --- reading bulk-import CSVs back ------------------------------------------------------------


def read_csv(text: str) -> list[list[tuple[str, bool]]]:
    """Records of ``(value, quoted)`` fields: RFC 4180, quotes doubled, newlines inside quotes."""
    records, fields, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == '"':
            j, value = i + 1, []
            while True:
                k = text.index('"', j)
                value.append(text[j:k])
                if text.startswith('""', k):
                    value.append('"')
                    j = k + 2
                else:
                    i = k + 1
                    break
            fields.append(("".join(value), True))
        else:
            m = re.compile(r"[^,\n]*").match(text, i)
            fields.append((m.group(), False))
            i = m.end()
        if i < n and text[i] == ",":
            i += 1
        elif i >= n or text[i] == "\n":
            records.append(fields)
            fields = []
            i += 1
        else:
            raise AssertionError(f"junk after a field at {i}: {text[i:i + 20]!r}")
    return records


def decode(header: str, field: tuple[str, bool], delim: str):
    """A field as the importer reads it under ``header`` (``name:type``)."""
    value, quoted = field
    kind = header.rsplit(":", 1)[1] if ":" in header else "string"
    if value == "" and (not quoted or kind.endswith("[]")):
        return None
    if kind == "long":
        return int(value)
    if kind == "double":
        return float(value)
    if kind == "boolean":
        return {"true": True, "false": False}[value]
    if kind == "string[]":
        return value.split(delim)
    if kind == "long[]":
        return [int(v) for v in value.split(delim)]
    return value


def read_back(folder, delim):
    """Nodes ``{(key label, id): (labels, props)}`` and relationships ``{(type, start, end): props}``
    of a bulk-import folder, as the importer reads them with array delimiter ``delim``."""
    from kg.export.neo4j_files import NODE_FILES, RELATIONSHIP_FILES

    nodes, rels = {}, {}
    for name, label, _ in NODE_FILES:
        header, *records = read_csv((folder / name).read_bytes().decode("utf-8"))
        names = [h for h, _ in header]
        for record in records:
            row = dict(zip(names, record, strict=True))
            props = {h.split(":")[0]: decode(h, f, delim) for h, f in row.items() if h != ":LABEL" and not h.startswith("id:ID")}
            ident = row[f"id:ID({label})"][0]
            props = {"id": ident, **{k: v for k, v in props.items() if v is not None}}
            nodes[(label, ident)] = (tuple(row[":LABEL"][0].split(delim)), props)
    for name, _, _, _ in RELATIONSHIP_FILES:
        header, *records = read_csv((folder / name).read_bytes().decode("utf-8"))
        names = [h for h, _ in header]
        for record in records:
            row = dict(zip(names, record, strict=True))
            start = next(v for h, v in row.items() if h.startswith(":START_ID"))[0]
            end = next(v for h, v in row.items() if h.startswith(":END_ID"))[0]
            props = {h.split(":")[0]: decode(h, f, delim) for h, f in row.items() if not h.startswith(":")}
            rels[(row[":TYPE"][0], start, end)] = {k: v for k, v in props.items() if v is not None}
    return nodes, rels


#: A user's own data beside kg's graph: two notes, one about a concept the update keeps
#: (``$kept``) and one about a concept it retires (``$retired``), and a relationship of the
#: user's own type on the kept concept.
USER_DATA = """
MATCH (c:Concept {id: $kept}), (d:Concept {id: $retired})
CREATE (note:Note {id: 'user-note', text: 'my own node'})-[:ABOUT {since: 2024}]->(c)
CREATE (c)-[:SEE_ALSO {by: 'me'}]->(c)
CREATE (:Note {id: 'user-note-2'})-[:ABOUT]->(d)
"""


def assert_user_data_survived(driver, kept: str) -> None:
    """:data:`USER_DATA` after an update: every node and relationship is still there except the
    relationship to the retired concept (gone with it: ``DETACH DELETE``)."""
    user = driver.execute_query(
        "MATCH (n:Note)-[r:ABOUT]->(c) RETURN n.id AS note, n.text AS text, r.since AS since, c.id AS concept"
    ).records
    assert [dict(r) for r in user] == [{"note": "user-note", "text": "my own node", "since": 2024, "concept": kept}]
    assert driver.execute_query("MATCH (:Note {id: 'user-note-2'}) RETURN count(*) AS n").records[0]["n"] == 1
    assert driver.execute_query("MATCH (c)-[r:SEE_ALSO {by: 'me'}]->(c) RETURN c.id AS c").records[0]["c"] == kept
