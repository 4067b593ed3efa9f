"""kg.ingest"""
