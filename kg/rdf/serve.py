"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and the concept map, on localhost.

* ``GET /sparql?query=...``, ``POST /sparql`` with a form-encoded ``query=...`` or an
  ``application/sparql-query`` body. Results by content negotiation (``Accept``, or a
  ``format=json|xml|csv|tsv|turtle|nt|json-ld`` parameter): SPARQL JSON (default), XML, CSV, TSV
  for SELECT/ASK; Turtle (default), N-Triples, JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE.
* Read-only: an ``update`` parameter or an ``application/sparql-update`` body gets 403; an
  update sent as a query does not parse (400); ``SERVICE`` is refused (400); PUT/DELETE/PATCH
  get 405. Queries run on a copy of the graph in a child process anyway (:mod:`kg.rdf.worker`).
* Limits: each query runs in its own process, killed after ``timeout`` seconds (503); at most
  ``max_results`` rows (or triples) and 64 MiB are returned, a cut result says so in the
  ``X-KG-Truncated: true`` header; a query may allocate 2 GiB beyond the loaded graph; request
  bodies over 1 MiB get 413. A malformed query gets 400 with the parser's message and position.
* ``GET /`` serves the concept map (``map.html`` beside the graph unless told otherwise).
* CORS is open (``Access-Control-Allow-Origin: *``), so browser tools such as YASGUI can use it.
"""

from __future__ import annotations

import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.rdf.results import GRAPH_FORMATS, SOLUTION_FORMATS
from kg.rdf.worker import QueryRunner

#: Largest request body accepted (a query, form-encoded or not).
MAX_BODY = 1 << 20
#: Largest response body produced; a larger result is cut (and says so).
MAX_RESPONSE_BYTES = 64 << 20
#: Queries evaluated at the same time; more wait (up to the timeout) for a free slot.
MAX_CONCURRENT = 4

_SOLUTION_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/javascript": "json",
    "application/javascript": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/plain": "table",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
}
_DEFAULT = {"select": "json", "ask": "json", "graph": "turtle"}
_FORMAT_ALIASES = {
    "graph": {"ttl": "turtle", "n3": "turtle", "n-triples": "nt", "ntriples": "nt", "jsonld": "json-ld",
              "json": "json-ld", "rdf": "xml", "rdf+xml": "xml"},
    "select": {"sparql-results+json": "json", "sparql-results+xml": "xml", "text": "table"},
}


def negotiate(accept: str | None, kind: str, format_param: str | list[str] | None = None) -> str | None:
    """The output format for a result of ``kind`` (select, ask, graph), or None if none is acceptable.

    A recognised ``format`` (or ``output``) parameter, a name or a media type, wins over the
    ``Accept`` header (SPARQLWrapper sends both); the header's entries are tried by quality,
    ``*/*`` and ``type/*`` included.

    Example
    -------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "select")
    'xml'
    >>> negotiate("application/sparql-results+json", "graph") is None
    True
    >>> negotiate(None, "graph"), negotiate("*/*", "select"), negotiate(None, "select", "tsv")
    ('turtle', 'json', 'tsv')
    >>> negotiate("application/json", "graph", ["json"])
    'json-ld'
    """
    media = _GRAPH_MEDIA if kind == "graph" else _SOLUTION_MEDIA
    names = set(GRAPH_FORMATS) if kind == "graph" else {*SOLUTION_FORMATS, "table"}
    aliases = _FORMAT_ALIASES["graph" if kind == "graph" else "select"]
    for wanted in [format_param] if isinstance(format_param, str) else (format_param or []):
        wanted = (wanted or "").strip().lower()
        wanted = aliases.get(wanted, wanted)
        if wanted in names:
            return wanted
        if wanted.split(";")[0].strip() in media:
            return media[wanted.split(";")[0].strip()]
    if not accept or not accept.strip():
        return _DEFAULT[kind]
    ranges = []
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if parts[0] and q > 0:
            ranges.append((-q, position, parts[0].lower()))
    for _, _, mtype in sorted(ranges):
        if mtype in ("*/*", "*"):
            return _DEFAULT[kind]
        if mtype.endswith("/*"):
            major = mtype[:-1]
            default = [m for m, n in media.items() if n == _DEFAULT[kind] and m.startswith(major)]
            match = default or [m for m in media if m.startswith(major)]
            if match:
                return media[match[0]]
            continue
        if mtype in media:
            return media[mtype]
    return None


class SparqlHandler(BaseHTTPRequestHandler):
    """The endpoint's request handler; the server object carries the runner and the limits."""

    server_version = "kg-sparql/1"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request

    # --- plumbing ---

    def _send(self, status: int, body: bytes | str, media_type: str = "text/plain", headers: dict | None = None) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not body.endswith(b"\n") and media_type == "text/plain":
            body += b"\n"
        self.send_response(status)
        self.send_header("Content-Type", f"{media_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"kg serve: {self.address_string()} {format % args}\n")

    # --- routes ---

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html", "/map.html"):
            return self._map()
        if url.path == "/sparql":
            params = parse_qs(url.query, keep_blank_values=True)
            return self._dispatch(params)
        self._send(404, f"not found: {url.path}; the SPARQL endpoint is /sparql, the concept map is /")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._send(404, f"not found: {url.path}; the SPARQL endpoint is /sparql")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._send(400, "bad Content-Length")
        if length > MAX_BODY:
            self.close_connection = True
            return self._send(413, f"request body over {MAX_BODY} bytes")
        body = self.rfile.read(length) if length > 0 else b""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._read_only()
        if ctype == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                return self._send(400, "the form body is not UTF-8")
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        else:
            return self._send(415, f"unsupported Content-Type {ctype!r}: use application/sparql-query or a form")
        self._dispatch(params)

    def _refuse_method(self) -> None:
        self._send(405, "this SPARQL endpoint is read-only", headers={"Allow": "GET, HEAD, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # --- handlers ---

    def _map(self) -> None:
        path = self.server.map_html
        if path is None or not path.is_file():
            return self._send(404, f"no concept map at {path}; the SPARQL endpoint is /sparql")
        self._send(200, path.read_bytes(), "text/html")

    def _read_only(self) -> None:
        self._send(403, "this SPARQL endpoint is read-only: updates are refused")

    def _dispatch(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._read_only()
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            return self._send(400, "give exactly one SPARQL query: GET /sparql?query=..., or POST it "
                                   "(form field 'query' or an application/sparql-query body)")
        server = self.server
        if not server.slots.acquire(timeout=server.runner.timeout):
            return self._send(503, "too many queries at once; try again", headers={"Retry-After": "1"})
        try:
            answer = server.runner.run(
                queries[0],
                accept=self.headers.get("Accept"),
                format=params.get("format", []) + params.get("output", []),
                max_rows=server.max_results,
                max_bytes=MAX_RESPONSE_BYTES,
            )
        finally:
            server.slots.release()
        headers = {"X-KG-Rows": str(answer.rows)}
        if answer.truncated:
            headers["X-KG-Truncated"] = "true"
        self._send(answer.status, answer.body, answer.media_type if answer.status == 200 else "text/plain", headers)


class SparqlServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the query runner, the limits and the map path."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, runner: QueryRunner, *, max_results: int | None, map_html: Path | None, quiet: bool = False):
        super().__init__(address, SparqlHandler)
        self.runner = runner
        self.max_results = max_results
        self.map_html = map_html
        self.quiet = quiet
        self.slots = threading.BoundedSemaphore(MAX_CONCURRENT)


def make_server(graph_path: str | Path, host: str = "127.0.0.1", port: int = 3030, backend: str = "memory",
                timeout: float = 10.0, max_results: int | None = 10000, map_html: str | Path | None = None,
                quiet: bool = False) -> SparqlServer:
    """Load the graph into a query runner and bind the endpoint (``port=0``: any free port).

    Raises ``FileNotFoundError`` when the graph does not exist, ``ValueError`` for a bad limit,
    and :class:`kg.rdf.worker.RunnerUnavailable` when it does not load.
    """
    graph = Path(graph_path)
    if not graph.is_file():
        raise FileNotFoundError(f"{graph} does not exist; run 'kg build' first or pass --graph")
    if timeout <= 0:
        raise ValueError("--timeout must be positive")
    if max_results is not None and max_results < 0:
        raise ValueError("--max-results must not be negative")
    map_path = Path(map_html) if map_html else graph.with_name("map.html")
    runner = QueryRunner(graph, backend, timeout=timeout)
    try:
        return SparqlServer((host, port), runner, max_results=max_results, map_html=map_path, quiet=quiet)
    except OSError:
        runner.close()
        raise


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # unwinds serve_forever, closing the socket and the query processes


def serve(graph_path: str | Path, host: str = "127.0.0.1", port: int = 3030, backend: str = "memory",
          timeout: float = 10.0, max_results: int | None = 10000, map_html: str | Path | None = None) -> None:
    """Serve the SPARQL endpoint and the concept map until interrupted (Ctrl-C)."""
    server = make_server(graph_path, host, port, backend, timeout, max_results, map_html)
    bound_host, bound_port = server.server_address[:2]
    print(f"kg serve: SPARQL endpoint http://{bound_host}:{bound_port}/sparql, concept map "
          f"http://{bound_host}:{bound_port}/ ({backend} store, {timeout:g} s timeout, "
          f"{max_results} rows at most); Ctrl-C stops", file=sys.stderr, flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.runner.close()
