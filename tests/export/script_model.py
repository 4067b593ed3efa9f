"""A model of a Neo4j database for the scripts kg writes (import.cypher, delta.cypher): their
statements interpreted in Python, so that a script's effect can be checked without a server
(the real server runs the same scripts in tests/neo4j)."""

from __future__ import annotations

import re

from kg.export.neo4j_cypher import iter_statements
from kg.export.neo4j_statements import DELTA_RUN, delta_counted

NODE_MERGE = re.compile(r"UNWIND \$rows AS row MERGE \(n:(\w+) \{id: row\.id\}\)((?: SET n:\w+)*) WITH")
RELATIONSHIP_MERGE = re.compile(r"UNWIND \$rows AS row MATCH \(a:(\w+) \{id: row\.start\}\) MATCH \(b:(\w+) \{id: row\.end\}\) MERGE \(a\)-\[r:(\w+)\]->\(b\)")
NODE_DELETE = re.compile(r"UNWIND \$rows AS id MATCH \(n:(\w+) \{id: id\}\) DETACH DELETE n\Z")
RELATIONSHIP_DELETE = re.compile(r"UNWIND \$rows AS row MATCH \(a:(\w+) \{id: row\.start\}\)-\[r:(\w+)\]->\(b:(\w+) \{id: row\.end\}\) DELETE r\Z")


class WrongDatabase(AssertionError):
    """delta.cypher's check refused the database (the real server raises an error there)."""


def apply_script(db: dict, script) -> dict:
    """Run a script kg wrote on ``db`` ({"nodes": {(key label, id): (labels, props)}, "rels":
    {(type, start, end): props}, "markers": set}) with the semantics of its Cypher statements."""
    nodes, rels, markers = db["nodes"], db["rels"], db["markers"]
    for statement, params in iter_statements(script):
        rows = params.get("rows", [])
        if statement.startswith("CREATE "):
            continue
        if "date('kg delta.cypher" in statement:
            found = [sum(1 for k in nodes if k[0] == n) + sum(1 for k in rels if k[0] == n) for n in delta_counted()]
            delta = params["delta"]
            if found not in (delta["before"], delta["after"]) and delta["id"] not in markers:
                raise WrongDatabase(found)
        elif statement.startswith(f"MERGE (:{DELTA_RUN}"):
            markers.add(params["delta"]["id"])
        elif statement.startswith(f"MATCH (m:{DELTA_RUN}"):
            markers.discard(params["delta"]["id"])
        elif m := NODE_MERGE.match(statement):
            labels = {m.group(1), *re.findall(r"SET n:(\w+)", m.group(2))}
            for row in rows:
                old = nodes.get((m.group(1), row["id"]), (set(), {}))[0]
                nodes[(m.group(1), row["id"])] = (old | labels, dict(row["props"]))
        elif m := RELATIONSHIP_MERGE.match(statement):
            for row in rows:
                if (m.group(1), row["start"]) in nodes and (m.group(2), row["end"]) in nodes:
                    rels[(m.group(3), row["start"], row["end"])] = dict(row["props"])
        elif m := NODE_DELETE.match(statement):
            for node_id in rows:
                if nodes.pop((m.group(1), node_id), None) is not None:
                    for key in [k for k in rels if node_id in (k[1], k[2])]:
                        del rels[key]
        elif m := RELATIONSHIP_DELETE.match(statement):
            for row in rows:
                rels.pop((m.group(2), row["start"], row["end"]), None)
        else:
            raise AssertionError(f"unexpected statement {statement[:80]!r}")
    return db


def empty_db() -> dict:
    return {"nodes": {}, "rels": {}, "markers": set()}
