"""How much of a study's trial budget is used: counted finished trials, and running trials of live workers."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import optuna
from optuna.trial import FrozenTrial, TrialState

from .reaper import dead_reason
from .retry import RETRY_ATTR
from .trial_attrs import INTERRUPTED, LOST_CLAIM


@dataclass(frozen=True)
class Usage:
    """Budget use at one moment.

    Attributes:
        finished: finished trials that count (not an interrupted trial, nor a failed one that a retry replaces, nor
            one that gave its place back).
        running: running trials whose worker may be alive.
        started: trials that ever left the queue (all but the waiting ones); grows by one with every started trial.
    """

    finished: int
    running: int
    started: int


def usage(trials: Sequence[FrozenTrial]) -> Usage:
    """The budget use of a study with these trials."""
    host, now = socket.gethostname(), datetime.now()
    retried = {trial.user_attrs[RETRY_ATTR] for trial in trials if RETRY_ATTR in trial.user_attrs}
    finished = sum(1 for trial in trials if _counts(trial, retried))
    running = sum(1 for trial in trials if trial.state == TrialState.RUNNING and dead_reason(trial, host, now) is None)
    started = sum(1 for trial in trials if trial.state != TrialState.WAITING)
    return Usage(finished, running, started)


def counted_trials(study: optuna.Study) -> int:
    """Finished trials that count toward the budget (an interrupted trial does not, nor a failed one that was
    retried: its retry takes its place, nor one that gave its place back)."""
    return usage(study.get_trials(deepcopy=False)).finished


def _counts(trial: FrozenTrial, retried: set[int]) -> bool:
    return (
        trial.state.is_finished()
        and trial.user_attrs.get("fail_reason") not in (INTERRUPTED, LOST_CLAIM)
        and not (trial.state == TrialState.FAIL and trial.number in retried)
    )
