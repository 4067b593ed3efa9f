"""Writing the NetworkX graph as ``graph.json`` (node-link JSON) and ``graph.graphml``.

Both writers stream: nothing the size of the whole file is built in memory, and each is written
to give exactly the bytes of the reference writers it replaces (the tests compare them):

* ``graph.json`` is ``json.dump(to_node_link(G), fh, ensure_ascii=False, sort_keys=True,
  separators=(",", ":"))`` plus a newline. ``json.dump`` to a file runs the pure-Python encoder;
  here batches of nodes and edges are encoded by :func:`kg.graph.fast_json.dumps` (orjson where
  it gives the same bytes, else the json module's C encoder with the same settings), and the
  pieces are joined exactly as the one-shot encoding joins them.
* ``graph.graphml`` is ``nx.write_graphml(graphml_ready(G), fh, encoding="utf-8",
  named_key_ids=True)`` (NetworkX's ElementTree writer, pretty-printed): the key declarations
  come first, in the order NetworkX puts them (the reverse of first use), so they are gathered
  in a first pass over the attributes; the second pass writes one element at a time.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graph import fast_json
from kg.output import atomic_open

#: Nodes, edges or mapping entries encoded per call of the C encoder.
CHUNK = 2000

#: The encoder of list and dict attributes in GraphML (``json.dumps(v, ensure_ascii=False, sort_keys=True)``).
_GRAPHML_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def _batches(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _compact_array_body(items: Iterable[Any]) -> Iterator[bytes]:
    """The bytes between ``[`` and ``]`` of :func:`kg.graph.fast_json.dumps` of ``list(items)``, in pieces."""
    first = True
    for batch in _batches(items):
        text = fast_json.dumps(batch)[1:-1]
        yield text if first else b"," + text
        first = False


def _plain(value: Any) -> Any:
    """``value`` as the JSON encoders take it: a mapping that is not a dict (the graph's
    evidence table, :class:`kg.graph.build.EvidenceTable`) as a dict."""
    return dict(value) if isinstance(value, Mapping) and not isinstance(value, dict) else value


def _compact_pieces(value: Any) -> Iterator[bytes]:
    """:func:`kg.graph.fast_json.dumps` of ``value`` in pieces: a large mapping with string keys
    (the graph's evidence table) is encoded a batch of entries at a time."""
    if isinstance(value, Mapping) and len(value) > CHUNK and all(type(k) is str for k in value):
        yield b"{"
        first = True
        for batch in _batches(sorted(value)):
            text = fast_json.dumps({k: value[k] for k in batch})[1:-1]
            yield text if first else b"," + text
            first = False
        yield b"}"
    else:
        yield fast_json.dumps(_plain(value))


def _json_pieces(encoder: json.JSONEncoder, value: Any, item_sep: str, key_sep: str) -> Iterator[str]:
    """``encoder.encode(value)`` (a ``sort_keys`` encoder) in pieces: a large mapping with string
    keys (the graph's evidence table) is encoded a batch of entries at a time."""
    if isinstance(value, Mapping) and len(value) > CHUNK and all(type(k) is str for k in value):
        yield "{"
        first = True
        for batch in _batches(sorted(value)):
            text = encoder.encode({k: value[k] for k in batch})[1:-1]
            yield text if first else item_sep + text
            first = False
        yield "}"
    else:
        yield encoder.encode(_plain(value))


def _write_chunked(write: Callable[[Any], Any], pieces: Iterable[Any], size: int = 1 << 20, empty: Any = "") -> None:
    """Write text (or, with ``empty=b""``, bytes) pieces in writes of about ``size`` characters."""
    buf: list[str] = []
    n = 0
    for piece in pieces:
        buf.append(piece)
        n += len(piece)
        if n >= size:
            write(empty.join(buf))
            buf, n = [], 0
    if buf:
        write(empty.join(buf))


def node_link_pieces(G: nx.Graph) -> Iterator[bytes]:
    """The UTF-8 text of ``graph.json`` for ``G`` in pieces (see :func:`write_node_link`).

    The layout is :func:`kg.graph.build.to_node_link`'s: ``{"directed", "edges", "graph",
    "multigraph", "nodes"}`` (keys sorted), nodes as ``{**attrs, "id": node}``, edges as
    ``{**attrs, "source": u, "target": v, "key": k}`` (no ``key`` for a graph that is not a
    multigraph).
    """
    dumps = fast_json.dumps
    multigraph = G.is_multigraph()
    if multigraph:
        edges = ({**d, "source": u, "target": v, "key": k} for u, v, k, d in G.edges(keys=True, data=True))
    else:
        edges = ({**d, "source": u, "target": v} for u, v, d in G.edges(data=True))
    yield b'{"directed":' + dumps(G.is_directed()) + b',"edges":['
    yield from _compact_array_body(edges)
    yield b'],"graph":'
    if all(type(k) is str for k in G.graph):
        yield b"{"
        for i, key in enumerate(sorted(G.graph)):
            yield (b"," if i else b"") + dumps(key) + b":"
            yield from _compact_pieces(G.graph[key])
        yield b"}"
    else:
        yield dumps(G.graph)
    yield b',"multigraph":' + dumps(multigraph) + b',"nodes":['
    yield from _compact_array_body({**attrs, "id": n} for n, attrs in G.nodes(data=True))
    yield b"]}\n"


def write_node_link(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as node-link JSON (loadable with :func:`kg.graph.build.load_graph`), atomically.

    The bytes are those of ``json.dump(to_node_link(G), fh, ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))`` followed by a newline, written in bounded memory.
    """
    path = Path(path)
    with atomic_open(path, "wb", encoding=None) as fh:
        _write_chunked(fh.write, node_link_pieces(G), empty=b"")
    return path


# --- GraphML ------------------------------------------------------------------------------------

_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_GRAPHML_OPEN = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)


#: GraphML ``attr.type`` of the Python types, as NetworkX's table has them (tests/graph/test_io.py
#: checks it against that table). NetworkX builds its table with numpy's scalar types (importing
#: numpy: 1.6 s CPU at a cold start); only a graph holding a numpy value needs them, and
#: :func:`_xml_type` then asks NetworkX.
PYTHON_XML_TYPES: dict[type, str] = {int: "long", str: "string", float: "double", bool: "boolean"}


def _xml_type(kind: type) -> str | None:
    """Python type -> GraphML ``attr.type`` as NetworkX writes it (None: GraphML cannot hold it)."""
    xml_type = PYTHON_XML_TYPES.get(kind)
    if xml_type is None:
        xml_type = _networkx_xml_types().get(kind)
    return xml_type


@functools.cache
def _networkx_xml_types() -> dict[type, str]:
    """NetworkX's own table (so numpy scalars type as it types them)."""
    table = nx.readwrite.graphml.GraphML()
    table.construct_types()
    return dict(table.xml_type)


def escape_text(text: str) -> str:
    """XML character data as ElementTree writes it (``&``, ``<``, ``>`` escaped)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(text: str) -> str:
    """An XML attribute value as ElementTree writes it (also ``"``, CR, LF and TAB escaped)."""
    text = escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _stored_type(kind: type) -> type:
    """The Python type GraphML stores a value of type ``kind`` as (lists, tuples and dicts are
    written as JSON text); NetworkX's error for a type GraphML cannot hold."""
    if issubclass(kind, (list, dict, tuple, Mapping)):
        return str
    if _xml_type(kind) is None:
        raise nx.NetworkXError(f"GraphML writer does not support {kind} as data values.")
    return kind


def _graph_data(G: nx.Graph) -> tuple[str | None, list[tuple[Any, Any]]]:
    """The graph element's ``id`` (NetworkX takes a graph attribute ``id`` for it) and its data.

    ``node_default`` and ``edge_default`` are not written (NetworkX would read them as key
    defaults; kg's graphs have none).
    """
    attrs = {k: v for k, v in G.graph.items() if v is not None}
    graph_id = attrs.pop("id", None)
    if graph_id is not None:
        graph_id = _graphml_text(graph_id)
    data = [(k, v) for k, v in attrs.items() if k not in ("node_default", "edge_default")]
    return graph_id, data


def _graphml_keys(G: nx.Graph, graph_data: list[tuple[Any, Any]]) -> list[tuple[str, str, str]]:
    """``(name, scope, attr.type)`` of every key, in order of first use (graph data, nodes, edges),
    one per name, type and scope as NetworkX declares them."""
    used: dict[tuple[Any, type, str], None] = {}
    for k, v in graph_data:
        used.setdefault((k, type(v), "graph"))
    for _, attrs in G.nodes(data=True):
        for k, v in attrs.items():
            if v is not None:
                used.setdefault((k, type(v), "node"))
    for *_, attrs in G.edges(data=True):
        for k, v in attrs.items():
            if v is not None:
                used.setdefault((k, type(v), "edge"))
    keys: dict[tuple[str, str, str], None] = {}
    for k, kind, scope in used:
        keys.setdefault((str(k), scope, _xml_type(_stored_type(kind))))
    return list(keys)


def _graphml_text(value: Any) -> str:
    """A value as GraphML's text: lists, tuples and dicts as ``json.dumps(value, ensure_ascii=False,
    sort_keys=True)``. A list of strings (the edges' evidence ids, authors) is spelled with the
    json module's own string encoder, without an encoder call per value: 3.5 times faster,
    measured on a 4,000-paper graph (0.17 -> 0.05 s CPU for its 104,371 evidence lists)."""
    cls = value.__class__
    if cls is list or cls is tuple:
        try:
            return "[" + ", ".join(map(encode_basestring, value)) + "]"
        except TypeError:  # not a list of strings: the encoder
            pass
    if isinstance(value, (list, dict, tuple, Mapping)):
        return _GRAPHML_JSON.encode(_plain(value))
    return str(value)


def _data_element(key: Any, text: str, indent: str) -> str:
    head = indent + '<data key="' + escape_attribute(str(key)) + '"'
    return head + ">" + escape_text(text) + "</data>" if text else head + " />"


class _DataElements:
    """The ``<data>`` children of a node or edge (as :func:`_data_element` spells each), with
    each key's opening tag spelled once."""

    def __init__(self, indent: str):
        self.indent = indent
        self.heads: dict[Any, str] = {}  # key -> '<data key="k"'
        self.opens: dict[Any, str] = {}  # key -> '<data key="k">'

    def _open(self, key: Any) -> str:
        head = self.heads[key] = self.indent + '<data key="' + escape_attribute(str(key)) + '"'
        open_tag = self.opens[key] = head + ">"
        return open_tag

    def __call__(self, attrs: Mapping[Any, Any]) -> str:
        opens, parts = self.opens, []
        append = parts.append
        for k, v in attrs.items():
            cls = v.__class__
            if cls is str:
                text = v
            elif v is None:
                continue
            elif cls is int or cls is float or cls is bool:
                text = str(v)
            else:
                text = _graphml_text(v)
            open_tag = opens.get(k) or self._open(k)
            if not text:
                append(self.heads[k] + " />")
            elif "&" in text or "<" in text or ">" in text:
                append(f"{open_tag}{escape_text(text)}</data>")
            else:
                append(f"{open_tag}{text}</data>")
        return "".join(parts)


class _AttributeTexts(dict):
    """``value -> escape_attribute(str(value))``, each spelled once (node ids recur in every edge
    they end; on a 4,000-paper graph spelling them once took the edges' heads from 0.14 to 0.06 s)."""

    def __missing__(self, value: Any) -> str:
        text = self[value] = escape_attribute(str(value))
        return text


def graphml_pieces(G: nx.Graph) -> Iterator[str]:
    """The text of ``graph.graphml`` for ``G`` in pieces (see :func:`write_graphml`)."""
    graph_id, graph_data = _graph_data(G)
    keys = _graphml_keys(G, graph_data)
    yield _XML_DECLARATION + _GRAPHML_OPEN
    for name, scope, xml_type in reversed(keys):  # NetworkX inserts each new key first
        name = escape_attribute(name)
        yield f'\n  <key id="{name}" for="{scope}" attr.name="{name}" attr.type="{xml_type}" />'
    yield '\n  <graph edgedefault="directed"'  # graphml_ready's copy is a MultiDiGraph whatever G is
    if graph_id is not None:
        yield ' id="' + escape_attribute(graph_id) + '"'
    if not (G.number_of_nodes() or G.number_of_edges() or graph_data):
        yield " />\n</graphml>\n"
        return
    yield ">"
    node_data, edge_data = _DataElements("\n      "), _DataElements("\n      ")
    node_ids, str_keys = _AttributeTexts(), _AttributeTexts()  # a node is one key of G, whatever its type
    for node, attrs in G.nodes(data=True):
        data = node_data(attrs)
        head = '\n    <node id="' + node_ids[node] + '"'
        yield head + ">" + data + "\n    </node>" if data else head + " />"
    multigraph = G.is_multigraph()
    edges = G.edges(keys=True, data=True) if multigraph else ((u, v, None, d) for u, v, d in G.edges(data=True))
    for u, v, key, attrs in edges:
        data = edge_data(attrs)
        head = f'\n    <edge source="{node_ids[u]}" target="{node_ids[v]}"'
        if multigraph:  # NetworkX writes no edge id for a graph that is not a multigraph
            # 1 and True are one dict key but two spellings: only string keys share the table
            head += ' id="' + (str_keys[key] if key.__class__ is str else escape_attribute(str(key))) + '"'
        yield head + ">" + data + "\n    </edge>" if data else head + " />"
    for k, v in graph_data:
        if isinstance(v, (list, dict, tuple, Mapping)):
            # the evidence table is large: its JSON text is made and escaped a batch at a time
            yield '\n    <data key="' + escape_attribute(str(k)) + '">'
            for piece in _json_pieces(_GRAPHML_JSON, v, ", ", ": "):
                yield escape_text(piece)
            yield "</data>"
        else:
            yield _data_element(k, str(v), "\n    ")
    yield "\n  </graph>\n</graphml>\n"


def write_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as GraphML (list attributes as JSON text), atomically.

    The bytes are those of ``nx.write_graphml(graphml_ready(G), fh, encoding="utf-8",
    named_key_ids=True)`` (:func:`kg.graph.build.graphml_ready`: ``None`` values left out,
    lists and dicts as JSON text; keys named after the attributes), written in bounded memory.
    Characters UTF-8 cannot encode (lone surrogates) become character references, as there.
    """
    path = Path(path)
    with atomic_open(path, "wb", encoding=None) as fh:
        _write_chunked(lambda text: fh.write(text.encode("utf-8", "xmlcharrefreplace")), graphml_pieces(G))
    return path
