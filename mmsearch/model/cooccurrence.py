"""Sparse top-k user-user co-occurrence graphs, computed in user-row chunks (never a dense users x users matrix)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .knn import DEFAULT_CHUNK_BYTES

BYTES_PER_PAIR = 48
"""Upper bound on the bytes one co-occurring (user, user) pair of a chunk takes: the product's indices and data, the
sort keys and the sort order."""


def cooccurrence_topk(interactions: sp.spmatrix, k: int, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> sp.csr_matrix:
    """Row u keeps the ``k`` other users sharing the most items with u, valued by that count (DualGNN's user graph).

    Counts are rows of R R^T for the binary R, computed for a block of users at a time. A block's number of
    user-item-user paths bounds its pairs, and blocks are cut so that paths x ``BYTES_PER_PAIR`` stays within
    ``chunk_bytes`` (a single user's paths may exceed it), so memory stays O(chunk + n k). Ties are broken by the lower
    user index; users sharing no item are never neighbours.

    Args:
        interactions: [n_users, n_items]; positive entries are interactions.
        k: neighbours per user.
        chunk_bytes: memory budget of one block.

    Returns:
        float32 CSR [n_users, n_users] without self-loops, at most ``k`` entries per row (not symmetric in general).
    """
    binary = sp.csr_matrix(interactions > 0, dtype=np.float32)
    transposed = binary.T.tocsr()
    n_users = binary.shape[0]
    paths = (binary @ np.diff(transposed.indptr).astype(np.float64)).astype(np.int64)
    rows, cols, counts = [], [], []
    for start, stop in _blocks(paths, max(1, chunk_bytes // BYTES_PER_PAIR)):
        block = (binary[start:stop] @ transposed).tocoo()
        keep = block.row + start != block.col
        row, col, count = block.row[keep], block.col[keep], block.data[keep]
        order = np.lexsort((col, -count, row))
        row, col, count = row[order], col[order], count[order]
        first = np.searchsorted(row, row, side="left")
        top = np.arange(len(row)) - first < k
        rows.append(row[top] + start)
        cols.append(col[top])
        counts.append(count[top])
    return sp.csr_matrix(
        (np.concatenate(counts), (np.concatenate(rows), np.concatenate(cols))), shape=(n_users, n_users)
    )


def softmax_user_graph(interactions: sp.spmatrix, k: int) -> sp.csr_matrix:
    """The top-``k`` co-occurrence graph with each row's counts replaced by their softmax (DualGNN's and DRAGON's
    ``softmax`` user aggregation: every row with neighbours sums to 1): float32 CSR [n_users, n_users]."""
    return row_softmax(cooccurrence_topk(interactions, k))


def row_softmax(graph: sp.csr_matrix) -> sp.csr_matrix:
    """The same pattern with each non-empty row's stored values replaced by their softmax."""
    graph = sp.csr_matrix(graph, dtype=np.float32, copy=True)
    sizes = np.diff(graph.indptr)
    starts, sizes = graph.indptr[:-1][sizes > 0], sizes[sizes > 0]
    graph.data = np.exp(graph.data - np.repeat(np.maximum.reduceat(graph.data, starts), sizes))
    graph.data /= np.repeat(np.add.reduceat(graph.data, starts), sizes)
    return graph


def _blocks(paths: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive (start, stop) user ranges whose summed paths stay within ``budget`` (at least one user each)."""
    cumulative = np.cumsum(paths)
    blocks, start = [], 0
    while start < len(paths):
        base = cumulative[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(cumulative, base + budget, side="right")))
        blocks.append((start, stop))
        start = stop
    return blocks
