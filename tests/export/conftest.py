"""Fixtures of the exporter tests: the hostile-graph strategies live beside the Neo4j server tests."""

from __future__ import annotations

import sys
from pathlib import Path

# neo4j_test_support (Hypothesis strategies, the expected-graph oracle) is shared with tests/neo4j.
_SUPPORT = Path(__file__).resolve().parents[1] / "neo4j"
if str(_SUPPORT) not in sys.path:
    sys.path.insert(0, str(_SUPPORT))
