"""kg.rdf"""
