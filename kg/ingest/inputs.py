"""Which files an ingest run reads: the files named, and the files inside the folders named.

Folders are walked recursively in sorted order (so two runs read the same files in the same
order); hidden files and folders (``.name``) are skipped; inside folders only files with a
known paper extension are read (a README or a script beside the data is reported as a
warning and left alone), while a file named explicitly is read whatever its name. Entries
that cannot be read (permissions, dangling links, FIFOs and other non-regular files, loops
of symbolic links) are reported, never fatal.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.ingest.registry import known_extension
from kg.ingest.report import IngestReport, Where


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def iter_input_files(inputs: Iterable[str | os.PathLike[str]], report: IngestReport) -> Iterator[tuple[Path, str]]:
    """``(path, name used in problems)`` of every file to read, in order."""
    for item in inputs:
        path = Path(item)
        name = str(item)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            what = "dangling symbolic link" if path.is_symlink() else _reason(exc)
            report.error(Where(name), f"cannot read: {what}", record_level=False)
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path, name, report, seen=set(), root=path.resolve())
        elif stat.S_ISREG(mode):
            yield path, name
        else:
            report.error(Where(name), "not a regular file (a FIFO, socket or device); skipped", record_level=False)


def _walk(folder: Path, name: str, report: IngestReport, seen: set[tuple[int, int]], root: Path) -> Iterator[tuple[Path, str]]:
    try:
        info = folder.stat()
        key = (info.st_dev, info.st_ino)
        if key in seen:
            report.warning(Where(name), "folder already visited (a symbolic link loop); skipped")
            return
        seen.add(key)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        report.error(Where(name), f"cannot read folder: {_reason(exc)}", record_level=False)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = os.path.join(name, entry.name)
        try:
            mode = os.stat(entry.path).st_mode
        except OSError as exc:
            what = "dangling symbolic link" if entry.is_symlink() else _reason(exc)
            report.error(Where(child), f"cannot read: {what}", record_level=False)
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            target = Path(os.path.realpath(entry.path))
            if stat.S_ISDIR(mode):
                report.warning(Where(child), f"symbolic link to a folder ({target}); links to folders are not followed")
                continue
            if root != target and root not in target.parents:
                report.warning(Where(child), f"symbolic link to a file outside the input folder ({target}); not followed")
                continue
            path = target  # read the file it was checked to be, not whatever the link names later
        if stat.S_ISDIR(mode):
            yield from _walk(path, child, report, seen, root)
        elif not stat.S_ISREG(mode):
            report.error(Where(child), "not a regular file (a FIFO, socket or device); skipped", record_level=False)
        elif known_extension(Path(entry.name)) is None:
            report.warning(Where(child), "not a known paper file type (by its extension); skipped")
        else:
            yield path, child
