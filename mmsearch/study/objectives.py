"""What a study optimises: validation Recall@20 (the default), overall or on the cold or tail items, with or without
training time and peak memory."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError
from mmsearch.eval.metrics import PRIMARY_METRIC
from mmsearch.eval.slices import dataset_slices

OBJECTIVES = {
    "recall": "maximize",
    "cold_recall": "maximize",
    "tail_recall": "maximize",
    "time": "minimize",
    "memory": "minimize",
}
"""Objective name -> direction, in the order a trial returns its values: validation Recall@20 overall, on the cold
items and on the tail items (``mmsearch.eval.slices``), training seconds and peak memory in MiB."""

OBJECTIVE_SLICES = {"cold_recall": "cold_items", "tail_recall": "tail_items"}
"""Quality objectives measured on a slice of the validation split -> that slice."""

QUALITY_OBJECTIVES = ("recall", *OBJECTIVE_SLICES)

OBJECTIVE_COLUMNS = {
    "recall": f"valid_{PRIMARY_METRIC}",
    **{name: f"valid_{piece}_{PRIMARY_METRIC}" for name, piece in OBJECTIVE_SLICES.items()},
    "time": "train_seconds",
    "memory": "peak_memory_mb",
}
"""Objective name -> its column in ``trials_frame`` (and, for the quality objectives, its key in a curve point)."""

DEFAULT_OBJECTIVES = ("recall",)


def objective_names(names: Sequence[str]) -> tuple[str, ...]:
    """The objectives ``names`` asks for, in ``OBJECTIVES`` order.

    Raises:
        MMSearchError: an unknown or repeated name, or no quality objective (recall, cold_recall, tail_recall).
    """
    known = set(names) <= set(OBJECTIVES) and len(set(names)) == len(names)
    if not known or not set(names) & set(QUALITY_OBJECTIVES):
        raise MMSearchError(
            f"--objectives '{','.join(names)}': give at least one of {', '.join(QUALITY_OBJECTIVES)}, then any of "
            "time, memory, each once (e.g. recall,cold_recall,time)"
        )
    return tuple(name for name in OBJECTIVES if name in names)


def directions(objectives: Sequence[str]) -> list[str]:
    """The Optuna direction of each objective."""
    return [OBJECTIVES[name] for name in objectives]


def check_measurable(objectives: Sequence[str], dataset: Dataset) -> None:
    """Refuse a slice objective that the validation split cannot measure (no interaction in that slice).

    Raises:
        MMSearchError: names the objective and the way to a split that has such interactions.
    """
    slices = {piece.name: piece for piece in dataset_slices(dataset)}
    for name in objectives:
        piece = OBJECTIVE_SLICES.get(name)
        if piece is not None and not _has_interactions(dataset.valid, slices[piece].items):
            raise MMSearchError(
                f"--objectives {name}: the validation split of {dataset.name} holds no interaction with {piece} "
                "(--split cold-items F makes a split whose validation items are all cold)"
            )


def _has_interactions(heldout: sp.csr_matrix, items: np.ndarray) -> bool:
    return bool(heldout[:, items].nnz)
