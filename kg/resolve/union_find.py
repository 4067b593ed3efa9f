"""Union-find over matching keys, recording why each union was made (for the merges report)."""

from __future__ import annotations


class UnionFind:
    """Union-find over keys; the representative of a set is its smallest key (deterministic).

    ``reasons`` records every union that joined two sets: ``(rule, key, into key, detail)``,
    for the merges report (:func:`kg.resolve.merges.merge_report`).

    Example
    -------
    >>> uf = UnionFind()
    >>> uf.merge("gnn", "graph neural network", "initials")
    >>> uf.merge("graph neural network", "gnn", "initials")  # already one set: not recorded
    >>> uf.find("graph neural network"), uf.reasons
    ('gnn', [('initials', 'gnn', 'graph neural network', '')])
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reasons: list[tuple[str, str, str, str]] = []

    def merge(self, a: str, b: str, rule: str, detail: str = "") -> None:
        """Union ``a`` into ``b``'s set, recording why (when they were apart)."""
        if self.find(a) != self.find(b):
            self.reasons.append((rule, a, b, detail))
            self.union(a, b)

    def find(self, x: str) -> str:
        """The representative of ``x``'s set (``x`` itself when it was never joined)."""
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        """Join the sets of ``a`` and ``b`` (unrecorded: use :meth:`merge`)."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo
