"""kg.export: the knowledge graph for Neo4j 5, three ways, one schema (docs/neo4j.md).

* :mod:`kg.export.neo4j_schema` - the one mapping from the NetworkX graph to node and
  relationship rows, and the parameterised Cypher statements built from fixed labels and types;
* :mod:`kg.export.neo4j_files` - ``write_bulk_import(G, folder)``: CSVs for
  ``neo4j-admin database import full`` and a README with the exact command;
* :mod:`kg.export.neo4j_cypher` - ``write_cypher(G, path)``: an idempotent ``import.cypher``
  for cypher-shell, and a reader that runs it through the Python driver;
* :mod:`kg.export.neo4j_bolt` - ``push(G, uri, ...)``: batched, idempotent, count-checked
  push over Bolt; failures raise ``Neo4jExportError`` with one line.
"""
