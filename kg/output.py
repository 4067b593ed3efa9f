"""Atomic output: single files by temp-file-and-rename, a whole output folder by swapping it.

A build writes every file into a private staging folder next to the target (``output`` ->
``.output.staging-<pid>``). Only when all of them are written does the staging folder replace
the target: on Linux with one ``renameat2(RENAME_EXCHANGE)`` call, so readers see either the
old set or the new set and never a mix; where that call is not available, with two renames
(a reader may then briefly find no folder, never a mix). A crash, ``SIGKILL`` or Ctrl-C before
the swap leaves the previous folder untouched; stale staging folders are removed by the next
build. A lock file beside the target stops two builds writing the same folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputLocked(RuntimeError):
    """Another build holds the lock on this output folder."""


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on clean exit, fsync it and rename it over ``path``.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
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
    """Make ``staging`` become ``target`` in one step, then delete the previous ``target``."""
    staging, target = Path(staging), Path(target)
    if not target.exists():
        os.rename(staging, target)
        _fsync_dir(target.parent)
        return
    if _exchange(staging, target):
        # ``staging`` now holds the previous build.
        shutil.rmtree(staging, ignore_errors=True)
    else:
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(target.parent)


def _remove_stale_staging(target: Path) -> None:
    for stale in target.parent.glob(f".{target.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def lock_folder(target: str | Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for ``target`` (``.<name>.lock`` beside it).

    The lock is an ``flock`` on an open file, so it is released by the kernel when the process
    dies, even by SIGKILL: a killed build never leaves the folder locked.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
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
def output_set(target: str | Path, keep: tuple[str, ...] = (".cache",)) -> Iterator[Path]:
    """Stage a whole output folder and switch it in on success.

    Yields the staging folder to write into. Entries of the previous folder named in ``keep``
    (the extraction cache) are moved into the staging folder just before the switch, so they
    survive. On any exception the staging folder is deleted and ``target`` is untouched.

    Example
    -------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "output"
    >>> with output_set(out) as stage:
    ...     atomic_write_text(stage / "a.txt", "new")
    >>> (out / "a.txt").read_text()
    'new'
    """
    target = Path(target).resolve()
    with lock_folder(target):
        _remove_stale_staging(target)
        staging = target.parent / f".{target.name}.staging-{os.getpid()}"
        staging.mkdir(parents=True)
        try:
            yield staging
            for name in keep:
                previous = target / name
                if previous.exists() and not (staging / name).exists():
                    os.rename(previous, staging / name)
            switch_folder(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
