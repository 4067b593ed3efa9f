"""Compare two build folders output by output, through real parsers, after mapping concept ids.

An update build keeps the concept ids of the previous build (kg.resolve.stable_ids), a clean
build of the same inputs names concepts by their labels: the two must agree on everything else.
The id map is found from the concepts' content (type, label, aliases), not from kg's own
redirect tables, so a wrong redirect cannot hide a difference.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.rdf.namespace import KG_NS

SYMMETRIC = {"CONJUNCTION", "COMPARE", "CO-OCCURS"}
NEO4J_SYMMETRIC = {"CONJUNCTION", "COMPARE", "CO_OCCURS"}


def concept_map(update: Path, clean: Path) -> dict[str, str]:
    """update id -> clean id, by (type, label, aliases, the papers mentioning it); fails unless
    it is a bijection (two concepts may share type, label and aliases: an acronym read two ways)."""

    def by_content(folder: Path) -> dict[tuple, str]:
        data = json.loads((folder / "graph.json").read_text(encoding="utf-8"))
        papers: dict[str, set] = {}
        for e in data["edges"]:
            if e.get("kind") == "link":
                papers.setdefault(e["target"], set()).add(e["source"])
        out = {}
        for n in data["nodes"]:
            if n.get("kind") == "concept":
                key = (n["type"], n["label"], json.dumps(n["aliases"]), tuple(sorted(papers.get(n["id"], ()))))
                assert key not in out, f"two concepts with the same content in {folder}: {key}"
                out[key] = n["id"]
        return out

    a, b = by_content(update), by_content(clean)
    assert set(a) == set(b), f"concepts differ: {sorted(set(a) ^ set(b))[:5]}"
    return {a[k]: b[k] for k in a}


def _edge_key(u, v, etype):
    return (min(u, v), max(u, v), etype) if etype in SYMMETRIC | NEO4J_SYMMETRIC else (u, v, etype)


def _graph_view(G: nx.MultiDiGraph, m: dict[str, str], decode=lambda v: v):
    nodes = {}
    for n, attrs in G.nodes(data=True):
        attrs = {k: decode(v) for k, v in attrs.items() if k != "replaces"}
        nodes[m.get(n, n)] = attrs
    edges = Counter()
    for u, v, k, attrs in G.edges(keys=True, data=True):
        attrs = {a: decode(x) for a, x in attrs.items()}
        edges[(_edge_key(m.get(u, u), m.get(v, v), k), json.dumps(attrs, sort_keys=True))] += 1
    return nodes, edges, {k: decode(v) for k, v in G.graph.items()}


def compare_networkx(update: Path, clean: Path, m: dict[str, str]) -> None:
    from kg.graph.build import load_graph

    a, b = _graph_view(load_graph(update / "graph.json"), m), _graph_view(load_graph(clean / "graph.json"), {})
    assert a == b, "graph.json differs"

    def decode(v):
        if isinstance(v, str) and v[:1] in "[{":
            return json.loads(v)
        return v

    a = _graph_view(nx.read_graphml(update / "graph.graphml", force_multigraph=True), m, decode)
    b = _graph_view(nx.read_graphml(clean / "graph.graphml", force_multigraph=True), {}, decode)
    assert a == b, "graph.graphml differs"


def compare_mentions(update: Path, clean: Path, m: dict[str, str]) -> None:
    def rows(folder, mp):
        out = []
        for line in (folder / "mentions.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["concept"] = mp.get(row["concept"], row["concept"])
            out.append(row)
        return out

    assert rows(update, m) == rows(clean, {}), "mentions.jsonl differs"


def compare_merges(update: Path, clean: Path, m: dict[str, str]) -> None:
    def rows(folder, mp):
        with open(folder / "merges.tsv", encoding="utf-8", newline="") as fh:
            data = list(csv.DictReader(fh, delimiter="\t"))
        for row in data:
            row["concept"] = mp.get(row["concept"], row["concept"])
        return sorted(data, key=lambda r: json.dumps(r, sort_keys=True))

    assert rows(update, m) == rows(clean, {}), "merges.tsv differs"


def compare_neo4j(update: Path, clean: Path, m: dict[str, str]) -> None:
    """Every CSV of the bulk import, read with the csv module; ids mapped, ``replaces`` left out."""
    names = sorted(p.name for p in (clean / "neo4j").glob("*.csv"))
    assert names == sorted(p.name for p in (update / "neo4j").glob("*.csv"))
    for name in names:
        def rows(folder, mp):
            with open(folder / "neo4j" / name, encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                out = Counter()
                for row in reader:
                    rec = {h: mp.get(v, v) for h, v in zip(header, row) if not h.startswith("replaces")}
                    typ = rec.get(":TYPE")
                    if ":START_ID(Concept)" in rec and typ in NEO4J_SYMMETRIC:
                        s, e = sorted((rec[":START_ID(Concept)"], rec[":END_ID(Concept)"]))
                        rec[":START_ID(Concept)"], rec[":END_ID(Concept)"] = s, e
                    out[json.dumps(rec, sort_keys=True)] += 1
                return [h for h in header if not h.startswith("replaces")], out

        assert rows(update, m) == rows(clean, {}), f"neo4j/{name} differs"


def _rdf_view(path: Path, m: dict[str, str], base: str) -> tuple[set, list]:
    """Triples with concept IRIs mapped and the hashed nodes (links, relations, pairs: their IRI
    is a hash of ids) renamed by their content; the redirect triples are returned apart."""
    g = Graph()
    g.parse(path)
    concept = base + "concept/"
    cmap = {URIRef(concept + a): URIRef(concept + b) for a, b in m.items()}
    redirects = [(s, o) for s, o in g.subject_objects(DCTERMS.isReplacedBy)]
    hashed = re.compile(re.escape(base) + r"(link|relation|pair)/")
    idmap = {Literal(a): Literal(b) for a, b in m.items()}  # a concept's dcterms:identifier is its id
    triples = [(cmap.get(s, s), p, (idmap.get(o, o) if p == DCTERMS.identifier else cmap.get(o, o)))
               for s, p, o in g if p != DCTERMS.isReplacedBy]
    # symmetric properties are stored from the smaller id: compare them as unordered pairs
    symmetric = {URIRef(KG_NS + n) for n in ("coOccursWith", "comparedWith", "conjunction")}
    statement_of = {s for s, p, o in triples if p == RDF.predicate and o in symmetric}
    pair = URIRef("urn:unordered-pair")
    ends: dict = {}
    kept = []
    for s, p, o in triples:
        if p in symmetric:
            s, o = sorted((s, o))
        elif s in statement_of and p in (RDF.subject, RDF.object):
            ends.setdefault(s, []).append(str(o))
            continue
        kept.append((s, p, o))
    kept.extend((s, pair, Literal("|".join(sorted(e)))) for s, e in ends.items())
    by_subject: dict = {}
    for s, p, o in kept:
        if isinstance(s, URIRef) and hashed.match(str(s)) and not (isinstance(o, URIRef) and hashed.match(str(o))):
            by_subject.setdefault(s, []).append((str(p), str(o)))
    names = {s: ("hashed", json.dumps(sorted(props))) for s, props in by_subject.items()}  # not an IRI: rdflib would warn
    return {(names.get(s, s), p, names.get(o, o)) for s, p, o in kept}, redirects


def compare_rdf(update: Path, clean: Path, m: dict[str, str], base: str = "https://w3id.org/kg/resource/") -> list:
    """graph.ttl parsed by rdflib; returns the update's redirect pairs (old IRI, new IRI)."""
    a, redirects = _rdf_view(update / "graph.ttl", m, base)
    b, none = _rdf_view(clean / "graph.ttl", {}, base)
    assert none == []
    assert a == b, f"graph.ttl differs: {len(a - b)} triples only in the update, {len(b - a)} only in the clean build: {sorted(a - b, key=str)[:4]} / {sorted(b - a, key=str)[:4]}"
    return redirects


def compare_map(update: Path, clean: Path, m: dict[str, str]) -> None:
    """map.html's embedded data: the same concepts with the same tooltips. Positions and
    communities are seeded by node order, which follows the ids, so they are not compared."""

    def nodes(folder, mp):
        html = (folder / "map.html").read_text(encoding="utf-8")
        data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1))
        out = {}
        for n in data["nodes"]:
            info = {k: v for k, v in n["info"].items() if k not in ("community", "id")}
            out[mp.get(n["id"], n["id"])] = (n["text"], n["ctype"], json.dumps(info, sort_keys=True))
        return out

    assert nodes(update, m) == nodes(clean, {}), "map.html's concepts differ"


def compare_all(update: Path, clean: Path) -> tuple[dict[str, str], list]:
    """Every output of the two folders; returns (id map, redirects found in the update's RDF)."""
    m = concept_map(update, clean)
    compare_networkx(update, clean, m)
    compare_mentions(update, clean, m)
    compare_merges(update, clean, m)
    compare_neo4j(update, clean, m)
    redirects = compare_rdf(update, clean, m)
    compare_map(update, clean, m)
    assert (update / "summary.md").read_text(encoding="utf-8") == (clean / "summary.md").read_text(encoding="utf-8")
    return m, redirects
