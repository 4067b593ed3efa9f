"""The colour of each concept type: one palette for the map (:mod:`kg.render.map`) and the
report's charts (:mod:`kg.graph.report`), so a type looks the same everywhere."""

from __future__ import annotations

#: Colour per concept type (Tableau 10, readable for the common colour-vision deficiencies).
TYPE_COLOURS: dict[str, str] = {"METHOD": "#4e79a7", "DATASET": "#f28e2b", "METRIC": "#59a14f", "TASK": "#e15759"}
#: Colour of anything without one of the four types.
OTHER_COLOUR = "#9d7660"
