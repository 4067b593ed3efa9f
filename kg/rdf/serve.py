"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and the concept map, on localhost.

* ``GET /sparql?query=...``, ``POST /sparql`` with a form-encoded ``query=...`` or an
  ``application/sparql-query`` body. Results by content negotiation (``Accept``, or a
  ``format=json|xml|csv|tsv|turtle|nt|json-ld`` parameter): SPARQL JSON (default), XML, CSV, TSV
  for SELECT/ASK; Turtle (default), N-Triples, JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE.
* Read-only and closed: an ``update`` parameter or an ``application/sparql-update`` body gets
  403; an update sent as a query does not parse (400); ``SERVICE`` anywhere in a query and
  ``FROM`` / ``FROM NAMED`` are refused (400) after parsing (:mod:`kg.rdf.guard`), so no query
  makes the server open a URL or a file; PUT/DELETE/PATCH get 405. Queries run on a copy of the
  graph in a child process anyway (:mod:`kg.rdf.worker`), with no network where the kernel allows
  an empty network namespace.
* Browsers: no CORS header unless ``cors`` names an origin (``kg serve --cors ORIGIN``), so a web
  page cannot read answers; bound to a loopback address, the server answers only requests whose
  ``Host`` is a loopback name (``localhost``, ``127.0.0.1``, ``[::1]``), so a page on a domain
  rebound to 127.0.0.1 (DNS rebinding) gets 403 as well.
* Admission (:mod:`kg.rdf.admission`): 4 quick slots and a FIFO queue of 256 requests waiting
  up to 30 s (or the timeout, when longer);
  a query that used over 0.25 s of CPU moves to one of 4 long slots (at the lowest CPU priority
  while quick queries run or wait), or is stopped (503) when those are taken; one still running after 1 s moves there too if there
  is room. A full queue or a wait past the timeout gets 503.
* Limits: each query runs in its own process, killed after ``timeout`` seconds (503); at most
  ``max_results`` rows (or triples) and 64 MiB are returned, a cut result says so in the
  ``X-KG-Truncated: true`` header; a query may allocate 2 GiB beyond the loaded graph; request
  bodies over 1 MiB get 413, and a body not complete within 5 s gets 408. A malformed query
  gets 400 with the parser's message and position.
* ``GET /`` serves the concept map (``map.html`` beside the graph unless told otherwise);
  ``GET /health`` answers at once, whatever queries run, with the lanes' state as JSON.
"""

from __future__ import annotations

import ipaddress
import json
import signal
import sys
import threading
import time
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.rdf.admission import Admission, Ticket, Verdict
from kg.rdf.worker import QueryRunner, cpu_seconds, deprioritise

#: Largest request body accepted (a query, form-encoded or not).
MAX_BODY = 1 << 20
#: Seconds a client has to send the whole request body; then 408 and the connection is closed.
BODY_DEADLINE = 5.0
#: Seconds a connection may stay silent (between requests, or within the request line and headers).
IDLE_TIMEOUT = 10
#: Largest response body produced; a larger result is cut (and says so).
MAX_RESPONSE_BYTES = 64 << 20
#: Queries evaluated at the same time in the quick lane, and queries that turned out slow.
QUICK_SLOTS = 4
LONG_SLOTS = 4
#: Requests that may wait for a quick slot; more get 503 at once.
MAX_WAITING = 256
#: Seconds a request may wait for a quick slot (at least; the query timeout when that is longer).
MAX_WAIT = 30.0
#: CPU seconds after which a query counts as expensive and leaves the quick lane (or is stopped).
CHEAP_CPU = 0.25
#: Seconds after which a query leaves the quick lane when the long lane has room.
QUICK_WALL = 1.0


class SparqlHandler(BaseHTTPRequestHandler):
    """The endpoint's request handler; the server object carries the runner and the limits."""

    server_version = "kg-sparql/1"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # seconds a connection may stay silent

    # --- plumbing ---

    def _send(self, status: int, body: bytes | str, media_type: str = "text/plain", headers: dict | None = None) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not body.endswith(b"\n") and media_type == "text/plain":
            body += b"\n"
        self.send_response(status)
        self.send_header("Content-Type", f"{media_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self._cors_headers()
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _cors_headers(self) -> None:
        if self.server.cors:
            self.send_header("Access-Control-Allow-Origin", self.server.cors)
            self.send_header("Vary", "Origin")

    def _host_allowed(self) -> bool:
        """Bound to loopback, only a loopback ``Host`` is served (no DNS rebinding)."""
        if not self.server.loopback_only:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if not host:
            return True  # HTTP/1.0 without Host: no browser sends that
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]")
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not self._host_allowed():
            self.close_connection = True
            self._send(403, f"Host {self.headers.get('Host')!r} is not served: this endpoint answers "
                            "only for localhost (pass --host to serve other names)")
            return False
        return True

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
        if url.path == "/health":
            state = {"status": "ok", **asdict(self.server.admission.state())}
            return self._send(200, json.dumps(state) + "\n", "application/json")
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
        body = self._read_body(length)
        if body is None:
            return
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

    def _read_body(self, length: int) -> bytes | None:
        """The request body, read within :data:`BODY_DEADLINE` seconds in all; None (408 sent, the
        connection closed) when it does not come in time or the client hangs up."""
        deadline = time.monotonic() + BODY_DEADLINE
        chunks, got = [], 0
        try:
            while got < length:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                self.connection.settimeout(remaining)
                chunk = self.rfile.read1(min(length - got, 1 << 16))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        except TimeoutError:
            pass
        finally:
            self.connection.settimeout(self.timeout)
        if got < length:
            self.close_connection = True
            self._send(408, f"the request body did not arrive within {BODY_DEADLINE:g} s "
                            f"({got} of {length} bytes)")
            return None
        return b"".join(chunks)

    def _refuse_method(self) -> None:
        self._send(405, "this SPARQL endpoint is read-only", headers={"Allow": "GET, HEAD, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        if self.server.cors:
            self._cors_headers()
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
        ticket = server.admission.enter(wait=max(MAX_WAIT, server.runner.timeout))
        if ticket is None:
            return self._send(503, "too many queries at once; try again", headers={"Retry-After": "1"})
        try:
            answer = server.runner.run(
                queries[0],
                accept=self.headers.get("Accept"),
                format=params.get("format", []) + params.get("output", []),
                max_rows=server.max_results,
                max_bytes=MAX_RESPONSE_BYTES,
                supervise=lambda pid: _keep_cheap_lane_free(server.admission, ticket, pid),
            )
        finally:
            server.admission.leave(ticket)
        headers = {"X-KG-Rows": str(answer.rows)}
        if answer.truncated:
            headers["X-KG-Truncated"] = "true"
        self._send(answer.status, answer.body, answer.media_type if answer.status == 200 else "text/plain", headers)


def _keep_cheap_lane_free(admission: Admission, ticket: Ticket, pid: int) -> str | None:
    """Supervisor of a running query: applies :meth:`Admission.review`; the message stops it."""
    verdict = admission.review(ticket, cpu_seconds(pid), time.monotonic() - ticket.started)
    if verdict is Verdict.DEPRIORITISE:
        deprioritise(pid)
    elif verdict is Verdict.STOP:
        return (f"too many expensive queries at once: this one used over {admission.cheap_cpu:g} s of CPU "
                f"while {admission.long_slots} others were running long, and was stopped; try again later")
    return None


class SparqlServer(ThreadingHTTPServer):
    """A threading HTTP server carrying the query runner, the admission lanes, the limits and the map path."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: 50 clients connecting at once must not see SYN drops

    def __init__(self, address, runner: QueryRunner, *, max_results: int | None, map_html: Path | None,
                 quiet: bool = False, cors: str | None = None):
        super().__init__(address, SparqlHandler)
        self.runner = runner
        self.max_results = max_results
        self.map_html = map_html
        self.quiet = quiet
        self.cors = cors
        self.loopback_only = _is_loopback(address[0])
        self.admission = Admission(QUICK_SLOTS, LONG_SLOTS, MAX_WAITING, CHEAP_CPU, QUICK_WALL)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(graph_path: str | Path, host: str = "127.0.0.1", port: int = 3030, backend: str = "memory",
                timeout: float = 10.0, max_results: int | None = 10000, map_html: str | Path | None = None,
                quiet: bool = False, cors: str | None = None) -> SparqlServer:
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
        return SparqlServer((host, port), runner, max_results=max_results, map_html=map_path, quiet=quiet, cors=cors)
    except OSError:
        runner.close()
        raise


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # unwinds serve_forever, closing the socket and the query processes


def serve(graph_path: str | Path, host: str = "127.0.0.1", port: int = 3030, backend: str = "memory",
          timeout: float = 10.0, max_results: int | None = 10000, map_html: str | Path | None = None,
          cors: str | None = None) -> None:
    """Serve the SPARQL endpoint and the concept map until interrupted (Ctrl-C)."""
    server = make_server(graph_path, host, port, backend, timeout, max_results, map_html, cors=cors)
    bound_host, bound_port = server.server_address[:2]
    print(f"kg serve: SPARQL endpoint http://{bound_host}:{bound_port}/sparql, concept map "
          f"http://{bound_host}:{bound_port}/ ({backend} store, {timeout:g} s timeout, "
          f"{max_results} rows at most, CORS {'for ' + cors if cors else 'off'}, query processes "
          f"{'without network' if server.runner.network_isolated else 'share the network'}); Ctrl-C stops",
          file=sys.stderr, flush=True)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.runner.close()
