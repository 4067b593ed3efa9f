"""Concepts over time: date buckets that never invent what a date lacks, papers per bucket
for each concept (thin buckets set aside), and the concepts that rose and fell between the
earlier and recent buckets (Dunning's log-likelihood).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import networkx as nx

from kg.graph.analytics.projection import concept_papers

#: A date bucket with fewer papers than this share of the largest bucket (and than
#: SPARSE_PAPERS) is too thin for shares to mean anything; trends set it aside.
SPARSE_SHARE = 0.01
SPARSE_PAPERS = 20

_DATE = re.compile(r"^(?:(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?|--(?P<md_month>\d{2})(?:-(?P<md_day>\d{2}))?)$")


def date_bucket(date: str | None, granularity: str) -> str | None:
    """The bucket of one ``Paper.date`` at a granularity, never inventing what the date lacks.

    Dates are ISO 8601 as :class:`kg.models.Paper` keeps them: ``YYYY``, ``YYYY-MM``,
    ``YYYY-MM-DD`` or ``--MM-DD`` (month and day, no year). A date without the precision asked
    for, or without a year when years are asked for, has no bucket.

    Parameters
    ----------
    date : str or None
    granularity : {"year", "month", "day"}

    Returns
    -------
    str or None
        ``"2021"``, ``"2021-05"``, ``"2021-05-04"``, ``"--08"``, ``"--08-05"`` or None.

    Example
    -------
    >>> date_bucket("2021-05-04", "month"), date_bucket("--08-05", "month"), date_bucket("--08-05", "year")
    ('2021-05', '--08', None)
    >>> date_bucket("2021", "month") is None
    True
    """
    if not date:
        return None
    m = _DATE.match(date.strip())
    if not m:
        return None
    year = m.group("year")
    month = m.group("month") or m.group("md_month")
    day = m.group("day") or m.group("md_day")
    prefix = year if year else "-"
    if granularity == "year":
        return year
    if granularity == "month":
        return f"{prefix}-{month}" if month else None
    if granularity == "day":
        return f"{prefix}-{month}-{day}" if day else None
    raise ValueError(f"granularity must be 'year', 'month' or 'day', not {granularity!r}")


def trend_granularity(dates: Iterable[str | None], *, min_buckets: int = 4) -> tuple[str, bool]:
    """Choose how to bucket a collection's dates for trends.

    Papers whose dates carry a year and papers whose dates do not (``--MM-DD`` listings) cannot
    be put on one time axis without inventing years, so the *calendar* with more papers is used
    and the other set aside. Within it the coarsest of year, month, day giving at least
    ``min_buckets`` buckets is chosen (else the one giving most).

    Parameters
    ----------
    dates : iterable of str or None
    min_buckets : int

    Returns
    -------
    (granularity, with_year)
        ``with_year`` is False when the yearless calendar was chosen.

    Example
    -------
    >>> trend_granularity(["2019", "2020-01", "2021", "2022-03-01"])
    ('year', True)
    >>> trend_granularity(["--08-05", "--08-06", "--08-07", "--08-08", "2020"])
    ('day', False)
    """
    dates = [d.strip() for d in dates if d and _DATE.match(d.strip())]
    yearful = _mostly_with_year(dates)
    calendar = [d for d in dates if d.startswith("--") != yearful]
    options = ("year", "month", "day") if yearful else ("month", "day")
    best, best_count = options[0], -1
    for granularity in options:
        count = len({date_bucket(d, granularity) for d in calendar} - {None})
        if count >= min_buckets:
            return granularity, yearful
        if count > best_count:
            best, best_count = granularity, count
    return best, yearful


def _mostly_with_year(dates: list[str]) -> bool:
    """True when at least as many of the (valid) dates carry a year as do not."""
    without = sum(1 for d in dates if d.startswith("--"))
    return len(dates) - without >= without


# Over 80 lines with its numpydoc docstring and example; the code is ~55 lines.
def concept_trends(
    G: nx.MultiDiGraph,
    concepts: Iterable[str] | None = None,
    *,
    granularity: str | None = None,
    min_buckets: int = 4,
    sparse_share: float = SPARSE_SHARE,
) -> dict:
    """Papers per date bucket for each concept.

    A bucket holding fewer than ``sparse_share`` of the largest bucket's papers (and fewer than
    :data:`SPARSE_PAPERS`) is set aside as *sparse*: a stray month with three papers would
    otherwise give any concept in one of them a 33% share and top every trend.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    concepts : iterable of str, optional
        The concepts to count (default: all).
    granularity : {"year", "month", "day"}, optional
        Default: chosen by :func:`trend_granularity` from the papers' dates.
    min_buckets : int
        Passed to :func:`trend_granularity`.
    sparse_share : float
        Buckets below this share of the largest one are set aside (0: keep every bucket).

    Returns
    -------
    dict
        ``granularity``; ``buckets`` (sorted); ``papers`` (papers per bucket); ``sparse``
        (papers in buckets set aside as sparse); ``counts``
        (``{concept: [papers mentioning it per bucket]}``); ``undated`` (papers with no usable
        date at this granularity); ``with_year`` (False when the buckets are yearless ``--MM`` or
        ``--MM-DD``); ``set_aside`` (dated papers on the other calendar, e.g.
        yearless ``--MM-DD`` dates when most papers carry a year).

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m/gnn", kind="concept")
    >>> for p, d in [("p1", "2019"), ("p2", "2020"), ("p3", "2020"), ("p4", "--08-05")]:
    ...     G.add_node(p, kind="paper", date=d)
    ...     _ = G.add_edge(p, "m/gnn", kind="link")
    >>> t = concept_trends(G, granularity="year")
    >>> t["buckets"], t["counts"]["m/gnn"], t["set_aside"]
    (['2019', '2020'], [1, 2], 1)
    """
    paper_dates = {n: d.get("date") for n, d in G.nodes(data=True) if d.get("kind") == "paper"}
    if granularity is None:
        granularity, yearful = trend_granularity(paper_dates.values(), min_buckets=min_buckets)
    else:
        valid = [d.strip() for d in paper_dates.values() if d and _DATE.match(d.strip())]
        yearful = granularity == "year" or _mostly_with_year(valid)
    bucket_of: dict[str, str] = {}
    undated = set_aside = 0
    for paper in sorted(paper_dates):
        date = (paper_dates[paper] or "").strip()
        bucket = date_bucket(date, granularity)
        if _DATE.match(date) and date.startswith("--") == yearful:
            set_aside += 1
        elif bucket is None:
            undated += 1
        else:
            bucket_of[paper] = bucket
    sizes = Counter(bucket_of.values())
    floor = min(SPARSE_PAPERS, sparse_share * max(sizes.values(), default=0))
    thin = {b for b, k in sizes.items() if k < floor}
    sparse = sum(sizes[b] for b in thin)
    bucket_of = {p: b for p, b in bucket_of.items() if b not in thin}
    buckets = sorted(set(bucket_of.values()))
    index = {b: i for i, b in enumerate(buckets)}
    totals = [0] * len(buckets)
    for bucket in bucket_of.values():
        totals[index[bucket]] += 1
    wanted = set(concepts) if concepts is not None else None
    counts: dict[str, list[int]] = {}
    for concept, papers in concept_papers(G).items():
        if wanted is not None and concept not in wanted:
            continue
        row = [0] * len(buckets)
        for paper in papers:
            if paper in bucket_of:
                row[index[bucket_of[paper]]] += 1
        counts[concept] = row
    return {
        "granularity": granularity,
        "with_year": yearful,
        "buckets": buckets,
        "papers": totals,
        "counts": counts,
        "undated": undated,
        "set_aside": set_aside,
        "sparse": sparse,
    }


def rising_concepts(
    G: nx.MultiDiGraph,
    n: int = 10,
    *,
    trends: dict | None = None,
    min_papers: int = 2,
    type: str | None = None,
) -> list[dict]:
    """Concepts whose share of papers grew most from the earlier to the recent buckets.

    The last third of the date buckets (at least one) is "recent", the rest "earlier". A
    concept's growth is the ratio of its share of papers in the two periods, add-one smoothed
    so that a concept absent earlier does not get an infinite score. Only concepts in at least
    ``min_papers`` recent papers are ranked.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    n : int
        How many to return.
    trends : dict, optional
        The output of :func:`concept_trends`, if already computed.
    min_papers : int
        Least number of recent papers.
    type : str, optional
        Only concepts of this type.

    Returns
    -------
    list of dict
        ``{"concept", "earlier", "recent", "growth"}`` (paper counts and the share ratio),
        highest growth first; empty when there are fewer than two buckets.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("m/old", kind="concept"); G.add_node("m/new", kind="concept")
    >>> for i, (d, c) in enumerate([("2019", "m/old"), ("2020", "m/old"), ("2021", "m/new"), ("2021", "m/new")]):
    ...     G.add_node(f"p{i}", kind="paper", date=d)
    ...     _ = G.add_edge(f"p{i}", c, kind="link")
    >>> [r["concept"] for r in rising_concepts(G, trends=concept_trends(G, granularity="year"))]
    ['m/new']
    """
    trends = concept_trends(G) if trends is None else trends
    k = len(trends["buckets"])
    if k < 2:
        return []
    split = k - max(1, k // 3)
    early_total = sum(trends["papers"][:split])
    recent_total = sum(trends["papers"][split:])
    rows = []
    for concept, row in trends["counts"].items():
        if type is not None and G.nodes[concept].get("type") != type:
            continue
        earlier, recent = sum(row[:split]), sum(row[split:])
        if recent < min_papers:
            continue
        growth = ((recent + 1) / (recent_total + 1)) / ((earlier + 1) / (early_total + 1))
        rows.append({"concept": concept, "earlier": earlier, "recent": recent, "growth": growth})
    rows.sort(key=lambda r: (-r["growth"], -r["recent"], r["concept"]))
    return rows[:n]


# Over 80 lines with its numpydoc docstring and example; the code is ~40 lines.
def concept_changes(
    G: nx.MultiDiGraph,
    n: int = 10,
    *,
    trends: dict | None = None,
    min_papers: int = 5,
    type: str | None = None,
) -> dict[str, list[dict]]:
    """The concepts whose share of papers rose and fell most between the earlier and recent buckets.

    "Recent" is the last third of the date buckets (at least one), "earlier" the rest, as in
    :func:`rising_concepts`. Each concept's papers in the two periods form a 2x2 table against
    all papers of the periods; concepts are ranked by Dunning's log-likelihood ratio G² of that
    table (Dunning 1993), which weighs the size of the change by how much evidence there is: a
    concept going from 200 to 600 papers outranks one going from 0 to 3, while the plain ratio
    of shares would rank them the other way round. Shares are per papers of each period, so a
    month with twice the papers does not make everything rise.

    Parameters
    ----------
    G : NetworkX graph
        A graph built by :func:`kg.graph.build.to_networkx`.
    n : int
        How many risers and fallers to return.
    trends : dict, optional
        The output of :func:`concept_trends`, if already computed.
    min_papers : int
        Least number of papers over both periods.
    type : str, optional
        Only concepts of this type.

    Returns
    -------
    dict
        ``{"rising": [...], "falling": [...], "earlier", "recent"}``; rows are ``{"concept",
        "earlier", "recent"`` (papers), ``"earlier_share", "recent_share"`` (fractions of the
        period's papers), ``"ratio"`` (recent over earlier share, add-one smoothed), ``"g2"}``,
        strongest first; ``earlier`` and ``recent`` name the periods' first and last buckets.
        Empty lists when there are fewer than two buckets.

    Example
    -------
    >>> G = nx.MultiDiGraph()
    >>> for c in ("m/old", "m/new", "m/flat"):
    ...     G.add_node(c, kind="concept")
    >>> for i in range(60):
    ...     year = 2019 + i // 20
    ...     G.add_node(f"p{i}", kind="paper", date=str(year))
    ...     _ = G.add_edge(f"p{i}", "m/flat", kind="link")
    ...     _ = G.add_edge(f"p{i}", "m/new" if year == 2021 and i % 2 else "m/old", kind="link")
    >>> ch = concept_changes(G, trends=concept_trends(G, granularity="year"))
    >>> [(r["concept"], r["earlier"], r["recent"]) for r in ch["rising"]], [r["concept"] for r in ch["falling"]]
    ([('m/new', 0, 10)], ['m/old'])
    >>> ch["earlier"], ch["recent"]
    (('2019', '2020'), ('2021', '2021'))
    """
    trends = concept_trends(G) if trends is None else trends
    k = len(trends["buckets"])
    if k < 2:
        return {"rising": [], "falling": [], "earlier": None, "recent": None}
    split = k - max(1, k // 3)
    n1 = sum(trends["papers"][:split])
    n2 = sum(trends["papers"][split:])
    rising, falling = [], []
    for concept, row in trends["counts"].items():
        if type is not None and G.nodes[concept].get("type") != type:
            continue
        a, b = sum(row[:split]), sum(row[split:])
        if a + b < min_papers:
            continue
        g2 = _log_likelihood(a, n1, b, n2)
        ratio = ((b + 1) / (n2 + 1)) / ((a + 1) / (n1 + 1))
        record = {"concept": concept, "earlier": a, "recent": b, "earlier_share": a / n1 if n1 else 0.0,
                  "recent_share": b / n2 if n2 else 0.0, "ratio": ratio, "g2": g2}
        if b * n1 > a * n2:
            rising.append(record)
        elif b * n1 < a * n2:
            falling.append(record)
    order = lambda r: (-r["g2"], r["concept"])  # noqa: E731
    buckets = trends["buckets"]
    return {
        "rising": sorted(rising, key=order)[:n],
        "falling": sorted(falling, key=order)[:n],
        "earlier": (buckets[0], buckets[split - 1]),
        "recent": (buckets[split], buckets[-1]),
    }


def _log_likelihood(a: int, n1: int, b: int, n2: int) -> float:
    """Dunning's G² for ``a`` of ``n1`` against ``b`` of ``n2`` (0 when the shares are equal).

    Example
    -------
    >>> _log_likelihood(10, 100, 10, 100)
    0.0
    >>> _log_likelihood(30, 100, 10, 100) > _log_likelihood(3, 10, 1, 10) > 0
    True
    """
    def part(k: float, expected: float) -> float:
        return k * math.log(k / expected) if k > 0 and expected > 0 else 0.0

    total = n1 + n2
    hits = a + b
    if total == 0 or hits == 0 or hits == total:
        return 0.0
    e1, e2 = n1 * hits / total, n2 * hits / total
    f1, f2 = n1 - e1, n2 - e2
    return max(0.0, 2 * (part(a, e1) + part(b, e2) + part(n1 - a, f1) + part(n2 - b, f2)))
