"""graph.json and graph.graphml: the streaming writers give exactly the bytes of the reference
writers they replace (``json.dump`` of the node-link data, NetworkX's GraphML writer), and read back."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import networkx as nx
import pytest

from kg.graph import io as graph_io
from kg.graph.build import graphml_ready, load_graph, to_networkx, to_node_link
from kg.graph.io import write_graphml, write_node_link

from ..synthetic_kg import synthetic_kg


def reference_node_link(G: nx.MultiDiGraph) -> bytes:
    """What write_node_link wrote before it streamed."""
    fh = io.StringIO()
    json.dump(to_node_link(G), fh, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    fh.write("\n")
    return fh.getvalue().encode("utf-8")


def reference_graphml(G: nx.MultiDiGraph) -> bytes:
    """What write_graphml wrote before it streamed."""
    fh = io.BytesIO()
    nx.write_graphml(graphml_ready(G), fh, encoding="utf-8", named_key_ids=True)
    return fh.getvalue()


def hostile_graph() -> nx.MultiDiGraph:
    """Markup, quotes, control characters, a lone surrogate, empty strings, booleans, ints as
    node ids and edge keys, one attribute with two value types, None values, nested values."""
    G = nx.MultiDiGraph(name="g", stats={"b": 1, "a": [1, 2]}, empty="", nothing=None)
    G.add_node("p<&>\"'\n\t\r\x01\ud800é😀", kind="paper", title="", flag=True, score=0.1, n=None, tags=("x", "y"))
    G.add_node(7, kind="concept", label="seven", aliases=[["Seven", 2], ["7", 1]], nested={"z": {"b": None, "a": 1.5}})
    G.add_node("bare")
    G.add_edge("p<&>\"'\n\t\r\x01\ud800é😀", 7, key="k&<", kind="link", count=1, confidence=1.0)
    G.add_edge("p<&>\"'\n\t\r\x01\ud800é😀", 7, key=3, kind="link", count=2.5, confidence=1)
    G.add_edge(7, "bare")
    G.add_edge("bare", 7, key="e", weight=float("nan"), text="a\u2028b")
    return G


def test_node_link_with_every_hostile_string_but_a_surrogate(tmp_path) -> None:
    G = nx.relabel_nodes(hostile_graph(), lambda n: n.replace("\ud800", "") if isinstance(n, str) else n)
    assert write_node_link(G, tmp_path / "graph.json").read_bytes() == reference_node_link(G)


def synthetic_graph() -> nx.MultiDiGraph:
    G = to_networkx(synthetic_kg(400, seed=3))
    assert len(G.graph["evidence"]) > graph_io.CHUNK  # the evidence table is written in batches
    return G


@pytest.fixture(params=["small", "synthetic", "hostile", "empty"])
def graph(request) -> nx.MultiDiGraph:
    if request.param == "small":
        return request.getfixturevalue("small_graph")
    return {"synthetic": synthetic_graph, "hostile": hostile_graph, "empty": nx.MultiDiGraph}[request.param]()


def test_node_link_is_byte_identical_to_json_dump(graph, tmp_path) -> None:
    try:
        expected = reference_node_link(graph)
    except UnicodeEncodeError:  # a lone surrogate: UTF-8 JSON cannot hold it, both writers refuse
        with pytest.raises(UnicodeEncodeError):
            write_node_link(graph, tmp_path / "graph.json")
        assert not (tmp_path / "graph.json").exists()
        return
    assert write_node_link(graph, tmp_path / "graph.json").read_bytes() == expected


def test_graphml_is_byte_identical_to_networkx(graph, tmp_path) -> None:
    path = write_graphml(graph, tmp_path / "graph.graphml")
    assert path.read_bytes() == reference_graphml(graph)


def test_graph_json_loads_back(small_graph, tmp_path) -> None:
    H = load_graph(write_node_link(small_graph, tmp_path / "graph.json"))
    assert nx.utils.graphs_equal(H, small_graph)
    assert H.graph == small_graph.graph


def _contents(G: nx.MultiDiGraph) -> str:
    """Everything of a graph, in order (repr: NaN equals NaN here)."""
    return repr((G.graph, list(G.nodes(data=True)), list(G.edges(keys=True, data=True))))


def _networkx_reading(path) -> nx.MultiDiGraph:
    with open(path, encoding="utf-8") as fh:
        return nx.node_link_graph(json.load(fh), directed=True, multigraph=True, edges="edges")


@pytest.mark.parametrize("spelling", ["kg", "refused by orjson"])
def test_load_graph_is_networkx_reading_the_json(graph, spelling, tmp_path) -> None:
    """load_graph (orjson, records dropped as taken) gives what NetworkX gives from json.load, in
    the same order, for graph.json as kg writes it and for JSON orjson refuses (NaN, a lone
    surrogate, an integer over 64 bits), which the json module reads."""
    path = tmp_path / "graph.json"
    if spelling == "kg":
        plain = nx.relabel_nodes(graph, lambda n: n.replace("\ud800", "") if isinstance(n, str) else n)
        write_node_link(plain, path)  # read by orjson, but for the hostile graph's NaN
    else:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({**to_node_link(graph), "big": 2**70}, fh, sort_keys=True)
    assert _contents(load_graph(path)) == _contents(_networkx_reading(path))


def test_graphml_reads_back_as_networkx_reads_its_own(tmp_path) -> None:
    G = to_networkx(synthetic_kg(50, seed=1))
    ours = nx.read_graphml(write_graphml(G, tmp_path / "graph.graphml"))
    theirs = nx.read_graphml(io.BytesIO(reference_graphml(G)))
    assert nx.utils.graphs_equal(ours, theirs)
    assert ours.graph == theirs.graph
    node = next(n for n, a in G.nodes(data=True) if a["kind"] == "concept")
    assert json.loads(ours.nodes[node]["aliases"]) == G.nodes[node]["aliases"]


def test_graphml_refuses_what_networkx_refuses(tmp_path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", bad={1, 2})
    with pytest.raises(nx.NetworkXError):
        write_graphml(G, tmp_path / "graph.graphml")
    assert not (tmp_path / "graph.graphml").exists()


def test_python_xml_types_are_networkx_types() -> None:
    """kg's table of the Python types is NetworkX's (which it builds with numpy's types)."""
    table = nx.readwrite.graphml.GraphML()
    table.construct_types()
    assert graph_io.PYTHON_XML_TYPES == {kind: name for kind, name in table.xml_type.items() if kind.__module__ == "builtins"}
    assert all(graph_io._xml_type(kind) == name for kind, name in table.xml_type.items())


def test_graphml_of_numpy_values_is_networkx_graphml(tmp_path) -> None:
    np = pytest.importorskip("numpy")
    G = nx.MultiDiGraph()
    G.add_node("a", score=np.float32(0.5), n=np.int64(3), ok=True)
    G.add_edge("a", "a", weight=np.float64(0.25))
    assert write_graphml(G, tmp_path / "graph.graphml").read_bytes() == reference_graphml(G)


def test_importing_the_writers_does_not_import_numpy() -> None:
    """NetworkX's GraphML type table imports numpy (1.6 s CPU at a cold start); kg reads it only
    for a graph holding a numpy value."""
    code = "import sys, kg.graph.io; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_graphml_lists_of_strings_are_json_text(tmp_path) -> None:
    """The fast spelling of lists of strings is json.dumps' (escapes, non-ASCII, empty lists)."""
    G = nx.MultiDiGraph()
    G.add_node("a", tags=["x", 'q"uote', "back\\slash", "\x01\n", "é😀", "<&>"], empty=[], pair=("a", "b"),
               mixed=["a", 1], nested=[["a", 2]])
    assert write_graphml(G, tmp_path / "graph.graphml").read_bytes() == reference_graphml(G)


def test_graphml_edge_keys_equal_as_dict_keys_keep_their_spelling(tmp_path) -> None:
    """1, 1.0 and True are one dict key but three spellings; node ids shared by many edges."""
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", key=1)
    G.add_edge("c", "d", key=True)
    G.add_edge("b", "a", key=1.0)
    G.add_edge("a", "b", key="1")
    assert write_graphml(G, tmp_path / "graph.graphml").read_bytes() == reference_graphml(G)
