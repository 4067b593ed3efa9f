"""kg.export: the knowledge graph for Neo4j 5, three ways, one schema (docs/neo4j.md).

* :mod:`kg.export.neo4j_schema` - the one table of labels, relationship types and properties;
* :mod:`kg.export.neo4j_rows` - the one mapping from the NetworkX graph to node and
  relationship rows (``RowPlan``, ``graph_rows``), values checked by :mod:`kg.export.neo4j_values`;
* :mod:`kg.export.neo4j_statements` - the parameterised Cypher statements built from the fixed
  labels and types, batches of rows for them, and the count checks;
* :mod:`kg.export.neo4j_files` - ``write_bulk_import(G, folder)``: CSVs for
  ``neo4j-admin database import full`` and a README with the exact command;
* :mod:`kg.export.neo4j_cypher` - ``write_cypher(G, path)``: an idempotent ``import.cypher``
  for cypher-shell, and a reader that runs it through the Python driver;
* :mod:`kg.export.neo4j_delta` - what a push sends, skips and deletes, from the ``kg_hash``
  every pushed element carries;
* :mod:`kg.export.neo4j_delta_script` - ``delta.cypher``: what an updated build changed, as a
  script for a database loaded from the previous build's files (written with the CSVs);
* :mod:`kg.export.neo4j_bolt` - ``push(G, uri, ...)``: batched, count-checked push over Bolt
  that sends only the delta to a database holding kg's graph; failures raise
  ``Neo4jExportError`` with one line.
"""
