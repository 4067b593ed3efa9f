"""Query backends for a written graph file, chosen by name through one registry (:data:`BACKENDS`).

* ``memory``: rdflib's in-memory store; the file is parsed on every load. Simple, and fine up
  to a few million triples (docs/rdf.md has load times and memory).
* ``oxigraph``: an on-disk Oxigraph (RocksDB) store built once with Oxigraph's bulk loader and
  kept beside the graph file (``graph.ttl`` -> ``graph.ttl.oxigraph/``); it is reused while the
  graph file is unchanged (same size and modification time) and rebuilt, into a temporary folder
  switched in atomically, when it changed. Queries open it read-only, so any number of readers
  can share it. Much faster to load and query at scale, and the same answers.

Both run SPARQL 1.1 with kg's prefixes pre-declared (:data:`kg.rdf.namespace.PREFIXES`) and
see the triples of a TriG file's named graph as the default graph. Both query functions pass the
text through :func:`kg.rdf.guard.parse_query` first, so no caller can skip the check that keeps
a query inside the graph (no ``SERVICE``, no ``FROM``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.rdf.formats import RdfFormat, format_for_path
from kg.rdf.guard import QueryError, parse_query, position_message
from kg.rdf.namespace import PREFIXES

#: Name of the file in an Oxigraph store folder recording which graph file it was built from.
STAMP = "kg-source.json"


@dataclass
class QueryResult:
    """A query's answer with rdflib terms, whichever backend ran it.

    ``kind`` is ``select`` (``vars`` and the lazy iterator ``rows``, one tuple per solution,
    None where unbound), ``ask`` (``boolean``) or ``graph`` (CONSTRUCT/DESCRIBE: the lazy
    iterator ``triples``).
    """

    kind: str
    vars: list[str]
    rows: Iterator[tuple] | None = None
    boolean: bool | None = None
    triples: Iterator[tuple] | None = None


@dataclass
class Store:
    """A loaded graph: the backend's own handle plus what it was loaded from."""

    backend: str
    path: Path
    handle: Any
    format: RdfFormat


@dataclass(frozen=True)
class Backend:
    name: str
    load: Callable[[Path, RdfFormat], Any]
    query: Callable[[Any, str], QueryResult]


# --- rdflib in memory -------------------------------------------------------------------------


def _load_memory(path: Path, fmt: RdfFormat) -> Any:
    import rdflib

    graph = rdflib.Dataset(default_union=True) if fmt.quads else rdflib.Graph()
    try:
        graph.parse(str(path), format=fmt.rdflib_format)
    except Exception as exc:  # rdflib's parsers raise many unrelated exception types
        raise ValueError(f"{path}: not valid {fmt.name}: {exc}") from None
    return graph


def _query_memory(graph: Any, text: str) -> QueryResult:
    result = graph.query(parse_query(text).prepared)  # evaluates exactly the algebra that was checked
    if result.type == "ASK":
        return QueryResult("ask", [], boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return QueryResult("graph", [], triples=iter(result.graph))
    names = [str(v) for v in result.vars]
    return QueryResult("select", names, rows=(tuple(row) for row in result))


# --- Oxigraph on disk -------------------------------------------------------------------------


def oxigraph_dir(path: str | Path) -> Path:
    """Where the Oxigraph store of a graph file lives: ``graph.ttl`` -> ``graph.ttl.oxigraph``."""
    path = Path(path)
    return path.with_name(path.name + ".oxigraph")


def source_stamp(path: str | Path) -> dict:
    """What :func:`oxigraph_up_to_date` compares: the graph file's name, size and modification time."""
    path = Path(path)
    st = path.stat()
    return {"file": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def write_stamp(folder: str | Path, stamp: dict) -> None:
    """Record in the store ``folder`` which graph file it holds (``stamp``: :func:`source_stamp`
    of the file, taken before the store was filled)."""
    (Path(folder) / STAMP).write_text(json.dumps(stamp))


def oxigraph_up_to_date(path: str | Path) -> bool:
    """Whether the Oxigraph store beside ``path`` was built from the file as it is now."""
    path = Path(path)
    stamp = oxigraph_dir(path) / STAMP
    try:
        return json.loads(stamp.read_text()) == source_stamp(path)
    except (OSError, ValueError):
        return False


def build_oxigraph(path: str | Path, fmt: RdfFormat | None = None) -> Path:
    """(Re)build the Oxigraph store of ``path`` with the bulk loader and switch it in atomically."""
    import pyoxigraph as ox

    path = Path(path)
    fmt = fmt or format_for_path(path)
    target = oxigraph_dir(path)
    with staged_store(path) as staging:
        store = ox.Store(str(staging))
        try:
            store.bulk_load(path=str(path), format=getattr(ox.RdfFormat, fmt.oxigraph_format))
        except SyntaxError as exc:
            raise ValueError(f"{path}: {exc}") from None
        store.optimize()
        store.flush()
        del store
    return target


@contextmanager
def staged_store(path: str | Path) -> Iterator[Path]:
    """The staging folder of the Oxigraph store of the graph file ``path`` (empty, not created),
    for the caller to fill and close; then stamped with the file as it was when staging began and
    switched in atomically (:func:`kg.output.switch_folder`), or removed on any failure. The one
    way a store is written: the bulk load (:func:`build_oxigraph`) and the in-place update
    (:func:`kg.rdf.store_delta.update_oxigraph`)."""
    from kg.output import switch_folder

    target = oxigraph_dir(path)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    stamp = source_stamp(path)
    try:
        yield staging
        write_stamp(staging, stamp)
        switch_folder(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _load_oxigraph(path: Path, fmt: RdfFormat) -> Any:
    import pyoxigraph as ox

    if not oxigraph_up_to_date(path):
        build_oxigraph(path, fmt)
    return ox.Store.read_only(str(oxigraph_dir(path)))


_OX_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def _query_oxigraph(store: Any, text: str) -> QueryResult:
    import pyoxigraph as ox

    # Oxigraph would call out for SERVICE itself, and has no switch to stop it: it only ever sees
    # text that rdflib's parse has checked, after the one escape expansion both engines apply.
    text = parse_query(text).text
    # The union of all graphs only where there are named graphs (a TriG file's): Oxigraph answers
    # from the default graph alone about a third faster (docs/rdf.md).
    union = next(iter(store.named_graphs()), None) is not None
    try:
        result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=union)
    except SyntaxError as exc:
        message = str(exc)
        m = _OX_POSITION.match(message)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            lines = text.splitlines() or [""]
            raise QueryError(position_message(m.group(3), line, col, lines[min(line, len(lines)) - 1])) from None
        raise QueryError(f"malformed query: {message}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", [], boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return QueryResult("graph", [], triples=((_term(t.subject), _term(t.predicate), _term(t.object)) for t in result))
    names = [v.value for v in result.variables]
    return QueryResult("select", names, rows=(tuple(_term(s[i]) for i in range(len(names))) for s in result))


def _term(term: Any):
    """An Oxigraph term as the equal rdflib term (None stays None)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise QueryError(f"unsupported term in a result: {term!r}")


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend("memory", _load_memory, _query_memory),
        Backend("oxigraph", _load_oxigraph, _query_oxigraph),
    )
}


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown store {name!r}; choose one of: {', '.join(BACKENDS)}") from None


def load_store(path: str | Path, backend: str = "memory") -> Store:
    """Load the graph file ``path`` (format from its suffix) into the ``backend`` store.

    Raises ``FileNotFoundError`` (naming any other graph file beside it) when ``path`` does not
    exist, ``ValueError`` for an unknown backend or format or an unparsable file.

    Example
    -------
    >>> import tempfile
    >>> from kg.models import KnowledgeGraph, Paper
    >>> from kg.rdf.write import write_rdf
    >>> path = write_rdf(KnowledgeGraph(papers={"arxiv:1": Paper(id="arxiv:1", title="T", abstract="A")}), tempfile.mkdtemp())
    >>> load_store(path).backend
    'memory'
    """
    path = Path(path)
    impl = get_backend(backend)
    if not path.is_file():
        others = sorted(p.name for p in path.parent.glob("graph.*") if p.is_file()) if path.parent.is_dir() else []
        hint = f" (found {', '.join(others)} beside it: pass --graph)" if others else "; run 'kg build' first or pass --graph"
        raise FileNotFoundError(f"{path} does not exist{hint}")
    fmt = format_for_path(path)
    return Store(backend=backend, path=path, handle=impl.load(path, fmt), format=fmt)
