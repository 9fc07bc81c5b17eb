"""Failing the running trials whose worker is gone, and retrying them once.

Two mechanisms, which never both act on one trial (only the process that moves a trial to FAIL retries it):

- on the worker's own host, a trial whose worker process no longer exists fails at once (``worker <pid> died``); a
  process that holds the pid now but started at another time than the worker recorded is not the worker;
- on PostgreSQL, Optuna's heartbeat fails a trial of any host whose worker sent no heartbeat within the grace
  period (``storage.GRACE_SECONDS``, far longer than a local check takes), then calls ``retry_stale_trial``.
"""

from __future__ import annotations

import socket
import warnings
from datetime import datetime

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

from .process import is_running
from .retry import retry_trial

WORKER_ATTR = "worker"
ORPHAN_SECONDS = 60


def dead_reason(trial: FrozenTrial, host: str, now: datetime) -> str | None:
    """Why the running ``trial`` has no live worker, or None while it may have one.

    A worker records itself on its trial (host and pid) within milliseconds of starting it; a running trial that has
    carried no worker for ``ORPHAN_SECONDS`` was left by a process killed in between. The worker of a trial of this
    host is alive while its pid runs a process with the start time it recorded (``provenance.worker_identity``). A
    trial of another host is never judged here (only the heartbeat can tell).
    """
    worker = trial.user_attrs.get(WORKER_ATTR)
    if worker is None:
        started = trial.datetime_start or now
        return "its worker died before recording itself" if (now - started).total_seconds() >= ORPHAN_SECONDS else None
    if worker.get("host") == host and not is_running(int(worker.get("pid", -1)), worker.get("started")):
        return f"worker {worker['pid']} died"
    return None


def unwatched(trial: FrozenTrial, host: str, heartbeat: bool) -> bool:
    """Whether nothing here would ever fail the running ``trial`` if its worker were gone: it names a worker of
    another host, and the storage keeps no heartbeat (a journal file, SQLite), so neither mechanism applies."""
    worker = trial.user_attrs.get(WORKER_ATTR)
    return not heartbeat and worker is not None and worker.get("host") != host


def fail_dead_trials(study: optuna.Study) -> None:
    """Fail (with ``fail_reason``) and retry the running trials whose worker is gone; then let the heartbeat fail
    the stale trials of other hosts. Safe to call from several workers at once.
    """
    host, now = socket.gethostname(), datetime.now()
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        reason = dead_reason(trial, host, now)
        if reason is None:
            continue
        try:
            study._storage.set_trial_user_attr(trial._trial_id, "fail_reason", reason)
            study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        except UpdateFinishedTrialError:
            continue  # another worker failed it first, and retries it
        retry_trial(study, trial, reason)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
