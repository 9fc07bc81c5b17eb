"""Riding out a lost database connection: a call that fails because its connection dropped (the server restarted,
an administrator terminated the backend, the network broke) is repeated on a new connection, for a bounded time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy.exc
from optuna.storages import RDBStorage
from optuna.trial import TrialState

from mmsearch.errors import StorageError

RECONNECT_SECONDS = 60.0
"""How long a call keeps trying to regain the database: half the heartbeat grace period (``storage.GRACE_SECONDS``),
so that a worker back within it still beats before others may judge its trial stale."""
FIRST_DELAY_SECONDS = 0.2
MAX_DELAY_SECONDS = 5.0

Result = TypeVar("Result")


def lost_connection(error: BaseException) -> bool:
    """Whether ``error``, or an error that caused it, says the database connection failed or the transaction must be
    repeated (``OperationalError``: connection lost or refused, deadlock, serialization failure; or a session left
    unusable by an invalidated connection)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sqlalchemy.exc.OperationalError | sqlalchemy.exc.PendingRollbackError):
            return True
        if isinstance(seen, sqlalchemy.exc.DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def retried(call: Callable[[], Result], applied: Callable[[], bool] | None = None) -> Result | bool:
    """``call()``, repeated with growing pauses while it fails for a lost connection (``lost_connection``), for at
    most ``RECONNECT_SECONDS``.

    Args:
        call: the database work; it must be safe to repeat after a failure (a transaction that was rolled back).
        applied: checked before each repetition, for a write whose commit may have succeeded although its reply was
            lost; when it returns True the write is not repeated and ``retried`` returns True.

    Raises:
        StorageError: the connection was not regained in time; the message gives the last error.
    """
    give_up = time.monotonic() + RECONNECT_SECONDS
    delay = FIRST_DELAY_SECONDS
    while True:
        try:
            return call()
        except Exception as error:
            if not lost_connection(error):
                raise
            if time.monotonic() + delay > give_up:
                cause = str(error.__cause__ or error).strip().splitlines()
                raise StorageError(
                    f"lost the database connection and could not regain it within {RECONNECT_SECONDS:.0f} s "
                    f"({cause[0] if cause else type(error).__name__})"
                ) from error
        time.sleep(delay)
        delay = min(2 * delay, MAX_DELAY_SECONDS)
        if applied is not None and _quietly(applied):
            return True


class ReconnectingRDBStorage(RDBStorage):
    """Optuna's RDB storage whose every database call is ``retried`` after a lost connection.

    Repeating a call is safe because a call is one transaction, rolled back by the server when its connection drops,
    except in the instant between the server's commit and its reply: a state change is then checked
    (``applied``) rather than repeated; a repeated new trial would be a second running trial that no worker names,
    which the reaper fails (``reaper.ORPHAN_SECONDS``).
    """

    _nested = threading.local()  # calls made inside a retried call are not retried on their own

    def _retried(self, call: Callable[[], Result], applied: Callable[[], bool] | None = None) -> Result | bool:
        if getattr(self._nested, "active", False):
            return call()
        self._nested.active = True
        try:
            return retried(call, applied)
        finally:
            self._nested.active = False

    def set_trial_state_values(self, trial_id: int, state: TrialState, values: Any = None) -> bool:
        def applied() -> bool:
            return state.is_finished() and self.get_trial(trial_id).state == state

        change = super().set_trial_state_values
        return bool(self._retried(lambda: change(trial_id, state, values), applied))


RETRIED_CALLS = (
    "create_new_study",
    "delete_study",
    "set_study_user_attr",
    "set_study_system_attr",
    "get_study_id_from_name",
    "get_study_name_from_id",
    "get_study_directions",
    "get_study_user_attrs",
    "get_study_system_attrs",
    "get_trial_user_attrs",
    "get_trial_system_attrs",
    "get_all_studies",
    "create_new_trial",
    "_create_new_trial",
    "set_trial_param",
    "_set_trial_param",
    "get_trial_param",
    "set_trial_intermediate_value",
    "set_trial_user_attr",
    "set_trial_system_attr",
    "get_trial_id_from_study_id_trial_number",
    "get_trial",
    "get_all_trials",
    "_get_trials",
    "get_best_trial",
    "_get_best_trial_id",
    "record_heartbeat",
    "_get_stale_trial_ids",
)
"""The ``RDBStorage`` methods that reach the database (``_``-prefixed: those Optuna's cached storage calls)."""


def _retrying(name: str) -> Callable[..., Any]:
    method = getattr(RDBStorage, name)

    def call(self: ReconnectingRDBStorage, *args: Any, **kwargs: Any) -> Any:
        return self._retried(lambda: method(self, *args, **kwargs))

    call.__name__, call.__doc__ = name, method.__doc__
    return call


for _name in RETRIED_CALLS:
    setattr(ReconnectingRDBStorage, _name, _retrying(_name))


def _quietly(check: Callable[[], bool]) -> bool:
    """``check()``, False when it fails for a lost connection (the repetition will find out)."""
    try:
        return check()
    except Exception as error:
        if lost_connection(error):
            return False
        raise
