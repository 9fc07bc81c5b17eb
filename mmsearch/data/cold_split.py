"""Re-split any loaded dataset for item cold start: a fraction of the items held out with all their interactions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import scipy.sparse as sp

from mmsearch.errors import DataError

from .dataset import Dataset
from .splits import COLD_ITEMS, cold_items_split, split_matrices
from .validate import check_splits, coverage_problems


def split_cold_items(dataset: Dataset, fraction: float, seed: int) -> Dataset:
    """``dataset`` with its train, valid and test interactions pooled and split again by ``splits.cold_items_split``.

    The result is named ``<name>-cold-items-<fraction>`` (another protocol, so another dataset in reports); its
    modalities and ids are kept, its problems are those of the new training split.

    Raises:
        DataError: ``fraction`` outside (0, 1), too few items, or a split left empty.
    """
    pooled = sp.coo_matrix(dataset.train + dataset.valid + dataset.test)
    try:
        labels = cold_items_split(pooled.col, dataset.n_items, fraction, seed)
    except ValueError as error:
        raise DataError(f"--split {COLD_ITEMS}: {error}") from None
    train, valid, test = split_matrices(pooled.row, pooled.col, labels, dataset.n_users, dataset.n_items)
    check_splits((Path(dataset.name),) * 3, (train, valid, test))
    return dataclasses.replace(
        dataset,
        name=f"{dataset.name}-{COLD_ITEMS}-{fraction:g}",
        train=train,
        valid=valid,
        test=test,
        problems=tuple(coverage_problems(train)),
    )
