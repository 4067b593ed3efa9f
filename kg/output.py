"""Atomic output: single files by temp-file-and-rename, a whole output folder by swapping it.

A build writes every file into a private staging folder next to the target (``output`` ->
``.output.kg-staging-<pid>``). Only when all of them are written does the staging folder replace
the target: on Linux with one ``renameat2(RENAME_EXCHANGE)`` call, so readers see either the
old set or the new set and never a mix; where that call is not available, with two renames
(a reader may then briefly find no folder, never a mix). A crash, ``SIGKILL`` or Ctrl-C before
the swap leaves the previous folder untouched.

kg deletes nothing it did not make. Every output folder and every staging folder carries a
marker file, :data:`MARKER` (``.kg-output``): a build replaces only a folder that has it (or an
empty one, or none), and the clean-up of stale staging folders removes only folders that have
it (and empty ones). :func:`check_output_folder` refuses, before any work, an output folder
that is a file, a folder of the user's, an input or a folder holding one, or the current
directory or a folder holding it. The lock that stops two builds writing the same folder is a
file in kg's own folder (:func:`lock_dir`), never beside the user's folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

#: The file that marks a folder as kg's own (an output folder, or a staging folder of one).
MARKER = ".kg-output"
#: Its content: fixed, so that two builds of the same input stay byte-identical.
MARKER_TEXT = "This folder was written by kg build. The next kg build into it replaces it whole.\n"
#: Infixes of kg's staging and previous-build folders beside a target (``.output.kg-staging-<pid>``).
STAGING_INFIX, OLD_INFIX = "kg-staging", "kg-old"


class OutputLocked(RuntimeError):
    """Another build holds the lock on this output folder."""


class UnsafeOutput(Exception):
    """An output path kg refuses to write: replacing it could destroy the user's files."""


def is_kg_folder(path: str | Path) -> bool:
    """Whether ``path`` is a real folder (not a link) holding kg's marker file (a regular file).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> is_kg_folder(folder), mark_folder(folder), is_kg_folder(folder)
    (False, None, True)
    """
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        return stat.S_ISREG(os.lstat(Path(path) / MARKER).st_mode)
    except OSError:
        return False


def mark_folder(path: str | Path) -> None:
    """Write kg's marker file into the folder ``path``."""
    with open(Path(path) / MARKER, "w", encoding="utf-8") as fh:
        fh.write(MARKER_TEXT)


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both resolved)."""
    return path == folder or folder in path.parents


def check_output_folder(target: str | Path, inputs: Iterable[str | Path] = (), *, cwd: str | Path | None = None,
                        keep: Iterable[str] = (".cache",)) -> Path:
    """The resolved output folder, or :class:`UnsafeOutput` when replacing it could lose the user's files.

    Refused: a path that exists and is not a folder (a file, a device); a folder that is not
    empty and does not hold kg's marker (so not the output of an earlier build); a folder that is
    an input, holds an input or lies inside an input folder (the next build would read its own
    outputs); the current directory or a folder holding it. Entries named in ``keep`` (the
    extraction cache, which a build may create in the target before its first switch, and which
    survives the switch) do not make a folder non-empty. Called before any work, and again under
    the lock just before the switch.

    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> (home / "notes.txt").write_text("mine")
    4
    >>> check_output_folder(home / "notes.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.output.UnsafeOutput: --out ... is a file, not a folder; kg writes its outputs into a folder of its own
    >>> check_output_folder(home / "output") == (home / "output").resolve()
    True
    """
    given = str(target)
    target = Path(target).resolve()
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UnsafeOutput(f"--out {given}: {exc.strerror or exc}") from None
    if mode is not None and not stat.S_ISDIR(mode):
        raise UnsafeOutput(f"--out {given} is a file, not a folder; kg writes its outputs into a folder of its own")
    for item in inputs:
        source = Path(item).resolve()
        if _inside(source, target):
            raise UnsafeOutput(f"--out {given} is or holds the input {item}; the build would replace it: choose another folder")
        if _inside(target, source):
            raise UnsafeOutput(f"--out {given} is inside the input folder {item}; the next build would read its own outputs: choose a folder outside it")
    try:
        here = Path(cwd if cwd is not None else os.getcwd()).resolve()
    except OSError:
        here = None
    if here is not None and _inside(here, target):
        raise UnsafeOutput(f"--out {given} is or holds the current directory; the build would replace it: choose another folder")
    if mode is not None and not is_kg_folder(target) and _not_empty(target, ignore=frozenset(keep)):
        raise UnsafeOutput(
            f"--out {given} is a folder that kg did not make (not empty, no {MARKER} file); kg replaces only its own "
            "output folders: choose a new folder, or move this one away yourself"
        )
    return target


def check_output_file(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """``path`` as given, or :class:`UnsafeOutput` when writing a file there could lose the user's data.

    A single-file output atomically replaces a regular file of that name (the user named it),
    but never a folder, a device or other special file, nor one of the command's inputs.
    """
    given = str(path)
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise UnsafeOutput(f"--out {given}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise UnsafeOutput(f"--out {given} is a folder; kg writes a file there only in place of a file")
    if not stat.S_ISREG(mode):
        raise UnsafeOutput(f"--out {given} is not a regular file (a device, FIFO or socket); kg replaces only regular files")
    for item in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, item):
                raise UnsafeOutput(f"--out {given} is the input {item}; writing it would replace what is being read")
    return path


def _not_empty(folder: Path, ignore: frozenset[str] = frozenset()) -> bool:
    with os.scandir(folder) as entries:
        return any(entry.name not in ignore for entry in entries)


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on clean exit, fsync it and rename it over ``path``.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    check_output_file(path)  # never a folder or a device; found before anything is written
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # mkstemp creates 0600 files; outputs get the usual permissions (0666 minus the umask).
    os.fchmod(fd, 0o666 & ~_umask())
    try:
        if "b" in mode:
            fh = os.fdopen(fd, mode)
        else:
            fh = os.fdopen(fd, mode, encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", encoding=None) as fh:
        fh.write(data)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    res = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def switch_folder(staging: Path, target: Path) -> None:
    """Make ``staging`` become ``target`` in one step, then delete the previous ``target``.

    ``target`` must be a real folder or absent (:class:`UnsafeOutput` otherwise: a file is never
    swapped away). Callers decide whether the folder is theirs to replace
    (:func:`output_set` checks kg's marker).
    """
    staging, target = Path(staging), Path(target)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        os.rename(staging, target)
        _fsync_dir(target.parent)
        return
    if not stat.S_ISDIR(mode):
        raise UnsafeOutput(f"{target} is not a folder; it is left as it is")
    if _exchange(staging, target):
        # ``staging`` now holds the previous build.
        shutil.rmtree(staging, ignore_errors=True)
    else:
        old = target.with_name(f".{target.name}.{OLD_INFIX}-{os.getpid()}")
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(target.parent)


def _remove_stale_staging(target: Path) -> None:
    """Remove what earlier, killed builds of ``target`` staged: only kg-marked (or empty) folders.

    A file or a folder of the user's that happens to match the name pattern is left alone.
    """
    for infix in (STAGING_INFIX, OLD_INFIX):
        for stale in target.parent.glob(f".{glob_escape(target.name)}.{infix}-*"):
            if is_kg_folder(stale):
                shutil.rmtree(stale, ignore_errors=True)
            elif stale.is_dir() and not stale.is_symlink():
                with contextlib.suppress(OSError):
                    os.rmdir(stale)  # only when empty: a build killed before its marker was written


def glob_escape(name: str) -> str:
    """``name`` with the glob metacharacters ``*?[`` made literal."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def lock_dir() -> Path:
    """kg's own folder for lock files: ``$XDG_RUNTIME_DIR/kg/locks``, else ``~/.cache/kg/locks``,
    else ``<temp>/kg-<uid>/locks``; created private (0700)."""
    candidates = []
    if os.environ.get("XDG_RUNTIME_DIR"):
        candidates.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "kg" / "locks")
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(Path(cache_home) / "kg" / "locks")
    candidates.append(Path(tempfile.gettempdir()) / f"kg-{os.getuid()}" / "locks")
    last: OSError | None = None
    for folder in candidates:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.lstat(folder)
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
                return folder
        except OSError as exc:
            last = exc
    raise OSError(f"no folder for kg's lock files could be made (last: {last})")


@contextlib.contextmanager
def lock_folder(target: str | Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for ``target``.

    The lock file lives in kg's own folder (:func:`lock_dir`), named after a hash of the resolved
    target path, so nothing is added beside the user's folders. The lock is an ``flock`` on an
    open file, so it is released by the kernel when the process dies, even by SIGKILL: a killed
    build never leaves the folder locked.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(os.fsencode(target)).hexdigest()[:32]
    lock_path = lock_dir() / f"{digest}.lock"
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLocked(f"another kg build is writing {target} (lock {lock_path})") from None
        yield
    finally:
        fh.close()


@contextlib.contextmanager
def output_set(target: str | Path, keep: tuple[str, ...] = (".cache",), *, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Stage a whole output folder and switch it in on success.

    Yields the staging folder to write into (it holds kg's marker already). Entries of the
    previous folder named in ``keep`` (the extraction cache) are moved into the staging folder
    just before the switch, so they survive. On any exception the staging folder is deleted and
    ``target`` is untouched. ``target`` is checked with :func:`check_output_folder` (``inputs``
    included) before anything is written and again just before the switch.

    Example
    -------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "output"
    >>> with output_set(out) as stage:
    ...     atomic_write_text(stage / "a.txt", "new")
    >>> (out / "a.txt").read_text()
    'new'
    """
    inputs = list(inputs)
    target = check_output_folder(target, inputs, keep=keep)
    with lock_folder(target):
        _remove_stale_staging(target)
        staging = target.parent / f".{target.name}.{STAGING_INFIX}-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            mark_folder(staging)
            yield staging
            check_output_folder(target, inputs, keep=keep)  # still absent, empty or kg's own, under the lock
            for name in keep:
                previous = target / name
                if previous.exists() and not (staging / name).exists():
                    os.rename(previous, staging / name)
            switch_folder(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
