"""The content-addressed cache of per-paper extraction results (incremental builds).

One SQLite database, ``extractions.sqlite`` in the cache folder (by default ``OUT/.cache``),
maps a 32-byte key to the encoded result (:mod:`kg.extract.codec`, about 0.5 kB per abstract:
100,000 papers take about 50 MB). The key is ``sha256`` of the codec format, the pipeline
version (:func:`kg.nlp.pipeline_version`), the chunking settings and the text, so

* a paper whose text did not change is never extracted twice, whatever its id or file;
* a new model, a new pipeline version or a new encoding simply misses (old entries stay
  unused until the folder is deleted).

Writes are crash-safe: the database runs in WAL mode and each batch of results is one
transaction, so a build killed at any point leaves every committed result readable and no
half-written one. A database that cannot be read (damaged, or not SQLite) is moved aside and
replaced by an empty one, with a warning: the cache only ever costs time, never correctness.
Several processes may share one cache folder (SQLite locks; writers wait up to a minute).
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.extract.codec import FORMAT

FILENAME = "extractions.sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS extraction (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
_MAX_PARAMS = 500  # keys per SELECT ... IN (...), well under SQLite's variable limit


def key_prefix(pipeline_version: str, chunk_chars: int, max_chars: int) -> bytes:
    """The part of every cache key that does not depend on the text."""
    return f"{FORMAT}\0{pipeline_version}\0{chunk_chars}\0{max_chars}\0".encode()


def cache_key(prefix: bytes, text: str) -> bytes:
    """The 32-byte key of ``text`` under ``prefix`` (see :func:`key_prefix`).

    Example
    -------
    >>> p = key_prefix("kg-test 1.0", 100_000, 5_000_000)
    >>> cache_key(p, "a") == cache_key(p, "a") != cache_key(p, "b")
    True
    """
    h = hashlib.sha256(prefix)
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.digest()


class ExtractionCache:
    """Read and write encoded extraction results in ``folder/extractions.sqlite``.

    ``warnings`` collects a line for anything that went wrong with the cache itself (a damaged
    database moved aside); the caller reports them.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / FILENAME
        self.warnings: list[str] = []
        self._conn: sqlite3.Connection | None = None
        if self.path.exists():  # else created on the first write: a build that fails early leaves nothing
            self._connect()

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{FILENAME}.damaged-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.path) + suffix)
                if src.exists():
                    os.replace(src, str(aside) + suffix)
            self.warnings.append(f"extraction cache {self.path} could not be read ({exc}); moved to {aside.name}, starting an empty cache")
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            conn.execute("SELECT count(*) FROM (SELECT key FROM extraction LIMIT 1)").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def contains(self, keys: Sequence[bytes]) -> set[bytes]:
        """The subset of ``keys`` that has a stored result."""
        found: set[bytes] = set()
        if self._conn is None:
            return found
        for i in range(0, len(keys), _MAX_PARAMS):
            part = keys[i : i + _MAX_PARAMS]
            sql = f"SELECT key FROM extraction WHERE key IN ({','.join('?' * len(part))})"
            found.update(row[0] for row in self._conn.execute(sql, part))
        return found

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        """``{key: encoded result}`` for the keys that are stored."""
        found: dict[bytes, bytes] = {}
        if self._conn is None:
            return found
        for i in range(0, len(keys), _MAX_PARAMS):
            part = keys[i : i + _MAX_PARAMS]
            sql = f"SELECT key, value FROM extraction WHERE key IN ({','.join('?' * len(part))})"
            found.update(self._conn.execute(sql, part))
        return found

    def put_many(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Store ``(key, encoded result)`` pairs in one transaction."""
        items = list(items)
        if not items:
            return
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO extraction (key, value) VALUES (?, ?)", items)
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            conn.execute("ROLLBACK")
            if "full" in str(exc):  # SQLITE_FULL: "database or disk is full" -> the CLI's one-line disk error
                raise OSError(errno.ENOSPC, "no space left on the device", str(self.path)) from exc
            raise
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def __len__(self) -> int:
        if self._conn is None:
            return 0
        return self._conn.execute("SELECT count(*) FROM extraction").fetchone()[0]

    def close(self) -> None:
        """Checkpoint the write-ahead log into the database file and close it."""
        if self._conn is None:
            return
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # another process holds the database; its own close will checkpoint
        self._conn.close()
        self._conn = None

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
