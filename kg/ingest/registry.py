"""The reader registry: one reader per input format, chosen by name or detected per file.

A reader is a generator function ``read(source) -> Iterator[Paper]`` registered under a name
with :func:`register`; ``kg build --format NAME`` picks one, otherwise :func:`detect_format`
looks at the file name and, where that is not enough, at the first bytes of the file
(:mod:`kg.ingest.detect`). A file whose content carries no reader's signature is refused:
it is never read as a "Daily Papers" dump by default.
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
READER_MODULES = ("daily", "jsonl", "json_doc", "delimited", "bibtex", "atom",
                  "ris", "medline", "pubmed_xml", "jats", "wos")

#: Readers whose file extension decides (their own reader reports a file that is not theirs);
#: every other extension (``.txt``, ``.xml``, none...) is decided by content signature.
EXTENSION_DECIDES = ("json", "jsonl", "csv", "tsv", "bibtex")


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
    """The reader whose signature a file's first bytes carry (BOM and gzip removed), or None."""
    from kg.ingest.detect import head_text, signature

    return signature(head_text(head))


def detect_format(path: Path, head: bytes) -> str | None:
    """The reader for a file, or None when nothing recognises it (the caller refuses the file).

    ``.json``, ``.jsonl``, ``.csv``, ``.tsv`` and ``.bib`` go to their reader; any other file
    (``.txt``, ``.ris``, ``.xml``, no extension...) is read as what its content says it is.
    """
    by_name = known_extension(path)
    if by_name in EXTENSION_DECIDES:
        return by_name
    return sniff(head)


def format_choices() -> str:
    """The ``--format`` names, for messages: ``arxiv, atom, bibtex, ...``."""
    return ", ".join(sorted(load_readers()))


def looks_like(head: bytes, *, reading_as: str | None = None, otherwise: str | None = None) -> str:
    """What a file seems to be, from its first bytes, in a few words for a message.

    When the content carries the signature of a reader other than ``reading_as`` (a TSV file
    named ``.csv``), that reader is named with the ``--format`` that reads it; otherwise the
    words are ``otherwise``, or those of :func:`kg.ingest.detect.looks_like` ("a log file").
    """
    from kg.ingest import detect

    text = detect.head_text(head)
    name = detect.signature(text)
    if name is not None and name != reading_as:
        return f"{load_readers()[name].description}, which --format {name} reads"
    return otherwise or detect.looks_like(text)


def refusal(head: bytes) -> str:
    """The one-line reason a file no reader recognises is skipped."""
    return (f"not a paper format kg recognises (it looks like {looks_like(head)}); "
            f"if it is one, name it with --format ({format_choices()}); file skipped")
