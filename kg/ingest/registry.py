"""The reader registry: one reader per input format, chosen by name or detected per file.

A reader is a generator function ``read(source) -> Iterator[Paper]`` registered under a name
with :func:`register`; ``kg build --format NAME`` picks one, otherwise :func:`detect_format`
looks at the file name and, where that is not enough, at the first bytes of the file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.models import Paper

Reader = Callable[["Source"], Iterator[Paper]]  # noqa: F821 - kg.ingest.source.Source


@dataclass(frozen=True)
class ReaderSpec:
    name: str
    read: Reader
    description: str
    extensions: tuple[str, ...] = ()


READERS: dict[str, ReaderSpec] = {}

#: Modules that register readers, imported on first use.
READER_MODULES = ("daily", "jsonl", "json_doc", "arxiv", "delimited", "bibtex", "atom", "openalex", "s2")


class UnknownFormat(ValueError):
    """``--format`` names no registered reader."""


def register(name: str, *, description: str, extensions: tuple[str, ...] = ()) -> Callable[[Reader], Reader]:
    """Class-free plugin registration: ``@register("csv", description=..., extensions=(".csv",))``."""

    def decorate(read: Reader) -> Reader:
        READERS[name] = ReaderSpec(name, read, description, extensions)
        return read

    return decorate


def load_readers() -> dict[str, ReaderSpec]:
    """Import every reader module once and return the registry."""
    for module in READER_MODULES:
        importlib.import_module(f"kg.ingest.{module}")
    return READERS


def get_reader(name: str) -> ReaderSpec:
    """The reader registered as ``name`` (case-insensitive), or :class:`UnknownFormat`."""
    readers = load_readers()
    spec = readers.get(name.strip().lower())
    if spec is None:
        raise UnknownFormat(f"unknown input format {name!r}; known: {', '.join(sorted(readers))}")
    return spec


def known_extension(path: Path) -> str | None:
    """The reader name a file's extension stands for (``.gz`` looked through), or None."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    for spec in load_readers().values():
        if suffixes[-1] in spec.extensions:
            return spec.name
    return None


def sniff(head: bytes) -> str | None:
    """A format guess from a file's first bytes (BOM and gzip already removed), or None."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not text:
        return None
    first = text[0]
    if first == "<":
        return "atom"
    if first == "@":
        return "bibtex"
    if first == "[":
        return "json"
    if first == "{":
        return "jsonl" if text.split("\n", 1)[0].rstrip().endswith("}") else "json"
    header = text.split("\n", 1)[0].lower()
    if "title" in header:
        if header.count("\t") >= 1:
            return "tsv"
        if header.count(",") >= 1:
            return "csv"
    return None


def detect_format(path: Path, head: bytes) -> str:
    """The reader for a file: its extension, refined by its content; ``daily`` for plain text.

    A ``.txt`` file that is really JSON, BibTeX or XML is read as what it is.
    """
    by_name = known_extension(path)
    if by_name is not None and by_name != "daily":
        return by_name
    guess = sniff(head)
    if by_name == "daily" and guess in ("csv", "tsv"):
        return "daily"  # a listing whose first title has "title" and a comma in it
    return guess or "daily"
