"""What a study optimises: validation Recall@20 alone (the default), or with training time and peak memory."""

from __future__ import annotations

from collections.abc import Sequence

from mmsearch.errors import MMSearchError
from mmsearch.eval.metrics import PRIMARY_METRIC

OBJECTIVES = {"recall": "maximize", "time": "minimize", "memory": "minimize"}
"""Objective name -> direction, in the order a trial returns its values: validation Recall@20, training seconds
(``train_seconds``) and peak memory in MiB (``peak_memory_mb``)."""

OBJECTIVE_COLUMNS = {"recall": f"valid_{PRIMARY_METRIC}", "time": "train_seconds", "memory": "peak_memory_mb"}
"""Objective name -> its column in ``trials_frame``."""

DEFAULT_OBJECTIVES = ("recall",)


def objective_names(names: Sequence[str]) -> tuple[str, ...]:
    """The objectives ``names`` asks for, in ``OBJECTIVES`` order.

    Raises:
        MMSearchError: an unknown or repeated name, or a list that does not start with ``recall``.
    """
    if not names or names[0] != "recall" or len(set(names)) != len(names) or not set(names) <= set(OBJECTIVES):
        raise MMSearchError(
            f"--objectives '{','.join(names)}': give recall first, then any of time, memory, each once "
            "(e.g. recall,time,memory)"
        )
    return tuple(name for name in OBJECTIVES if name in names)


def directions(objectives: Sequence[str]) -> list[str]:
    """The Optuna direction of each objective."""
    return [OBJECTIVES[name] for name in objectives]
