"""Sparse k-nearest-neighbour graphs over item features, computed in row chunks (never a dense n x n matrix)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

DEFAULT_CHUNK_BYTES = 64 * 2**20


def knn_graph(
    features: np.ndarray,
    k: int,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    self_loops: bool = False,
    weighted: bool = False,
) -> sp.csr_matrix:
    """Cosine kNN graph: row i keeps its ``k`` most similar rows.

    Similarities are computed for a block of rows at a time; a block holds at most ``chunk_bytes`` of float32
    similarities, so memory stays O(chunk + n k) whatever n is. Ties are broken by the lower index.

    Args:
        features: float [n, d]; all-zero rows (items without content) get no neighbours and are nobody's neighbour.
        k: neighbours per row (clipped to the number of candidate rows with content).
        chunk_bytes: memory budget of one block of similarities.
        self_loops: a row is its own candidate (it is then its own nearest neighbour, counted among the ``k``, as
            FREEDOM's and MGCN's top-k over the full similarity matrix do); else only the other rows are.
        weighted: edges carry the cosine similarity (MGCN); else weight 1 (FREEDOM, LATTICE).

    Returns:
        CSR [n, n] float32 (not symmetric in general).
    """
    values = np.asarray(features, dtype=np.float32)
    norms = np.linalg.norm(values, axis=1)
    present = norms > 0
    unit = np.zeros_like(values)
    unit[present] = values[present] / norms[present, None]
    n = len(values)
    k = min(k, int(present.sum()) - (0 if self_loops else 1))
    if k <= 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    rows_per_chunk = max(1, chunk_bytes // (4 * n))
    neighbours = np.zeros((n, k), dtype=np.int64)
    similarities = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, rows_per_chunk):
        stop = min(n, start + rows_per_chunk)
        similarity = unit[start:stop] @ unit.T
        similarity[:, ~present] = -np.inf
        if not self_loops:
            similarity[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        order = np.lexsort((top, -np.take_along_axis(similarity, top, axis=1)), axis=1)
        neighbours[start:stop] = np.take_along_axis(top, order, axis=1)
        similarities[start:stop] = np.take_along_axis(similarity, neighbours[start:stop], axis=1)
    rows = np.repeat(np.flatnonzero(present), k)
    cols = neighbours[present].ravel()
    edges = similarities[present].ravel() if weighted else np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((edges, (rows, cols)), shape=(n, n))


def symmetric_normalize(graph: sp.spmatrix) -> sp.csr_matrix:
    """D^-1/2 G D^-1/2 with D the row sums of G (rows without edges stay zero)."""
    graph = sp.csr_matrix(graph, dtype=np.float32)
    scale = inverse_power(np.asarray(graph.sum(axis=1)).ravel(), 0.5)
    return (sp.diags(scale) @ graph @ sp.diags(scale)).tocsr()


def row_normalize(graph: sp.spmatrix) -> sp.csr_matrix:
    """D^-1 G with D the row sums of G: every row with edges averages its neighbours (rows without edges stay zero)."""
    graph = sp.csr_matrix(graph, dtype=np.float32)
    return (sp.diags(inverse_power(np.asarray(graph.sum(axis=1)).ravel(), 1.0)) @ graph).tocsr()


def inverse_power(degree: np.ndarray, power: float) -> np.ndarray:
    """degree ** -power as float32 where the degree is positive, 0 elsewhere."""
    inverse = np.zeros(degree.shape, dtype=np.float32)
    inverse[degree > 0] = degree[degree > 0] ** -power
    return inverse
