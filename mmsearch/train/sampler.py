"""Uniform negative sampling over the training interactions, seeded and vectorised."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch

from mmsearch.search.spec import NEGATIVE_POOLS


class NegativeSampler:
    """Yields shuffled (user, positive, negative) batches; negatives are uniform over the pool's items that the user
    has not trained on.

    A sampled negative that is a training positive of its user is redrawn (up to ``max_redraws`` rounds; what is left
    after that, vanishingly rare outside near-complete rows, is kept).

    Args:
        train: binary CSR [n_users, n_items].
        negatives: negatives per positive (each positive is repeated that many times per epoch).
        seed: seeds the epoch permutations and draws.
        pool: one of ``NEGATIVE_POOLS``.
    """

    def __init__(
        self, train: sp.csr_matrix, negatives: int, seed: int, pool: str = "all", max_redraws: int = 10
    ) -> None:
        if pool not in NEGATIVE_POOLS:
            raise ValueError(f"negative pool must be one of {NEGATIVE_POOLS}, got {pool!r}")
        coo = train.tocoo()
        self.n_items = train.shape[1]
        self.pool = np.arange(self.n_items) if pool == "all" else np.flatnonzero(train.getnnz(axis=0))
        self.users = np.repeat(coo.row.astype(np.int64), negatives)
        self.items = np.repeat(coo.col.astype(np.int64), negatives)
        self._positive_keys = np.sort(coo.row.astype(np.int64) * self.n_items + coo.col.astype(np.int64))
        self._rng = np.random.default_rng(seed)
        self.max_redraws = max_redraws

    def __len__(self) -> int:
        return len(self.users)

    def epoch(self, batch_size: int, device: torch.device) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        """One epoch of batches of LongTensors (users [B], positives [B], negatives [B]) on ``device``."""
        order = self._rng.permutation(len(self.users))
        users, positives = self.users[order], self.items[order]
        negatives = self._draw(users)
        tensors = [torch.from_numpy(array).to(device) for array in (users, positives, negatives)]
        return list(zip(*(tensor.split(batch_size) for tensor in tensors)))

    def _draw(self, users: np.ndarray) -> np.ndarray:
        negatives = self._uniform(len(users))
        for _ in range(self.max_redraws):
            clash = np.flatnonzero(self._is_positive(users, negatives))
            if clash.size == 0:
                break
            negatives[clash] = self._uniform(clash.size)
        return negatives

    def _uniform(self, size: int) -> np.ndarray:
        return self.pool[self._rng.integers(0, len(self.pool), size=size)]

    def _is_positive(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        keys = users * self.n_items + items
        where = np.searchsorted(self._positive_keys, keys)
        where = np.minimum(where, len(self._positive_keys) - 1)
        return self._positive_keys[where] == keys
