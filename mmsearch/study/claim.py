"""The claim lock: one worker at a time counts the budget and starts a trial, so that workers never overrun it.

The lock is held from the count until the new trial is running (milliseconds), never while a trial trains. A lock
of a killed holder is released by the system: a file lock when its process ends, a PostgreSQL advisory lock when
its connection closes (taking it again after a lost connection is ``reconnect.retried``).
"""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path
from typing import IO, Any

import optuna
import sqlalchemy
from optuna.storages import RDBStorage

from .reconnect import lost_connection, retried

CLAIM_SUFFIX = ".claim"


class ClaimLock:
    """A lock that does nothing (one process on its storage); a context manager whose ``release`` is idempotent."""

    def acquire(self) -> None:
        """Wait for the lock."""

    def release(self) -> bool:
        """Release the lock if held (it may be released early, inside the ``with`` block).

        Returns:
            False when this lock was taken but lost before this release (its database connection dropped), so that
            another worker may have held it meanwhile; else True.
        """
        return True

    def __enter__(self) -> ClaimLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class FileClaimLock(ClaimLock):
    """An exclusive ``flock`` on a file beside the journal (processes of one host)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self._file = open(self.path, "a")  # held open until release
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def release(self) -> bool:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        return True


class AdvisoryClaimLock(ClaimLock):
    """A PostgreSQL session advisory lock keyed by the study name (processes of any host)."""

    def __init__(self, engine: sqlalchemy.Engine, study_name: str) -> None:
        self.engine = engine
        digest = hashlib.sha256(f"mmsearch claim {study_name}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)
        self._connection: Any = None

    def acquire(self) -> None:
        retried(self._lock)

    def release(self) -> bool:
        """Release the lock; one whose connection was lost is already released by the server (returns False)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return True
        try:
            held = bool(
                connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}).scalar()
            )
        except Exception as error:
            if not lost_connection(error):
                raise
            held = False
        _close(connection)
        return held

    def _lock(self) -> None:
        connection = self.engine.connect()
        try:
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": self.key})
        except BaseException:
            _close(connection)
            raise
        self._connection = connection


def _close(connection: sqlalchemy.Connection) -> None:
    """Close ``connection``, which may have been lost (nothing is left to close then)."""
    try:
        connection.close()
    except Exception as error:
        if not lost_connection(error):
            raise


def claim_lock(storage: optuna.storages.BaseStorage, journal: Path | None, study_name: str) -> ClaimLock:
    """The claim lock of a study in ``storage`` (as ``open_storage`` returned it; ``journal``: its journal file)."""
    if journal is not None:
        return FileClaimLock(journal.with_name(journal.name + CLAIM_SUFFIX))
    if isinstance(storage, RDBStorage) and storage.engine.dialect.name == "postgresql":
        return AdvisoryClaimLock(storage.engine, study_name)
    return ClaimLock()
