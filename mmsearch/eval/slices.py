"""Slices of a held-out split where content matters most: cold, tail and missing-modality items, sparse users.

A slice keeps the held-out interactions whose item is in its item set and whose user is in its user set; its metrics
rank the whole catalogue as the split's do and count, per user with at least one such interaction, the hits among
those interactions only (a slice's Recall@20 is the mean over those users of the share of their slice interactions
found in their top 20).

- ``cold_items``: items without a training interaction.
- ``tail_items``: items with training interactions that make up the last ``TAIL_SHARE`` of all training
  interactions, items ranked by training count (most popular first, ties by item id).
- ``sparse_users``: users whose training count is at most the ``SPARSE_USER_QUANTILE`` quantile of the users' counts
  (users without a training interaction included).
- ``missing_<modality>``: items without content for that modality (only for modalities that miss some).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmsearch.data.dataset import Dataset

TAIL_SHARE = 0.2
"""Share of the training interactions that the tail items make up."""
SPARSE_USER_QUANTILE = 0.2
"""Users at or below this quantile of training counts are sparse."""


@dataclass(frozen=True)
class Slice:
    """A named subset of held-out interactions.

    Attributes:
        name: e.g. ``cold_items``.
        items: bool [n_items], the items whose held-out interactions the slice keeps, or None for all items.
        users: bool [n_users], the users whose held-out interactions the slice keeps, or None for all users.
    """

    name: str
    items: np.ndarray | None = None
    users: np.ndarray | None = None


def dataset_slices(dataset: Dataset) -> tuple[Slice, ...]:
    """The slices of ``dataset`` defined in this module's docstring, from its training split and modalities."""
    item_counts = np.asarray(dataset.train.getnnz(axis=0))
    user_counts = np.asarray(dataset.train.getnnz(axis=1))
    slices = [
        Slice("cold_items", items=item_counts == 0),
        Slice("tail_items", items=tail_items(item_counts)),
        Slice("sparse_users", users=user_counts <= np.quantile(user_counts, SPARSE_USER_QUANTILE)),
    ]
    for name in sorted(dataset.modalities):
        present = dataset.modalities[name].present
        if present.size and not present.all():
            slices.append(Slice(f"missing_{name}", items=~present))
    return tuple(slices)


def tail_items(item_counts: np.ndarray) -> np.ndarray:
    """bool [n_items]: items with a training interaction whose interactions all lie in the last ``TAIL_SHARE`` of the
    training interactions, items ranked by count (int [n_items]) from the most popular, ties by item id."""
    order = np.argsort(-item_counts, kind="stable")
    before = np.cumsum(item_counts[order]) - item_counts[order]
    tail = np.zeros(item_counts.size, dtype=bool)
    tail[order[(before >= (1 - TAIL_SHARE) * item_counts.sum()) & (item_counts[order] > 0)]] = True
    return tail
