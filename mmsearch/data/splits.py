"""Assign interactions to train/valid/test and build the binary split matrices.

Split rules (per user, so that every user with enough history is evaluated):

- ``random``: a user's n interactions are shuffled with a generator seeded by ``seed``; ``max(1, round(0.1 n))``
  (ties to even) go to test, as many to valid, the rest (at least one) to train.
- ``time``: a user's latest interaction goes to test, the second latest to valid, the rest to train. Ties in time are
  broken by row order (a later row counts as later).

Under both rules a user with fewer than ``MIN_HELD_OUT_HISTORY`` (3) interactions keeps all of them in train, so it
has no held-out item and the evaluation skips it.

Item cold start (``cold_items_split``, for any format): a seeded draw of ``round(fraction * n_items)`` items (at least
two) is held out with all their interactions, the first half of the draw for validation, the rest for test; every
other interaction is in train, so validation and test hold only items never seen in training.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

TRAIN, VALID, TEST = 0, 1, 2
SPLIT_RULES = ("random", "time")
COLD_ITEMS = "cold-items"
MIN_HELD_OUT_HISTORY = 3
HELD_OUT_FRACTION = 0.1


def random_split(users: np.ndarray, seed: int) -> np.ndarray:
    """Per-user seeded 8:1:1 split.

    Args:
        users: int [n_interactions], the user of each interaction.
        seed: seed of the shuffle; the same seed and input give the same labels.

    Returns:
        int8 [n_interactions] labels (0 train, 1 valid, 2 test).
    """
    keys = np.random.default_rng(seed).random(users.size)
    order = np.lexsort((keys, users))
    return _label_by_rank(users, order, _held_out_counts(users))


def time_split(users: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Leave-last-by-time split: latest to test, second latest to valid.

    Args:
        users: int [n_interactions], the user of each interaction.
        times: numeric [n_interactions], the time of each interaction.

    Returns:
        int8 [n_interactions] labels (0 train, 1 valid, 2 test).
    """
    order = np.lexsort((-np.arange(users.size), -times, users))
    counts = np.bincount(users, minlength=int(users.max(initial=-1)) + 1)
    held_out = np.where(counts >= MIN_HELD_OUT_HISTORY, 1, 0)
    return _label_by_rank(users, order, held_out)


def cold_items_split(items: np.ndarray, n_items: int, fraction: float, seed: int) -> np.ndarray:
    """Item-cold-start labels (module docstring).

    Args:
        items: int [n_interactions], the item of each interaction, in range(n_items).
        n_items: catalogue size.
        fraction: share of the items held out, in (0, 1).
        seed: seed of the draw.

    Returns:
        int8 [n_interactions] labels (0 train, 1 valid, 2 test).

    Raises:
        ValueError: ``fraction`` outside (0, 1), or fewer than three items.
    """
    if not 0 < fraction < 1 or n_items < 3:
        raise ValueError(f"cold-items needs a fraction in (0, 1) and at least 3 items, got {fraction} of {n_items}")
    held_out = min(max(2, round(fraction * n_items)), n_items - 1)
    drawn = np.random.default_rng(seed).permutation(n_items)[:held_out]
    item_labels = np.full(n_items, TRAIN, dtype=np.int8)
    item_labels[drawn[: held_out // 2]] = VALID
    item_labels[drawn[held_out // 2 :]] = TEST
    return item_labels[items]


def _held_out_counts(users: np.ndarray) -> np.ndarray:
    """Per user, how many interactions go to test (and as many to valid) under the random rule."""
    counts = np.bincount(users, minlength=int(users.max(initial=-1)) + 1)
    held_out = np.maximum(1, np.round(counts * HELD_OUT_FRACTION)).astype(np.int64)
    return np.where(counts >= MIN_HELD_OUT_HISTORY, held_out, 0)


def _label_by_rank(users: np.ndarray, order: np.ndarray, held_out: np.ndarray) -> np.ndarray:
    """Label interactions by their rank within their user in ``order``: the first go to test, then valid, then train.

    Args:
        users: int [n], user of each interaction.
        order: a permutation of range(n) that groups interactions by user.
        held_out: int [n_users], how many interactions of each user go to test (and as many to valid).
    """
    sorted_users = users[order]
    starts = np.searchsorted(sorted_users, sorted_users, side="left")
    rank = np.arange(users.size) - starts
    limit = held_out[sorted_users]
    sorted_labels = np.where(rank < limit, TEST, np.where(rank < 2 * limit, VALID, TRAIN)).astype(np.int8)
    labels = np.empty(users.size, dtype=np.int8)
    labels[order] = sorted_labels
    return labels


def split_matrices(
    users: np.ndarray, items: np.ndarray, labels: np.ndarray, n_users: int, n_items: int
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """Binary float32 CSR matrices [n_users, n_items] of the train, valid and test interactions.

    Args:
        users, items: int [n_interactions], in range.
        labels: int [n_interactions], 0 train, 1 valid, 2 test.
        n_users, n_items: the matrix shape.
    """
    matrices = []
    for label in (TRAIN, VALID, TEST):
        mask = labels == label
        matrices.append(binary_csr(users[mask], items[mask], (n_users, n_items)))
    return matrices[0], matrices[1], matrices[2]


def binary_csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A CSR matrix with 1.0 (float32) at every given (row, col); repeated pairs count once."""
    matrix = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix
