"""One worker's loop over a shared study: claim a trial while the budget allows, run it, repeat."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import optuna
from optuna.storages._heartbeat import is_heartbeat_enabled
from optuna.trial import FrozenTrial, TrialState

from mmsearch.errors import StorageError, TrialFailure

from .budget import usage
from .claim import ClaimLock
from .provenance import worker_identity
from .reaper import WORKER_ATTR, dead_reason, fail_dead_trials, unwatched
from .retry import requeue
from .settings import BUDGET_ATTR
from .storage import GRACE_SECONDS
from .trial_attrs import LOST_CLAIM

POLL_SECONDS = 1.0
UNWATCHED_WAIT_SECONDS = GRACE_SECONDS
"""How long a worker waits for the budget while only running trials that nothing here can fail hold it
(``reaper.unwatched``): as long as a heartbeat storage waits for a silent worker. Whether such a trial ends or
not, waiting does nothing for the budget, so the worker then stops with a ``StorageError``."""
Objective = Callable[[optuna.Trial], float | tuple[float, ...]]


def work(
    study: optuna.Study,
    objective: Objective,
    lock: ClaimLock,
    limit: int,
    timeout: float | None,
    sampler: Callable[[int], optuna.samplers.BaseSampler],
) -> None:
    """Run trials of ``study`` one at a time until its budget is used or ``timeout`` seconds have passed.

    The budget is the smaller of ``limit`` and the study's stored ``budget``. Before each trial the worker fails and
    retries the trials of dead workers; then, holding ``lock``, it starts a trial only while counted finished trials
    plus running trials of live workers stay below the budget. While running trials of other workers fill the
    budget, it waits for them (and retries theirs if their worker dies), so the budget is reached exactly and never
    passed (a claim that lost its lock with its database connection gives its trial back, see ``_Claimed``); while
    only trials that nothing here could fail if their worker were gone hold it, it waits ``UNWATCHED_WAIT_SECONDS``
    at most. ``sampler(started)`` makes the sampler of each trial (``started``: trials that ever left the queue, so
    each trial gets its own seed). ``KeyboardInterrupt`` propagates after the running trial is recorded.

    Raises:
        StorageError: the budget waited ``UNWATCHED_WAIT_SECONDS`` on the same unwatched trials (the message names
            them), or the storage failed for good (a journal that cannot be written, a database lost for longer than
            ``reconnect.RECONNECT_SECONDS``).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    claimed = _Claimed(objective, lock)
    wait = _UnwatchedWait(study.study_name, is_heartbeat_enabled(study._storage))
    while deadline is None or time.monotonic() < deadline:
        fail_dead_trials(study)
        with lock:
            trials = study.get_trials(deepcopy=False)
            used = usage(trials)
            budget = min(limit, study.user_attrs.get(BUDGET_ATTR, limit))
            if used.finished >= budget:
                return
            if used.finished + used.running < budget:
                study.sampler = sampler(used.started)
                claimed.budget = budget
                _optimize_one(study, claimed)  # ``claimed`` releases the lock at once
                continue
        wait.check(trials)
        time.sleep(POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))


def _optimize_one(study: optuna.Study, claimed: _Claimed) -> None:
    """Run one trial through ``study.optimize`` (which fails a trial that raises, and keeps its heartbeat).

    Raises:
        StorageError: the storage failed while the trial's end was recorded (Optuna then raises an
            ``AssertionError`` whose context is this error).
    """
    try:
        study.optimize(claimed, n_trials=1, catch=(Exception,))
    except AssertionError as error:
        if isinstance(error.__context__, StorageError):
            raise error.__context__ from None
        raise


class _UnwatchedWait:
    """Measures how long the budget has waited on the same running trials, all unwatched (``reaper.unwatched``)."""

    def __init__(self, study_name: str, heartbeat: bool) -> None:
        self.study_name = study_name
        self.heartbeat = heartbeat
        self.held: tuple[int, ...] = ()
        self.since = 0.0

    def check(self, trials: Sequence[FrozenTrial]) -> None:
        """Note the trials that hold the budget now (this worker waits for them).

        Raises:
            StorageError: the same unwatched trials alone have held it for ``UNWATCHED_WAIT_SECONDS``.
        """
        host, now = socket.gethostname(), datetime.now()
        running = [t for t in trials if t.state == TrialState.RUNNING and dead_reason(t, host, now) is None]
        if not running or not all(unwatched(trial, host, self.heartbeat) for trial in running):
            self.held = ()
            return
        held = tuple(trial.number for trial in running)
        if held != self.held:
            self.held, self.since = held, time.monotonic()
            return
        if time.monotonic() - self.since < UNWATCHED_WAIT_SECONDS:
            return
        described = "; ".join(
            f"trial {t.number} on host '{t.user_attrs[WORKER_ATTR]['host']}' (pid {t.user_attrs[WORKER_ATTR]['pid']}, "
            f"running since {t.datetime_start:%Y-%m-%d %H:%M:%S})"
            for t in running
        )
        raise StorageError(
            f"study '{self.study_name}' waited {UNWATCHED_WAIT_SECONDS:.0f} s for its last trials, held by "
            f"{described}: this storage keeps no heartbeat, so no worker here can tell whether theirs lives. If it "
            "does, its trial finishes the budget; if it is gone, run this study on that host to fail and retry its "
            "trial (PostgreSQL serves workers on several hosts)"
        )


class _Claimed:
    """Objective wrapper: records this worker on the new trial, releases the claim lock, then runs the trial.

    A claim whose lock was lost before its release (``ClaimLock.release`` returned False) may have overlapped another
    worker's. Counted again under the lock, a trial that passes the budget gives its place back before it trains: it
    fails with ``LOST_CLAIM`` (which does not count) and an enqueued trial is enqueued again (``retry.requeue``).
    """

    def __init__(self, objective: Objective, lock: ClaimLock) -> None:
        self.objective = objective
        self.lock = lock
        self.budget = 0

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, ...]:
        storage = trial.study._storage
        if is_heartbeat_enabled(storage):  # first: then every trial that names its worker has a heartbeat to go stale
            storage.record_heartbeat(trial._trial_id)
        trial.set_user_attr(WORKER_ATTR, worker_identity())
        if not self.lock.release():
            self._give_back_if_past_budget(trial)
        return self.objective(trial)

    def _give_back_if_past_budget(self, trial: optuna.Trial) -> None:
        study = trial.study
        with self.lock:
            used = usage(study.get_trials(deepcopy=False))
            if used.finished + used.running <= self.budget:
                return
            trial.set_user_attr("fail_reason", LOST_CLAIM)
            requeue(study, study._storage.get_trial(trial._trial_id))
        raise TrialFailure(LOST_CLAIM)
