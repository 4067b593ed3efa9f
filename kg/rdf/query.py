"""``kg query``: SPARQL over a built graph, from text, a ``.rq`` file or a bundled example.

Every query sees kg's prefixes without declaring them (``kg:``, ``skos:``, ``dcterms:``,
``dc:``, ``rdf:``, ``rdfs:``, ``owl:``, ``xsd:``, ``fabio:``, ``prism:``, ``schema:``, ``oa:``,
``prov:``, ``mls:``; see :data:`kg.rdf.namespace.PREFIXES`); a query's own ``PREFIX`` wins.
Queries are read-only by construction (an update does not parse as a query) and may not call
out: :mod:`kg.rdf.guard` parses each one as the engine will and refuses ``SERVICE`` anywhere in
it and ``FROM`` / ``FROM NAMED``, for both stores.

Example queries live in ``kg/rdf/queries/NAME.rq``; the first comment line of each says what
it answers (``kg query --example list``).

Example
-------
>>> import tempfile
>>> from kg.models import Concept, KnowledgeGraph
>>> from kg.rdf.write import write_rdf
>>> kg = KnowledgeGraph(concepts={"method/bert": Concept("method/bert", "METHOD", "BERT")})
>>> store = load_store(write_rdf(kg, tempfile.mkdtemp()))
>>> print(format_result(run_query(store, "SELECT ?l WHERE { ?c a kg:Method ; skos:prefLabel ?l }")), end="")
l
----
BERT
(1 row)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.rdf.guard import parse_query
from kg.rdf.results import format_result, render
from kg.rdf.store import QueryError, QueryResult, Store, get_backend, load_store

__all__ = [
    "QueryError",
    "QueryResult",
    "Store",
    "check_query",
    "examples",
    "format_examples",
    "format_result",
    "load_store",
    "read_query",
    "render",
    "run_query",
]

#: Where the example queries are.
QUERIES_DIR = Path(__file__).with_name("queries")

_QUERY_SUFFIXES = (".rq", ".sparql", ".txt")


@dataclass(frozen=True)
class Example:
    """A bundled example query: its name (the file stem), file, and one-line description."""

    name: str
    path: Path
    description: str

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def examples() -> dict[str, Example]:
    """The example queries by name, sorted, each described by its first comment line."""
    found = {}
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        description = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                description = line.lstrip("#").strip()
                break
        found[path.stem] = Example(path.stem, path, description)
    return found


def format_examples() -> str:
    """One line per example: its name and what it answers (``kg query --example list``)."""
    items = examples().values()
    width = max((len(e.name) for e in items), default=0)
    return "".join(f"{e.name.ljust(width)}  {e.description}\n" for e in items)


def read_query(query_or_file: str | None, example: str | None = None) -> str:
    """The SPARQL text to run: ``query_or_file`` as text or as the path of a query file, or the
    bundled example called ``example``. Raises :class:`QueryError` when there is nothing (or too
    much) to run, the example is unknown, or the file cannot be read.
    """
    if example is not None:
        if query_or_file:
            raise QueryError("give either a query (text or file) or --example NAME, not both")
        found = examples()
        if example not in found:
            raise QueryError(f"unknown example query {example!r}; known: {', '.join(found)} (kg query --example list)")
        return found[example].text
    if not query_or_file or not query_or_file.strip():
        raise QueryError("no query: give SPARQL text, a .rq file, or --example NAME (see kg query --example list)")
    candidate = query_or_file.strip()
    looks_like_file = "\n" not in candidate and (candidate.endswith(_QUERY_SUFFIXES) or Path(candidate).is_file())
    if looks_like_file:
        path = Path(candidate)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise QueryError(f"no such query file: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read query file {path}: {exc}") from None
    return query_or_file


def check_query(text: str) -> None:
    """Refuse a malformed query, and one that would reach out of the graph (``SERVICE``, ``FROM``):
    the check :func:`run_query` applies, on its own (see :mod:`kg.rdf.guard`)."""
    parse_query(text)


def run_query(store: Store, text: str) -> QueryResult:
    """Run SPARQL ``text`` on ``store``; :class:`QueryError` when it is malformed or refused
    (each backend checks the query with :func:`kg.rdf.guard.parse_query` before it runs).

    The result's rows (or triples) are produced lazily: iterate them, or pass the result to
    :func:`format_result` / :func:`render`.
    """
    return get_backend(store.backend).query(store.handle, text)
