"""kg's Neo4j schema: the one table of labels, relationship types and properties.

All three ways out (bulk-import CSVs in :mod:`kg.export.neo4j_files`, the Cypher script in
:mod:`kg.export.neo4j_cypher`, the Bolt push in :mod:`kg.export.neo4j_bolt`) write the rows of
:mod:`kg.export.neo4j_rows` (values checked by :mod:`kg.export.neo4j_values`) with the
statements of :mod:`kg.export.neo4j_statements`, all built from the tables here, so they cannot
disagree on labels, types or property values. ``docs/neo4j.md`` describes the schema for users.

Schema
------
Nodes (every one keyed by a unique ``id`` property):

* ``(:Paper)``: ``id``, ``title``, ``abstract``, ``date``, ``date_text``, ``authors`` (list),
  ``venue``, ``doi``, ``arxiv_id``, ``url``, ``categories`` (list). Dates stay strings: kg
  keeps ``YYYY``, ``YYYY-MM`` and ``--MM-DD`` dates, which Neo4j's ``date`` type cannot hold.
* ``(:Concept:Method|Dataset|Metric|Task)``: ``id``, ``type``, ``label``, ``aliases`` (list of
  surface forms, most frequent first) with ``alias_counts`` (parallel list of mention counts),
  ``acronym``, ``paper_count``, ``mention_count``, ``first_seen``, ``last_seen``, ``confidence``,
  ``ambiguous_type`` (boolean), ``type_vote_labels`` with ``type_vote_papers`` (parallel lists,
  only when papers gave the concept more than one label), ``replaces`` (the retired ids of
  earlier builds that now lead to this concept: ``MATCH (c:Concept) WHERE $old IN c.replaces``;
  see kg.resolve.stable_ids).
* ``(:Evidence)``: ``id``, ``paper``, ``sentence`` (the quoted sentence), ``sentence_start``,
  ``sentence_end``, ``span_starts``/``span_ends``/``quotes`` (parallel lists, one entry per
  span), ``method``, ``confidence``. Offsets are into the paper's ``title + "\\n" + abstract``.

Relationships:

* paper -> concept links, one type per role: ``MENTIONS``, ``PROPOSES``, ``USES``,
  ``EVALUATES_ON``, ``REPORTS``, ``ADDRESSES``; properties ``count``, ``confidence``,
  ``evidence`` (list of Evidence ids).
* concept -> concept relations, one type per kg relation type with ``-`` written ``_``
  (``USED_FOR``, ``EVALUATE_FOR``, ``COMPARE``, ``HYPONYM_OF``, ``PART_OF``, ``FEATURE_OF``,
  ``CONJUNCTION``, ``MEASURED_BY``, ``CO_OCCURS``, ``VARIANT_OF``, ``RELATED_TO``); properties
  ``count``, ``papers``, ``weight``, ``confidence``, ``evidence`` (list of Evidence ids).
* ``(:Evidence)-[:IN_PAPER]->(:Paper)``.

Evidence is a node, not a list property on the relationship it supports, because one sentence
may support several edges and because a relationship cannot point at a relationship: an edge
names its Evidence by id (``evidence`` list, looked up through the unique ``Evidence.id``
constraint), and each Evidence points at the paper it quotes.

The Bolt push adds :data:`HASH_PROPERTY` (``kg_hash``) to every node and relationship it
writes (:mod:`kg.export.neo4j_delta`); it is not in the property tables.

Values: ``None`` is not stored (Neo4j has no null properties) and neither is an empty list (the
bulk importer cannot write one, so no way stores one; a missing list property means ``[]``).
Labels and relationship types come only from the fixed tables below; a graph with any other
node kind, concept type, role or relation type is refused with :class:`Neo4jExportError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.models import RELATION_TYPES as KG_RELATION_TYPES


class Neo4jExportError(RuntimeError):
    """A Neo4j export failed; the message is one line meant for the user."""


PAPER = "Paper"
CONCEPT = "Concept"
EVIDENCE = "Evidence"
IN_PAPER = "IN_PAPER"

#: Concept type -> the second label of a concept node.
CONCEPT_LABELS: dict[str, str] = {"METHOD": "Method", "DATASET": "Dataset", "METRIC": "Metric", "TASK": "Task"}

#: Paper -> concept role -> relationship type.
ROLE_TYPES: dict[str, str] = {
    "mentions": "MENTIONS",
    "proposes": "PROPOSES",
    "uses": "USES",
    "evaluates_on": "EVALUATES_ON",
    "reports": "REPORTS",
    "addresses": "ADDRESSES",
}

#: kg relation type -> relationship type.
RELATION_TYPES: dict[str, str] = {t: t.replace("-", "_") for t in KG_RELATION_TYPES}

#: Every node label kg writes, in output order.
NODE_LABELS: tuple[str, ...] = (PAPER, CONCEPT, *CONCEPT_LABELS.values(), EVIDENCE)
#: Every relationship type kg writes, in output order.
RELATIONSHIP_TYPES: tuple[str, ...] = (*ROLE_TYPES.values(), *RELATION_TYPES.values(), IN_PAPER)

#: Relationship type -> (start node's key label, end node's key label).
RELATIONSHIP_ENDS: dict[str, tuple[str, str]] = {
    **{t: (PAPER, CONCEPT) for t in ROLE_TYPES.values()},
    **{t: (CONCEPT, CONCEPT) for t in RELATION_TYPES.values()},
    IN_PAPER: (EVIDENCE, PAPER),
}
#: The property the Bolt push adds to every node and relationship it writes: a hash of the
#: pushed row, kg's marker and the memory of what the database holds (kg.export.neo4j_delta).
#: Not in the property tables: the bulk-import CSVs and import.cypher do not write it.
HASH_PROPERTY = "kg_hash"
#: The label every node kg writes is keyed by (its ``id`` is unique under it).
KEY_LABELS: tuple[str, ...] = (PAPER, CONCEPT, EVIDENCE)

#: Property value kinds, named as the bulk importer names them.
STRING, LONG, DOUBLE, BOOLEAN = "string", "long", "double", "boolean"
STRING_LIST, LONG_LIST = "string[]", "long[]"


@dataclass(frozen=True)
class Property:
    """One property of a node or relationship: its name and value kind."""

    name: str
    kind: str


PAPER_PROPERTIES: tuple[Property, ...] = (
    Property("id", STRING),
    Property("title", STRING),
    Property("abstract", STRING),
    Property("date", STRING),
    Property("date_text", STRING),
    Property("authors", STRING_LIST),
    Property("venue", STRING),
    Property("doi", STRING),
    Property("arxiv_id", STRING),
    Property("url", STRING),
    Property("categories", STRING_LIST),
)
CONCEPT_PROPERTIES: tuple[Property, ...] = (
    Property("id", STRING),
    Property("type", STRING),
    Property("label", STRING),
    Property("aliases", STRING_LIST),
    Property("alias_counts", LONG_LIST),
    Property("acronym", STRING),
    Property("paper_count", LONG),
    Property("mention_count", LONG),
    Property("first_seen", STRING),
    Property("last_seen", STRING),
    Property("confidence", DOUBLE),
    Property("ambiguous_type", BOOLEAN),
    Property("type_vote_labels", STRING_LIST),
    Property("type_vote_papers", LONG_LIST),
    Property("replaces", STRING_LIST),
)
EVIDENCE_PROPERTIES: tuple[Property, ...] = (
    Property("id", STRING),
    Property("paper", STRING),
    Property("sentence", STRING),
    Property("sentence_start", LONG),
    Property("sentence_end", LONG),
    Property("span_starts", LONG_LIST),
    Property("span_ends", LONG_LIST),
    Property("quotes", STRING_LIST),
    Property("method", STRING),
    Property("confidence", DOUBLE),
)
LINK_PROPERTIES: tuple[Property, ...] = (
    Property("count", LONG),
    Property("confidence", DOUBLE),
    Property("evidence", STRING_LIST),
)
RELATION_PROPERTIES: tuple[Property, ...] = (
    Property("count", LONG),
    Property("papers", LONG),
    Property("weight", LONG),
    Property("confidence", DOUBLE),
    Property("evidence", STRING_LIST),
)
IN_PAPER_PROPERTIES: tuple[Property, ...] = ()

#: Node properties by the node's first label.
NODE_PROPERTIES: dict[str, tuple[Property, ...]] = {PAPER: PAPER_PROPERTIES, CONCEPT: CONCEPT_PROPERTIES, EVIDENCE: EVIDENCE_PROPERTIES}
