"""kg.graph: the NetworkX view of the knowledge graph (graph.json, GraphML), its analytics and ``kg analyze`` / ``kg explain``."""
