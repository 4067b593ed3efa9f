"""Analytics over kg's NetworkX graph: plain functions that take the graph and return data.

The input is the multigraph of :func:`kg.graph.build.to_networkx` (concept and paper nodes,
paper -> concept ``link`` edges, concept -> concept ``relation`` edges). Most questions are asked
of the *concept graph*: an undirected, weighted projection with one edge per related concept pair
(:func:`concept_graph`), whose weight sums the supporting sentences of every relation between the
two, co-occurrence included. Functions that need it accept a precomputed one (``C=``), so a
report builds it once.

Everything is deterministic: nodes and edges are added in sorted order, ties are broken by id,
and community detection is seeded. The heavy steps scale to 100k papers and tens of thousands
of concepts: co-occurrence is one sparse matrix product (SciPy), PageRank is NetworkX's SciPy
power iteration, trends are one pass over the paper links.

One module per family of questions (the NetworkX way), all re-exported here, so
``from kg.graph import analytics as A; A.top_concepts(G)`` is the way to call them:

* :mod:`~kg.graph.analytics.projection`: concept ids, papers per concept, the concept graph, type counts;
* :mod:`~kg.graph.analytics.ranking`: PageRank and the top concepts;
* :mod:`~kg.graph.analytics.association`: co-occurrence and NPMI;
* :mod:`~kg.graph.analytics.community`: Louvain communities;
* :mod:`~kg.graph.analytics.paths`: ego graphs and shortest connections;
* :mod:`~kg.graph.analytics.trends`: date buckets, trends, rising and falling concepts;
* :mod:`~kg.graph.analytics.evidence`: evidence sentences for display.
"""

from __future__ import annotations

from kg.graph.analytics.projection import concept_graph, concept_ids, concept_papers, induced_subgraph, type_counts
from kg.graph.analytics.ranking import concept_pagerank, top_concepts, top_concepts_by_type
from kg.graph.analytics.association import cooccurrence, npmi
from kg.graph.analytics.community import communities, community_of
from kg.graph.analytics.paths import connection_steps, ego_graph, shortest_connection
from kg.graph.analytics.trends import SPARSE_PAPERS, SPARSE_SHARE, concept_changes, concept_trends, date_bucket, rising_concepts, trend_granularity
from kg.graph.analytics.evidence import ROLE_ORDER, concept_evidence

__all__ = [
    "concept_ids",
    "concept_papers",
    "concept_graph",
    "induced_subgraph",
    "type_counts",
    "concept_pagerank",
    "top_concepts",
    "top_concepts_by_type",
    "npmi",
    "cooccurrence",
    "communities",
    "community_of",
    "ego_graph",
    "shortest_connection",
    "connection_steps",
    "date_bucket",
    "trend_granularity",
    "concept_trends",
    "rising_concepts",
    "concept_changes",
    "SPARSE_SHARE",
    "SPARSE_PAPERS",
    "concept_evidence",
    "ROLE_ORDER",
]
