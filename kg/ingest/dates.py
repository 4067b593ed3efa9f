"""Dates as ISO 8601, exactly as precise as the source and never more.

``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, or ``--MM-DD`` (ISO 8601's form for a month and day with
no year: the "Daily Papers" listings say "Aug 5"). A year is never guessed.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?$", re.I)
_NOYEAR_RE = re.compile(r"^--(\d{2})-(\d{2})$")
_MONTH_DAY_RE = re.compile(rf"^{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?$", re.I)
_DAY_MONTH_RE = re.compile(rf"^(?:[A-Za-z]{{3}},\s*)?(\d{{1,2}})\s+{_MONTH}(?:,?\s+(\d{{4}}))?(?:\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s*(?:GMT|UTC|[+-]\d{{4}}))?)?$", re.I)
_MONTH_YEAR_RE = re.compile(rf"^{_MONTH},?\s+(\d{{4}})$", re.I)
_SLASH_RE = re.compile(r"^(\d{4})/(\d{1,2})(?:/(\d{1,2}))?$")
_RIS_DATE_RE = re.compile(r"^(\d{4})/(\d{0,2})/(\d{0,2})(?:/[^/]*)?$")  # RIS: YYYY/MM/DD/other, parts may be empty


def _iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """Format and validate; None when the parts do not make a real date."""
    if month is not None and not 1 <= month <= 12:
        return None
    if year is not None and not 1 <= year <= 9999:
        return None
    if day is not None:
        leap_year = 2000 if year is None else year  # --02-29 is a valid no-year date
        try:
            date(leap_year, month, day)
        except ValueError:
            return None
    if year is None:
        return f"--{month:02d}-{day:02d}"
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(value: object) -> str | None:
    """An ISO 8601 date string for ``value``, or None when it is not a date kg understands.

    >>> [parse_date(v) for v in ("Aug 5", "2021-01-04T13:46:39Z", "Mon, 2 Apr 2007 19:18:42 GMT", 2019, "2020-13")]
    ['--08-05', '2021-01-04', '2007-04-02', '2019', None]
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _iso(value)
    if isinstance(value, float) and value.is_integer():
        return _iso(int(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > 64:
        return None
    if m := _ISO_RE.match(text):
        return _iso(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    if m := _NOYEAR_RE.match(text):
        return _iso(None, int(m[1]), int(m[2]))
    if m := _MONTH_DAY_RE.match(text):
        return _iso(int(m[3]) if m[3] else None, MONTHS[m[1].lower()], int(m[2]))
    if m := _DAY_MONTH_RE.match(text):
        return _iso(int(m[3]) if m[3] else None, MONTHS[m[2].lower()], int(m[1]))
    if m := _MONTH_YEAR_RE.match(text):
        return _iso(int(m[2]), MONTHS[m[1].lower()])
    if m := _SLASH_RE.match(text):
        return _iso(int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
    if m := _RIS_DATE_RE.match(text):
        if m[3] and not m[2]:
            return None
        return _iso(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    return None


def parse_month(value: object) -> int | None:
    """A month number from ``"jan"``, ``"January"``, ``"1"`` or ``1`` (BibTeX ``month``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= 12 else None
    if not isinstance(value, str):
        return None
    text = value.strip().strip("{}").strip().rstrip(".").lower()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text)


def year_month(year: object, month: object = None) -> str | None:
    """``YYYY`` or ``YYYY-MM`` from separate year and month fields (BibTeX, some CSVs)."""
    y = parse_date(year.strip() if isinstance(year, str) else year)
    if y is None or len(y) != 4:
        return None
    m = parse_month(month) if month not in (None, "") else None
    return _iso(int(y), m) if m else y


def refines(earlier: str | None, later: str | None) -> bool:
    """True when ``later`` is the same date as ``earlier`` said more precisely.

    >>> refines("--08-05", "2024-08-05"), refines("2021", "2021-03"), refines("2021-03", "2022-03-01")
    (True, True, False)
    """
    if not later:
        return False
    if not earlier:
        return True
    if earlier.startswith("--"):
        return len(later) == 10 and later[4:] == earlier[1:]
    return len(later) > len(earlier) and later.startswith(earlier)
