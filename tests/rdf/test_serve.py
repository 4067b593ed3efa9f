"""kg serve with a real SPARQL client (SPARQLWrapper): SELECT, ASK, CONSTRUCT, content
negotiation, updates refused, and a server that survives malformed, huge and slow queries."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.rdf.write import write_rdf

pytestmark = pytest.mark.slow

# A query whose cost explodes: a four-way cross product of every triple.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _start(graph, *options: str):
    """``kg serve`` as a subprocess on a free port: returns (sparql URL, base URL, process)."""
    cmd = [sys.executable, "-m", "kg", "serve", "--graph", str(graph), "--port", "0", *options]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    found = threading.Event()

    def read_stderr():
        for line in proc.stderr:
            lines.append(line)
            if "SPARQL endpoint" in line:
                found.set()

    threading.Thread(target=read_stderr, daemon=True).start()
    assert found.wait(120), "kg serve did not start:\n" + "".join(lines)
    url = re.search(r"(http://\S+/sparql)", "".join(lines)).group(1)
    return url, url[: -len("sparql")], proc


def _stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    from ..synthetic_kg import synthetic_kg

    folder = tmp_path_factory.mktemp("serve")
    write_rdf(synthetic_kg(40, seed=3), folder)
    (folder / "map.html").write_text("<!doctype html><title>concept map</title>", encoding="utf-8")
    url, base, proc = _start(folder / "graph.ttl", "--timeout", "3", "--max-results", "100")
    yield url, base, proc
    _stop(proc)


def _client(url: str, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    sw = SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    sw.setTimeout(30)
    return sw


def _http(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (zombies included), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(url: str) -> bool:
    data = _client(url, "ASK { ?c a kg:Method }").query().convert()
    return data["boolean"] is True


def test_select_in_every_results_format(endpoint):
    url, _, _ = endpoint
    q = "SELECT ?c ?l WHERE { ?c a kg:Dataset ; skos:prefLabel ?l } ORDER BY ?l LIMIT 3"
    data = _client(url, q).query().convert()
    labels = [b["l"]["value"] for b in data["results"]["bindings"]]
    assert len(labels) == 3 and labels == sorted(labels)
    xml = _client(url, q, XML).query().convert()
    assert [n.firstChild.data for n in xml.getElementsByTagName("literal")] == labels
    csv_text = _client(url, q, CSV).query().convert().decode()
    assert csv_text.splitlines()[0] == "c,l" and labels[0] in csv_text
    tsv_text = _client(url, q, TSV, POST).query().convert().decode()
    assert tsv_text.splitlines()[0] == "?c\t?l" and f'"{labels[0]}"' in tsv_text


def test_ask_and_construct(endpoint):
    url, _, _ = endpoint
    assert _alive(url)
    assert _client(url, "ASK { ?c a kg:Method ; skos:prefLabel 'no such label' }").query().convert()["boolean"] is False
    g = _client(url, "CONSTRUCT { ?c a kg:Task ; skos:prefLabel ?l } WHERE { ?c a kg:Task ; skos:prefLabel ?l }", TURTLE).query().convert()
    graph = rdflib.Graph().parse(data=g, format="turtle")
    assert len(graph) > 4
    assert set(graph.predicates()) == {rdflib.RDF.type, rdflib.SKOS.prefLabel}
    jsonld = _http(url, f"query={urllib.parse.quote('DESCRIBE ?c WHERE { ?c a kg:Metric } LIMIT 1')}".encode(),
                   {"Accept": "application/ld+json", "Content-Type": "application/x-www-form-urlencoded"})
    assert jsonld[0] == 200 and jsonld[1]["Content-Type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=jsonld[2], format="json-ld")) > 0


def test_protocol_variants_and_negotiation(endpoint):
    url, _, _ = endpoint
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Method }"
    status, headers, body = _http(url, q.encode(), {"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and int(body.decode().split()[1]) > 0
    status, _, _ = _http(url + "?query=" + urllib.parse.quote(q), headers={"Accept": "application/n-triples"})
    assert status == 406  # no N-Triples for a SELECT
    status, _, body = _http(url)
    assert status == 400 and b"query" in body


def test_updates_are_refused(endpoint):
    url, _, _ = endpoint
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    with pytest.raises(urllib.error.HTTPError) as err:
        _client(url, update, method=POST).query()
    assert err.value.code == 403
    status, _, _ = _http(url, update.encode(), {"Content-Type": "application/sparql-update"})
    assert status == 403
    status, _, _ = _http(url + "?query=" + urllib.parse.quote(update))
    assert status == 400  # an update is not a query
    req = urllib.request.Request(url, data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 405
    assert not _client(url, "ASK { <urn:a> <urn:b> <urn:c> }").query().convert()["boolean"]


def test_malformed_query_gets_400_with_position(endpoint):
    url, _, _ = endpoint
    with pytest.raises(QueryBadFormed) as err:
        _client(url, "SELECT ?x WHERE {\n  ?x a kg:Method").query()
    assert "line 2" in str(err.value)
    status, _, body = _http(url + "?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))
    assert status == 400 and b"SERVICE" in body
    assert _alive(url)


def test_huge_result_is_cut_to_the_limit(endpoint):
    url, _, _ = endpoint
    status, headers, body = _http(url + "?query=" + urllib.parse.quote("SELECT * WHERE { ?s ?p ?o }"),
                                  headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["X-KG-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 100
    status, headers, body = _http(url + "?query=" + urllib.parse.quote("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert status == 200 and headers["X-KG-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=body, format="turtle")) == 100


def test_slow_queries_are_stopped_and_the_server_keeps_answering(endpoint):
    url, _, proc = endpoint
    started = time.monotonic()
    status, _, body = _http(url + "?query=" + urllib.parse.quote(SLOW))
    assert status == 503 and b"time limit" in body
    assert time.monotonic() - started < 20
    with ThreadPoolExecutor(4) as pool:  # slow and quick queries at once
        slow = [pool.submit(_http, url + "?query=" + urllib.parse.quote(SLOW)) for _ in range(2)]
        assert all(pool.submit(_alive, url).result() for _ in range(3))
        assert [f.result()[0] for f in slow] == [503, 503]
    assert proc.poll() is None and _alive(url)
    # the killed query processes are gone (only the zygote is left as a child of kg serve)
    children = _children(proc.pid)
    assert len(children) == 1
    for _ in range(50):  # a query process may take a moment to exit after answering
        grandchildren = _children(children[0])
        if not grandchildren:
            break
        time.sleep(0.1)
    assert grandchildren == []


def test_memory_hungry_query_fails_alone(endpoint):
    url, _, proc = endpoint
    # builds ever longer strings; the child hits its memory or time limit, not the server
    q = ("SELECT (STRLEN(GROUP_CONCAT(?big; separator='')) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
         "BIND(CONCAT(STR(?a), STR(?c), STR(?d), STR(?f), STR(?a), STR(?c), STR(?d), STR(?f)) AS ?big) }")
    status, _, _ = _http(url + "?query=" + urllib.parse.quote(q))
    assert status in (503, 500)
    assert proc.poll() is None and _alive(url)


def test_concept_map_is_served_at_root(endpoint):
    _, base, _ = endpoint
    status, headers, body = _http(base)
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"concept map" in body
    assert _http(base + "nothing")[0] == 404


def test_missing_graph_exits_5(tmp_path):
    from kg.cli import main

    assert main(["serve", "--graph", str(tmp_path / "none.ttl"), "--port", "0"]) == 5


def test_oxigraph_store_behind_the_endpoint(small_kg, tmp_path):
    url, _, proc = _start(write_rdf(small_kg, tmp_path), "--store", "oxigraph", "--timeout", "3")
    try:
        data = _client(url, "SELECT ?l WHERE { ?c a kg:Method ; skos:prefLabel ?l } ORDER BY ?l").query().convert()
        assert [b["l"]["value"] for b in data["results"]["bindings"]] == ["GraphSAGE-X", "Transformers", "graph neural networks"]
        status, _, _ = _http(url + "?query=" + urllib.parse.quote(SLOW.replace("}", ". ?m ?n ?o }")))
        assert status == 503 and proc.poll() is None and _alive(url)
    finally:
        _stop(proc)


# --- closed to the outside: SERVICE/FROM, CORS, Host, slow bodies ---------------------------------


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_endpoint_never_calls_out(store, tmp_path):
    from .test_guard import FifoWatch, Listener, refused_queries

    listener, fifo = Listener(), FifoWatch(tmp_path / "secret.ttl")
    url, _, proc = _start(write_rdf(synthetic_kg_small(), tmp_path), "--store", store, "--timeout", "3")
    try:
        queries = refused_queries(f"http://127.0.0.1:{listener.port}/sparql", fifo.path.as_uri())
        for text in queries:
            status, _, body = _http(url + "?query=" + urllib.parse.quote(text))
            assert status == 400 and (b"not allowed" in body or b"escape sequence" in body), text
        for text in queries[:4]:  # POSTed too, both ways
            status, _, _ = _http(url, text.encode(), {"Content-Type": "application/sparql-query"})
            assert status == 400, text
            form = urllib.parse.urlencode({"query": text}).encode()
            status, _, _ = _http(url, form, {"Content-Type": "application/x-www-form-urlencoded"})
            assert status == 400, text
        time.sleep(0.3)
        assert listener.connections == [] and fifo.opened == 0
        assert _alive(url)
    finally:
        _stop(proc)
        listener.close()
        fifo.close()


def synthetic_kg_small():
    from ..synthetic_kg import synthetic_kg

    return synthetic_kg(5, seed=2)


def test_no_cors_unless_asked(endpoint, tmp_path):
    url, _, _ = endpoint
    q = url + "?query=" + urllib.parse.quote("ASK {}")
    status, headers, _ = _http(q, headers={"Origin": "http://evil.example"})
    assert status == 200 and not any(h.lower().startswith("access-control") for h in headers)
    req = urllib.request.Request(url, method="OPTIONS", headers={"Origin": "http://evil.example"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert not any(h.lower().startswith("access-control") for h in resp.headers)
    url2, _, proc = _start(write_rdf(synthetic_kg_small(), tmp_path), "--cors", "http://localhost:8080")
    try:
        status, headers, _ = _http(url2 + "?query=" + urllib.parse.quote("ASK {}"))
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    finally:
        _stop(proc)


def _raw(url: str, data: bytes, wait: float = 30) -> tuple[bytes, float]:
    """Send ``data`` on a raw socket; what came back until the server closed, and how long it took."""
    import socket

    parts = urllib.parse.urlsplit(url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - started


def test_dns_rebinding_host_is_refused(endpoint):
    url, _, _ = endpoint
    path = "/sparql?query=" + urllib.parse.quote("ASK {}")
    answer, _ = _raw(url, f"GET {path} HTTP/1.1\r\nHost: evil.example:3030\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 403")
    for host in ("127.0.0.1:1", "localhost", "[::1]:3030"):
        answer, _ = _raw(url, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 200"), host


def test_short_body_gets_408_within_the_deadline(endpoint):
    """A body shorter than its Content-Length no longer holds the connection for 60 s."""
    url, _, _ = endpoint
    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK {")
    answer, seconds = _raw(url, head, wait=70)
    assert answer.startswith(b"HTTP/1.1 408") and seconds < 10
    assert _alive(url)


def test_health_answers_and_cheap_queries_pass_slow_ones(endpoint):
    """4 slow queries running: cheap queries from 20 clients are all answered, /health too, and
    the slow ones are what gets 503."""
    url, base, _ = endpoint
    cheap = url + "?query=" + urllib.parse.quote("SELECT ?c WHERE { ?c a kg:Method } LIMIT 5")
    with ThreadPoolExecutor(24) as pool:
        slow = [pool.submit(_http, url + "?query=" + urllib.parse.quote(SLOW)) for _ in range(4)]
        time.sleep(1.0)  # the slow ones hold their slots before the cheap ones come
        started = time.monotonic()
        quick = list(pool.map(lambda _: _http(cheap)[0], range(60)))
        cheap_seconds = time.monotonic() - started
        health = _http(base + "health")
        slow_status = [f.result()[0] for f in slow]
    assert quick == [200] * 60, quick
    assert cheap_seconds < 3 * 4, cheap_seconds  # before: each waited for a slow one's 3 s
    assert slow_status == [503] * 4, slow_status
    assert health[0] == 200 and json.loads(health[2])["status"] == "ok"
