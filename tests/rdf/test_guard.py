"""No query reaches outside the graph: every spelling of SERVICE, FROM and FROM NAMED is refused,
with both stores and through the CLI, and a real listener on 127.0.0.1 and a FIFO (which shows
whether anyone opened it) check that nothing connected and no file IRI was opened."""

from __future__ import annotations

import errno
import os
import socket
import threading
import time

import pytest
import rdflib

from kg.cli import main
from kg.rdf.guard import QueryError, parse_query
from kg.rdf.query import examples, load_store, read_query, render, run_query
from kg.rdf.write import write_rdf


class Listener:
    """A TCP listener on 127.0.0.1 recording every connection made to it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(200) or b"(nothing sent)")
            except OSError:
                self.connections.append(b"(no request)")
            conn.close()  # the engine gets no answer: it fails, which is fine, as long as we saw it

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


class FifoWatch:
    """A named pipe and a thread that notices when anyone opens it for reading (an opened file IRI)."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path)
        self.opened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.is_set():
            try:  # a non-blocking open for writing succeeds only while a reader has the FIFO open
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                assert exc.errno == errno.ENXIO
                time.sleep(0.005)
                continue
            self.opened += 1
            try:
                os.write(fd, b"<urn:secret> <urn:secret> <urn:secret> .\n")
            except BrokenPipeError:
                pass  # the reader gave up already
            os.close(fd)

    def close(self):
        self._stop.set()
        self._thread.join()


def refused_queries(url: str, file_iri: str) -> list[str]:
    """Queries that would call ``url`` or open ``file_iri``: each escape and case of the keyword,
    SERVICE nested in every kind of pattern and expression, and dataset clauses."""
    spo = "{ ?s ?p ?o }"
    service = f"SERVICE <{url}> {spo}"
    queries = [
        f"SELECT * WHERE {{ {service} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {spo} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE <{url}> {spo} }}",
        f"SELECT * WHERE {{ \\u0073\\u0065\\u0072\\u0076\\u0069\\u0063\\u0065 <{url}> {spo} }}",
        f"SELECT * WHERE {{ service <{url}> {spo} }}",
        f"SELECT * WHERE {{ SeRvIcE <{url}> {spo} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {spo} }}",
        f"SELECT * WHERE {{ SERVICE <{url.replace(':', chr(92) + 'u003A', 1)}> {spo} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?svc) SERVICE ?svc {spo} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {service} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o BIND(EXISTS {{ {service} }} AS ?b) }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ {service} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ {service} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}",
        f"ASK {{ {service} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {service} }}",
        f"DESCRIBE ?s WHERE {{ {service} }}",
        f"# a comment\nPREFIX ex: <urn:x#>\nSELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . {service} }} GROUP BY ?s",
        f"SELECT * WHERE {{ SERVICE <{file_iri}> {spo} }}",
        f"SELECT * FROM <{url}> WHERE {spo}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {spo} }}",
        f"SELECT * FROM <{file_iri}> WHERE {spo}",
        f"SELECT * FROM NAMED <{file_iri}> WHERE {{ GRAPH ?g {spo} }}",
        f"SELECT * \\u0046ROM <{file_iri}> WHERE {spo}",
        f"ASK FROM <{url}> {spo}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{file_iri}> WHERE {spo}",
        f"DESCRIBE <urn:x> FROM <{url}>",
        f"SELECT * WHERE {{ \\u005Cu0053ERVICE <{url}> {spo} }}",  # an escape spelling an escape
    ]
    return queries


@pytest.fixture
def outside(tmp_path):
    listener = Listener()
    fifo = FifoWatch(tmp_path / "secret.ttl")
    yield listener, fifo
    listener.close()
    fifo.close()


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from ..synthetic_kg import synthetic_kg

    folder = tmp_path_factory.mktemp("guard")
    kg = synthetic_kg(5, seed=1)
    # TriG loads as an rdflib Dataset, the case in which rdflib would fetch FROM graphs.
    return {
        "memory-turtle": load_store(write_rdf(kg, folder / "ttl"), "memory"),
        "memory-trig": load_store(write_rdf(kg, folder / "trig", format="trig"), "memory"),
        "oxigraph": load_store(write_rdf(kg, folder / "ox"), "oxigraph"),
    }


def _run_to_the_end(store, text: str) -> str:
    return render(run_query(store, text), "json").body


@pytest.mark.parametrize("store_name", ["memory-turtle", "memory-trig", "oxigraph"])
def test_every_spelling_is_refused_and_nothing_is_reached(store_name, stores, outside):
    listener, fifo = outside
    store = stores[store_name]
    url = f"http://127.0.0.1:{listener.port}/sparql"
    for text in refused_queries(url, fifo.path.as_uri()):
        with pytest.raises(QueryError, match="not allowed|escape sequence"):
            _run_to_the_end(store, text)
    time.sleep(0.3)  # a connection or an open would have been seen by now
    assert listener.connections == [] and fifo.opened == 0


def test_oracles_see_a_call_out(outside):
    """The listener and the FIFO do notice an engine calling out (so the test above can fail)."""
    listener, fifo = outside
    with pytest.raises(Exception):
        _plain_rdflib_service(rdflib.Graph(), fifo.path.as_uri())
    import pyoxigraph as ox

    with pytest.raises(Exception):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}"))
    for _ in range(100):
        if listener.connections and fifo.opened:
            break
        time.sleep(0.02)
    assert listener.connections and listener.connections[0].startswith(b"POST /x") and fifo.opened


def _plain_rdflib_service(graph, iri):
    """rdflib's SERVICE evaluation with kg's evaluation hook taken out, as a stock rdflib has it."""
    from rdflib.plugins.sparql import CUSTOM_EVALS

    hook = CUSTOM_EVALS.pop("kg-refuse-service")
    try:
        return list(graph.query(f"SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}"))
    finally:
        CUSTOM_EVALS["kg-refuse-service"] = hook


def test_rdflib_evaluation_refuses_service_even_without_the_parse_check(outside):
    listener, _ = outside
    graph = rdflib.Graph()
    with pytest.raises(QueryError, match="SERVICE"):
        list(graph.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}"))
    time.sleep(0.2)
    assert listener.connections == []


def test_cli_query_refuses_with_both_stores(stores, outside, capsys):
    listener, fifo = outside
    graph = str(stores["oxigraph"].path)
    for store in ("memory", "oxigraph"):
        for text in refused_queries(f"http://127.0.0.1:{listener.port}/s", fifo.path.as_uri())[:3]:
            assert main(["query", "--graph", graph, "--store", store, text]) == 2
            assert "not allowed" in capsys.readouterr().err
    time.sleep(0.3)
    assert listener.connections == [] and fifo.opened == 0


def test_ordinary_queries_still_run(stores):
    """The word in strings, comments, variables and IRIs is no keyword; the examples all parse;
    GRAPH (no dataset clause) is allowed."""
    store = stores["memory-trig"]
    assert list(run_query(store, 'SELECT * WHERE { ?s ?p "SERVICE <x>" } # SERVICE in a comment').rows) == []
    assert list(run_query(store, "SELECT ?service WHERE { ?service kg:SERVICE ?o }").rows) == []
    assert list(run_query(store, "SELECT * WHERE { ?s ?p <urn:SERVICE> }").rows) == []
    assert run_query(store, r'ASK { FILTER("\u0053ERVICE" = "SERVICE") }').boolean is True
    assert run_query(store, "ASK { GRAPH ?g { ?s ?p ?o } }").boolean is True
    for example in examples().values():
        parse_query(example.text)
    assert run_query(stores["oxigraph"], read_query(None, example="top-methods")).kind == "select"


def test_query_processes_have_no_network_where_the_kernel_allows(outside):
    """The second wall: the query zygote's empty network namespace (Oxigraph's own HTTP client
    included, so pyoxigraph is what tries to call out here, with no guard in between)."""
    import subprocess
    import sys

    listener, _ = outside
    code = (
        "import sys, pyoxigraph as ox\n"
        "from kg.rdf.worker import isolate_network\n"
        "if not isolate_network(): sys.exit(3)\n"
        "try:\n"
        f"    list(ox.Store().query('SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}'))\n"
        "except OSError:\n"
        "    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    rc = subprocess.run([sys.executable, "-c", code], timeout=60).returncode
    if rc == 3:
        pytest.skip("unprivileged user and network namespaces are not available here")
    time.sleep(0.2)
    assert rc == 0 and listener.connections == []
