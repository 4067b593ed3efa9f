"""A full disk while the extraction cache writes is an OSError(ENOSPC), which the CLI turns into one line."""

import errno
import sqlite3

import pytest

from kg.extract.cache import ExtractionCache


class _FullDisk:
    """A connection whose inserts fail the way SQLite reports SQLITE_FULL."""

    def __init__(self):
        self.statements = []

    def execute(self, sql, *args):
        self.statements.append(sql)

    def executemany(self, sql, rows):
        raise sqlite3.OperationalError("database or disk is full")


def test_full_disk_becomes_enospc_and_rolls_back(tmp_path):
    cache = ExtractionCache(tmp_path)
    conn = _FullDisk()
    cache._connect = lambda: conn
    with pytest.raises(OSError) as info:
        cache.put_many([(b"k", b"v")])
    assert info.value.errno == errno.ENOSPC
    assert conn.statements == ["BEGIN IMMEDIATE", "ROLLBACK"]


def test_other_sqlite_errors_pass_through(tmp_path):
    cache = ExtractionCache(tmp_path)
    conn = _FullDisk()
    conn.executemany = lambda sql, rows: (_ for _ in ()).throw(sqlite3.OperationalError("database is locked"))
    cache._connect = lambda: conn
    with pytest.raises(sqlite3.OperationalError):
        cache.put_many([(b"k", b"v")])
