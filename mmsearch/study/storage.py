"""Opening an Optuna storage: a journal file in the run directory by default, PostgreSQL (or SQLite) by URL."""

from __future__ import annotations

import warnings
from pathlib import Path

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileSymlinkLock

from mmsearch.errors import StorageError

from .journal_file import JournalFile
from .reconnect import ReconnectingRDBStorage
from .retry import retry_stale_trial

JOURNAL_NAME = "journal.log"
HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120


def study_dir(run_dir: Path, study_name: str) -> Path:
    """Folder of one study's local files: journal (by default), resolved space, feature cache."""
    return Path(run_dir) / study_name


def journal_path(url: str | None, run_dir: Path, study_name: str) -> Path | None:
    """The journal file that ``open_storage`` uses for ``url``; None for a database URL."""
    if url is None:
        return study_dir(run_dir, study_name) / JOURNAL_NAME
    return Path(url) if url.endswith((".log", ".journal")) else None


def open_storage(url: str | None, run_dir: Path, study_name: str, workers: int = 1) -> optuna.storages.BaseStorage:
    """The storage for ``url``.

    Args:
        url: None for ``<run_dir>/<study>/journal.log``; a path ending in ``.log``/``.journal`` for a journal file
            (file locks make it safe for several processes of one host; a write that fails, e.g. on a full disk, is
            undone: ``journal_file.JournalFile``); ``postgresql://...`` (heartbeats on, a stale trial failed and
            retried once; a URL without a driver uses psycopg 3) or ``sqlite:///...``. A database call whose
            connection drops is repeated on a new one (``reconnect.ReconnectingRDBStorage``).
        run_dir: base folder of local study files.
        study_name: the study.
        workers: number of processes that will share the storage; SQLite is refused for more than one.

    Raises:
        StorageError: an unsupported URL, SQLite with several workers, an unreachable database, a journal folder
            that cannot be made or a corrupt journal;
            later, a journal that cannot be written or a database connection lost for good.
    """
    path = journal_path(url, run_dir, study_name)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            folder = f"cannot create the journal's folder {path.parent} ({error.strerror or error})"
            raise StorageError(f"{path}: {folder}") from error
        try:
            storage = JournalStorage(JournalFile(str(path)))
        except Exception as error:  # optuna raises several types for unreadable journals
            raise StorageError(f"{path}: cannot read the journal ({type(error).__name__}: {error})") from error
        _check_complete(path)
        return storage
    if url.startswith("sqlite") and workers > 1:
        raise StorageError("SQLite cannot be shared by several workers; use PostgreSQL or the default journal file")
    if not url.startswith(("postgresql", "sqlite")):
        raise StorageError(f"unsupported storage '{url}'; use a journal file path, postgresql://... or sqlite:///...")
    driver_url = "postgresql+psycopg://" + url.removeprefix("postgresql://") if url.startswith("postgresql://") else url
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            heartbeat = (
                {}
                if url.startswith("sqlite")
                else {
                    "heartbeat_interval": HEARTBEAT_SECONDS,
                    "grace_period": GRACE_SECONDS,
                    "heartbeat_stale_trial_callback": retry_stale_trial,
                }
            )
            return ReconnectingRDBStorage(driver_url, engine_kwargs={"pool_pre_ping": True}, **heartbeat)
    except Exception as error:  # sqlalchemy / driver errors: report the cause in one line
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StorageError(f"cannot open storage '{_redact(url)}': {first_line}") from error


def _check_complete(journal: Path) -> None:
    """Refuse a journal whose last record is cut off (a truncated file), which Optuna would silently skip.

    A record being appended by another process also lacks its newline for a moment, so the check is repeated
    under the journal's own write lock before it fails.

    Raises:
        StorageError: the file does not end with a complete record.
    """
    if _ends_complete(journal):
        return
    lock = JournalFileSymlinkLock(str(journal))
    lock.acquire()
    try:
        complete = _ends_complete(journal)
    finally:
        lock.release()
    if not complete:
        raise StorageError(
            f"{journal}: the journal is truncated (its last record is cut off); restore the file, or delete its "
            "last line to resume from the records before it"
        )


def _ends_complete(journal: Path) -> bool:
    with open(journal, "rb") as file:
        if file.seek(0, 2) == 0:
            return True
        file.seek(-1, 2)
        return file.read(1) == b"\n"


def _redact(url: str) -> str:
    """The URL without its password."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
