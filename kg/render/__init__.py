"""kg.render: interactive concept maps (``map.html``), self-contained and offline."""
