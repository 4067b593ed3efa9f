"""kg: a knowledge-graph builder over research-paper concepts (methods, datasets, metrics, tasks)."""

__version__ = "0.1.0"
