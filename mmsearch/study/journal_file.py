"""The journal file backend, whose every append is written whole or not at all."""

from __future__ import annotations

import json
import os
from typing import Any

from optuna.storages.journal import JournalFileBackend

from mmsearch.errors import StorageError


class JournalFile(JournalFileBackend):
    """Optuna's journal file, except that an append that fails (a full disk, a quota, an I/O error) is cut off again,
    so that the file keeps every record before it and loads as it was."""

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs``, one record a line, in one write under the journal's lock.

        Raises:
            StorageError: the lock or the write failed; the message names the file and the cause.
        """
        text = "".join(json.dumps(log, separators=(",", ":")) + "\n" for log in logs)
        try:
            self._lock.acquire()  # a symbolic link beside the journal
            try:
                self._append(text.encode("utf-8"))
            finally:
                self._lock.release()
        except OSError as error:
            raise StorageError(
                f"{self._file_path}: cannot write the journal ({error.strerror or error}); the failed write was "
                "undone and every record before it is kept: make room, then run the same command to resume"
            ) from error

    def _append(self, data: bytes) -> None:
        """Append ``data`` and sync it; on failure cut the file back to its size before (shortening needs no room)."""
        size = os.path.getsize(self._file_path)
        try:
            with open(self._file_path, "ab") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except OSError:
            os.truncate(self._file_path, size)
            raise
