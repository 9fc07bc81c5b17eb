"""Full-ranking evaluation of a recommender on one held-out split, in user batches (DESIGN.md section 4).

The protocol follows MMRec: every user with at least one held-out item is scored against the whole catalogue, the
user's training items are masked out (score ``-inf``), the top ``max(ks)`` items are taken and compared with the
held-out items (binary relevance). Validation and test both mask the training matrix only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch

from .metrics import DEFAULT_KS, compute_metrics, metric_names
from .slices import Slice

ScoreBatch = Callable[[torch.Tensor], torch.Tensor]
"""Maps a LongTensor of user ids [B] (on the evaluator's device) to float scores [B, n_items] on that device."""


@dataclass(frozen=True)
class EvalResult:
    """The metrics of one evaluation.

    Attributes:
        metrics: metric name -> mean over the evaluated users (NaN when no user was evaluated).
        users: int64 [n_evaluated], the evaluated user ids (users with >= 1 held-out item), ascending.
        per_user: metric name -> float32 [n_evaluated], aligned with ``users`` (for paired significance tests).
        interactions: the held-out interactions behind the figures.
        slices: slice name -> the same evaluation restricted to that slice (``mmsearch.eval.slices``); its users
            are those with >= 1 held-out interaction in the slice.
    """

    metrics: dict[str, float]
    users: np.ndarray
    per_user: dict[str, np.ndarray]
    interactions: int = 0
    slices: dict[str, EvalResult] = field(default_factory=dict)


def _binary_csr(matrix: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    """A copy of ``matrix`` as CSR with sorted, unique column indices and no stored zeros (one entry per pair)."""
    csr = sp.csr_matrix(matrix, copy=True)
    csr.sum_duplicates()
    csr.eliminate_zeros()
    return csr


def score_by_dot(user_repr: torch.Tensor, item_repr: torch.Tensor) -> ScoreBatch:
    """A ``score_batch`` for dot-product models: ``user_repr[users] @ item_repr.T``.

    Args:
        user_repr: float [n_users, dim], on the evaluator's device.
        item_repr: float [n_items, dim], on the same device.

    Returns:
        A function from user ids [B] to scores [B, n_items]; each call returns a fresh tensor.
    """
    if user_repr.ndim != 2 or item_repr.ndim != 2 or user_repr.shape[1] != item_repr.shape[1]:
        raise ValueError(
            f"need [n_users, d] and [n_items, d] tensors, got {tuple(user_repr.shape)} and {tuple(item_repr.shape)}"
        )
    item_t = item_repr.T

    def score_batch(users: torch.Tensor) -> torch.Tensor:
        return user_repr[users] @ item_t

    return score_batch


class Evaluator:
    """Scores the users of one held-out split against all items and computes the ranking metrics.

    Everything that depends only on the data is prepared once at construction: the evaluated users, their training
    items as (row, column) index tensors sorted by evaluated user (so a batch's mask is one contiguous slice), and
    the held-out pairs as sorted keys ``position * n_items + item`` for a ``searchsorted`` membership test.

    When the catalogue has fewer items than a cut-off ``K``, the ranked list holds all ``n_items`` items and the
    missing ranks count as misses (``precision@K`` still divides by ``K``). Users with fewer unmasked items than
    ``K`` get masked (``-inf``) entries in their top-K; those never count as hits.

    Args:
        train: [n_users, n_items] sparse matrix of training interactions (any nonzero counts); masked in scores.
        heldout: [n_users, n_items] sparse matrix of the split's held-out interactions (validation or test).
        ks: metric cut-offs, each >= 1.
        batch_size: users scored per call of ``score_batch``; bounds memory at ``batch_size * n_items`` scores.
        device: where the index tensors live and ``score_batch`` is expected to return its scores.
        slices: subsets of the held-out interactions evaluated from the same ranking (``EvalResult.slices``).

    Raises:
        ValueError: on mismatched shapes, an empty or non-positive ``ks``, or ``batch_size < 1``.

    Attributes:
        users: int64 [n_evaluated], ascending ids of the users with >= 1 held-out item (the users evaluated).
        metric_names: names of the reported metrics, ``metric_names(ks)``.
        n_users, n_items: the matrices' shape.
    """

    def __init__(
        self,
        train: sp.spmatrix | sp.sparray,
        heldout: sp.spmatrix | sp.sparray,
        ks: Sequence[int] = DEFAULT_KS,
        batch_size: int = 4096,
        device: torch.device | str = "cpu",
        slices: Sequence[Slice] = (),
    ) -> None:
        if train.shape != heldout.shape:
            raise ValueError(f"train has shape {train.shape} but heldout has shape {heldout.shape}")
        if not ks or min(ks) < 1:
            raise ValueError(f"ks must be non-empty positive cut-offs, got {tuple(ks)}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.ks = tuple(int(k) for k in ks)
        self.metric_names = metric_names(self.ks)
        self.batch_size = batch_size
        self.device = torch.device(device)
        self.n_users, self.n_items = (int(n) for n in train.shape)
        self._k_max = min(max(self.ks), self.n_items)

        heldout_csr = _binary_csr(heldout)
        n_heldout = np.diff(heldout_csr.indptr)
        self.users = np.flatnonzero(n_heldout).astype(np.int64)
        self._n_heldout = n_heldout[self.users].astype(np.int64)
        positions = np.arange(self.users.size, dtype=np.int64)

        train_rows = _binary_csr(train)[self.users]
        self._train_ptr = train_rows.indptr.astype(np.int64)
        self._train_pos = self._to_device(np.repeat(positions, np.diff(train_rows.indptr)))
        self._train_items = self._to_device(train_rows.indices)

        heldout_rows = heldout_csr[self.users]
        keys = np.repeat(positions, self._n_heldout) * self.n_items + heldout_rows.indices
        self._heldout_keys = self._to_device(keys)
        self._users_t = self._to_device(self.users)
        self._slices = {piece.name: _PreparedSlice(piece, self.users, heldout_rows) for piece in slices}

    def _to_device(self, array: np.ndarray) -> torch.Tensor:
        """An int64 tensor on the evaluator's device."""
        return torch.from_numpy(np.ascontiguousarray(array, dtype=np.int64)).to(self.device)

    def evaluate(self, score_batch: ScoreBatch) -> EvalResult:
        """Rank all items for every evaluated user and compute the metrics.

        Runs under ``torch.no_grad()``; at most ``batch_size * n_items`` scores exist at once.

        Args:
            score_batch: maps user ids [B] (LongTensor on ``device``) to float scores [B, n_items] on ``device``.
                The evaluator writes ``-inf`` into the returned tensor in place (training items), so return a
                tensor that nothing else reads afterwards (a fresh result, not a view of a cached buffer).

        Returns:
            The mean and per-user metrics over the evaluated users.

        Raises:
            ValueError: if ``score_batch`` returns a wrong shape or dtype, or NaN among a user's top scores.
        """
        hits = torch.zeros((self.users.size, self._k_max), dtype=torch.bool)
        top_items = torch.zeros((self.users.size, self._k_max), dtype=torch.int64)
        with torch.no_grad():
            for start in range(0, self.users.size, self.batch_size):
                stop = min(start + self.batch_size, self.users.size)
                batch_hits, batch_items = self._batch_hits(score_batch, start, stop)
                hits[start:stop], top_items[start:stop] = batch_hits.cpu(), batch_items.cpu()
        hits_np, top_np = hits.numpy(), top_items.numpy()
        return EvalResult(
            **self._result(self.users, hits_np, self._n_heldout),
            slices={
                name: EvalResult(**self._result(self.users[piece.positions], *piece.restrict(hits_np, top_np)))
                for name, piece in self._slices.items()
            },
        )

    def _result(self, users: np.ndarray, hits: np.ndarray, n_heldout: np.ndarray) -> dict:
        """``EvalResult`` fields (no slices) of ``users`` from their hit matrix and held-out counts."""
        per_user = compute_metrics(hits, n_heldout, self.ks)
        return {
            "metrics": {
                name: float(values.mean()) if values.size else float("nan") for name, values in per_user.items()
            },
            "users": users.copy(),
            "per_user": {name: values.astype(np.float32) for name, values in per_user.items()},
            "interactions": int(n_heldout.sum()),
        }

    def _batch_hits(self, score_batch: ScoreBatch, start: int, stop: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Hit matrix bool [stop - start, k_max] of the evaluated users at positions ``start:stop`` and their ranked
        items int64 [stop - start, k_max] (on device)."""
        scores = score_batch(self._users_t[start:stop])
        if scores.shape != (stop - start, self.n_items) or not scores.is_floating_point():
            raise ValueError(
                f"score_batch must return float scores of shape ({stop - start}, {self.n_items}), "
                f"got {scores.dtype} with shape {tuple(scores.shape)}"
            )
        lo, hi = self._train_ptr[start], self._train_ptr[stop]
        scores.index_put_(
            (self._train_pos[lo:hi] - start, self._train_items[lo:hi]),
            torch.tensor(float("-inf"), dtype=scores.dtype, device=scores.device),
        )
        top_scores, top_items = torch.topk(scores, self._k_max, dim=1)
        if torch.isnan(top_scores).any():  # topk ranks NaN first, so any NaN score of a user shows up here
            raise ValueError("score_batch returned NaN scores")
        positions = torch.arange(start, stop, device=top_items.device).unsqueeze(1)
        keys = positions * self.n_items + top_items
        found = torch.searchsorted(self._heldout_keys, keys).clamp_(max=self._heldout_keys.numel() - 1)
        return (self._heldout_keys[found] == keys) & (top_scores != float("-inf")), top_items


class _PreparedSlice:
    """A slice over the evaluated users: the positions (into ``Evaluator.users``) of the users with >= 1 held-out
    interaction in it, their counts of such interactions, and the item set that turns a hit into a slice hit."""

    def __init__(self, piece: Slice, users: np.ndarray, heldout_rows: sp.csr_matrix) -> None:
        kept = heldout_rows if piece.items is None else heldout_rows[:, piece.items]
        counts = np.asarray(kept.getnnz(axis=1))
        if piece.users is not None:
            counts = np.where(piece.users[users], counts, 0)
        self.positions = np.flatnonzero(counts)
        self.n_heldout = counts[self.positions].astype(np.int64)
        self.items = piece.items

    def restrict(self, hits: np.ndarray, top_items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(hits bool [n_slice_users, k_max] counting only the slice's items, held-out counts [n_slice_users])."""
        hits = hits[self.positions]
        if self.items is not None:
            hits = hits & self.items[top_items[self.positions]]
        return hits, self.n_heldout
