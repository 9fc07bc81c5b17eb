"""Retrying a trial whose worker died: its parameters (or its preset) run once more in a new trial."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial

from .trial_attrs import ORIGIN_ATTRS

RETRY_ATTR = "retry_of"
RETRY_REASON_ATTR = "retry_reason"
STALE_REASON = "no heartbeat from its worker within the grace period"


def retry_trial(study: optuna.Study, trial: FrozenTrial, reason: str) -> None:
    """Enqueue a trial that repeats ``trial`` (same parameters, preset or ablation variant), unless ``trial`` is a
    retry.

    The new trial records ``retry_of`` (the failed trial's number) and ``retry_reason``. A retry that fails in its
    turn is not retried again, so a configuration that kills its worker runs at most twice. Call this only for a
    trial this process has just moved to FAIL, so that concurrent workers never retry one trial twice.
    """
    if RETRY_ATTR in trial.user_attrs:
        return
    attrs = {RETRY_ATTR: trial.number, RETRY_REASON_ATTR: reason}
    for key in ORIGIN_ATTRS:
        if key in trial.user_attrs:
            attrs[key] = trial.user_attrs[key]
    study.enqueue_trial(dict(trial.params), user_attrs=attrs)


def requeue(study: optuna.Study, trial: FrozenTrial) -> None:
    """Enqueue ``trial`` once more as it was enqueued (its fixed parameters, origin and retry attributes), for a
    trial that gives its place back before it trains; a sampled trial is not enqueued (nothing of it is kept)."""
    if "fixed_params" not in trial.system_attrs:
        return
    keys = (*ORIGIN_ATTRS, RETRY_ATTR, RETRY_REASON_ATTR)
    attrs = {key: trial.user_attrs[key] for key in keys if key in trial.user_attrs}
    study.enqueue_trial(dict(trial.system_attrs["fixed_params"]), user_attrs=attrs)


def retry_stale_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """Heartbeat callback of the PostgreSQL storage: Optuna has just failed ``trial`` for a missing heartbeat."""
    retry_trial(study, trial, STALE_REASON)
