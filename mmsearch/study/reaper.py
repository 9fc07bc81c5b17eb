"""Failing the running trials whose worker is gone, and retrying them once.

Two mechanisms, which never both act on one trial (only the process that moves a trial to FAIL retries it):

- on the worker's own host, a trial whose worker process no longer exists fails at once (``worker <pid> died``);
- on PostgreSQL, Optuna's heartbeat fails a trial of any host whose worker sent no heartbeat within the grace
  period (``storage.GRACE_SECONDS``, far longer than a local check takes), then calls ``retry_stale_trial``.
"""

from __future__ import annotations

import os
import socket
import warnings
from datetime import datetime

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import FrozenTrial, TrialState

from .retry import retry_trial

WORKER_ATTR = "worker"
ORPHAN_SECONDS = 60


def dead_reason(trial: FrozenTrial, host: str, now: datetime) -> str | None:
    """Why the running ``trial`` has no live worker, or None while it may have one.

    A worker records itself on its trial (host and pid) within milliseconds of starting it; a running trial that has
    carried no worker for ``ORPHAN_SECONDS`` was left by a process killed in between. A trial of another host is
    never judged here (only the heartbeat can tell).
    """
    worker = trial.user_attrs.get(WORKER_ATTR)
    if worker is None:
        started = trial.datetime_start or now
        return "its worker died before recording itself" if (now - started).total_seconds() >= ORPHAN_SECONDS else None
    if worker.get("host") == host and not _alive(int(worker.get("pid", -1))):
        return f"worker {worker['pid']} died"
    return None


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


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
