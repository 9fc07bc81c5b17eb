"""One worker's loop over a shared study: claim a trial while the budget allows, run it, repeat."""

from __future__ import annotations

import time
from collections.abc import Callable

import optuna

from .budget import usage
from .claim import ClaimLock
from .provenance import worker_identity
from .reaper import WORKER_ATTR, fail_dead_trials
from .settings import BUDGET_ATTR

POLL_SECONDS = 1.0
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
    passed. ``sampler(started)`` makes the sampler of each trial (``started``: trials that ever left the queue, so
    each trial gets its own seed). ``KeyboardInterrupt`` propagates after the running trial is recorded.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    claimed = _Claimed(objective, lock)
    while deadline is None or time.monotonic() < deadline:
        fail_dead_trials(study)
        with lock:
            used = usage(study.get_trials(deepcopy=False))
            budget = min(limit, study.user_attrs.get(BUDGET_ATTR, limit))
            if used.finished >= budget:
                return
            if used.finished + used.running < budget:
                study.sampler = sampler(used.started)
                study.optimize(claimed, n_trials=1, catch=(Exception,))  # ``claimed`` releases the lock at once
                continue
        time.sleep(POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))


class _Claimed:
    """Objective wrapper: records this worker on the new trial, releases the claim lock, then runs the trial."""

    def __init__(self, objective: Objective, lock: ClaimLock) -> None:
        self.objective = objective
        self.lock = lock

    def __call__(self, trial: optuna.Trial) -> float | tuple[float, ...]:
        trial.set_user_attr(WORKER_ATTR, worker_identity())
        self.lock.release()
        return self.objective(trial)
