"""RDF literals as plain values: :class:`Lit` (lexical form and datatype IRI) and the functions
that make them from kg's values (strings, integers, decimals, dates), as every RDF writer of kg
writes them (:mod:`kg.rdf.triples`, :mod:`kg.rdf.aggregates`).
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from typing import NamedTuple

from rdflib.namespace import XSD


class Lit(NamedTuple):
    """An RDF literal: its lexical form and its datatype IRI (None: ``xsd:string``)."""

    value: str
    datatype: str | None = None


# Plain-str constants: building blocks from str is several times faster than from URIRef.
XSD_INTEGER = str(XSD.integer)
XSD_DECIMAL = str(XSD.decimal)
XSD_BOOLEAN = str(XSD.boolean)
_DATE_TYPES = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), str(XSD.date)),
    (re.compile(r"^\d{4}-\d{2}$"), str(XSD.gYearMonth)),
    (re.compile(r"^\d{4}$"), str(XSD.gYear)),
    (re.compile(r"^--\d{2}-\d{2}$"), str(XSD.gMonthDay)),
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def text(value: str) -> Lit:
    """A string literal; lone surrogates (undecodable input bytes) become U+FFFD, one for one,
    so that character offsets stay valid and every serialisation can be encoded as UTF-8."""
    if not value.isascii() and _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    return Lit(value)


def integer(value: int) -> Lit:
    return Lit(str(int(value)), XSD_INTEGER)


@functools.lru_cache(maxsize=4096)
def decimal(value: float) -> Lit:
    """A canonical ``xsd:decimal`` (six places at most): ``0.9``, ``1.0``; NaN and infinities
    (which decimals cannot hold) raise ``ValueError``.

    Example
    -------
    >>> decimal(0.9).value, decimal(1).value, decimal(1e-9).value
    ('0.9', '1.0', '0.0')
    """
    if not math.isfinite(value):
        raise ValueError(f"confidence must be a finite number, got {value!r}")
    lexical = f"{value:.6f}".rstrip("0")
    if lexical.endswith("."):
        lexical += "0"
    if lexical == "-0.0":
        lexical = "0.0"
    return Lit(lexical, XSD_DECIMAL)


def date(value: str) -> Lit:
    """An ISO 8601 date as precise as the source: typed when valid, else a plain string.

    Example
    -------
    >>> [date(d).datatype.rsplit("#", 1)[1] for d in ("2021-01-04", "2022-05", "2021", "--08-05")]
    ['date', 'gYearMonth', 'gYear', 'gMonthDay']
    >>> date("2021-02-30").datatype is None
    True
    """
    for pattern, datatype in _DATE_TYPES:
        if pattern.match(value):
            if _valid_date(value):
                return Lit(value, datatype)
            break
    return text(value)


def _valid_date(value: str) -> bool:
    """Whether a pattern-matched date names a real day ("--02-29" counts: some years have it)."""
    if value.startswith("--"):
        value = "2000" + value[1:]
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def clean(value: str) -> str:
    """The lexical form :func:`text` gives ``value``."""
    if not value.isascii() and _SURROGATES.search(value):
        return _SURROGATES.sub("\ufffd", value)
    return value


def quoted_spans(ev) -> tuple[tuple[int, int], ...]:
    """The spans an evidence record's annotation quotes: its spans, or its sentence when it has
    none (:class:`kg.models.Evidence`)."""
    return ev.spans or ((ev.sentence_start, ev.sentence_end),)


def exact_quote(text: str, start: int, end: int) -> str:
    """What an annotation quotes of one span: ``text[start:end]``, negative offsets read as 0,
    cleaned as :func:`clean` does (the writer's ``oa:exact`` and ``kg:exampleQuote``).

    >>> exact_quote("GNNs on Cora.", 0, 4), exact_quote("GNNs", -3, 2)
    ('GNNs', 'GN')
    """
    return clean(text[max(start, 0) : max(end, 0)])
