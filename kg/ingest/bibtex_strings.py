"""BibTeX ``@string`` macros expanded lazily, with a size cap, only where an entry uses them.

bibtexparser's ``interpolate_strings=True`` expands every ``@string`` when it is defined, so
ten lines of nested doubling macros (``@string{b = a # a}``, ``@string{c = b # b}``, ...)
ask for gigabytes before any entry is read (1.1 kB of BibTeX became 954 MB; issue 16). kg
parses with ``interpolate_strings=False``, which keeps values as bibtexparser's
``BibDataStringExpression`` (a list of text and ``BibDataString`` references), and expands
them here:

* the length of each macro's expansion (and the number of pieces it is made of) is computed
  from the lengths of the macros it uses, memoised, without building any text;
* a value whose expansion would be longer than :data:`kg.ingest.limits.MAX_BIBTEX_STRING_CHARS`
  characters (or made of more pieces), that uses an undefined macro, or macros that refer to
  each other in a cycle, raises :class:`StringError` with the reason; nothing is expanded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.ingest.limits import MAX_BIBTEX_STRING_CHARS


class StringError(ValueError):
    """A value that cannot be expanded: too long, an undefined macro, or a cycle."""


def _parts(value: Any) -> list:
    """The text pieces and macro references of a bibtexparser value."""
    from bibtexparser.bibdatabase import BibDataString, BibDataStringExpression

    if isinstance(value, BibDataStringExpression):
        return list(value.expr)
    if isinstance(value, BibDataString):
        return [value]
    return [str(value)]


class StringExpander:
    """Expand values against the macros of one bibtexparser database (``strings``, a live dict:
    macros defined later are seen), refusing any expansion over ``limit`` characters or pieces."""

    def __init__(self, strings: Mapping[str, Any], limit: int = MAX_BIBTEX_STRING_CHARS):
        self.strings = strings
        self.limit = limit
        self._sizes: dict[str, tuple[Any, tuple[int, int]]] = {}  # name -> (its value, (chars, pieces))

    def size(self, value: Any, _active: frozenset[str] = frozenset()) -> tuple[int, int]:
        """``(characters, pieces)`` of ``value`` expanded, each capped at ``limit + 1``."""
        from bibtexparser.bibdatabase import BibDataString

        chars = pieces = 0
        for part in _parts(value):
            if isinstance(part, BibDataString):
                c, p = self._macro_size(part.name, _active)
            else:
                c, p = len(part), 1
            chars = min(chars + c, self.limit + 1)
            pieces = min(pieces + p, self.limit + 1)
        return chars, pieces

    def _macro_size(self, name: str, active: frozenset[str]) -> tuple[int, int]:
        if name not in self.strings:
            raise StringError(f"@string {name!r} is not defined (or was not usable)")
        if name in active:
            raise StringError(f"@string {name!r} refers to itself")
        value = self.strings[name]
        cached = self._sizes.get(name)
        if cached is None or cached[0] is not value:  # a macro defined again has a new value
            cached = self._sizes[name] = (value, self.size(value, active | {name}))
        return cached[1]

    def check(self, value: Any) -> None:
        """Raise :class:`StringError` when ``value`` cannot be expanded within the limit."""
        try:
            chars, pieces = self.size(value)
        except RecursionError:
            raise StringError("@string macros nested too deeply") from None
        if chars > self.limit or pieces > self.limit:
            raise StringError(f"expands to more than {self.limit:,} characters (the limit for one BibTeX value)")

    def expand(self, value: Any) -> str:
        """``value`` as text, its macros expanded (checked first: raises :class:`StringError`).

        Example
        -------
        >>> from bibtexparser.bibdatabase import BibDataString, BibDataStringExpression
        >>> strings = {"a": "ab"}
        >>> strings["b"] = BibDataStringExpression([BibDataString(None, "a"), BibDataString(None, "a")])
        >>> StringExpander(strings).expand(BibDataStringExpression([BibDataString(None, "b"), "!"]))
        'abab!'
        >>> StringExpander(strings, limit=3).expand(BibDataString(None, "b"))
        Traceback (most recent call last):
        ...
        kg.ingest.bibtex_strings.StringError: expands to more than 3 characters (the limit for one BibTeX value)
        """
        if isinstance(value, str):
            return value  # no macro: nothing to expand (its length is the reader's business)
        self.check(value)
        out: list[str] = []
        self._append(value, out)
        return "".join(out)

    def _append(self, value: Any, out: list[str]) -> None:
        from bibtexparser.bibdatabase import BibDataString

        for part in _parts(value):
            if isinstance(part, BibDataString):
                self._append(self.strings[part.name], out)
            else:
                out.append(part)
