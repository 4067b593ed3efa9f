"""kg.rdf: the knowledge graph as RDF in kg's ontology, its Oxigraph store, and SPARQL (``kg query``, ``kg serve``)."""
