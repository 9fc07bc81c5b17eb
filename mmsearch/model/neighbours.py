"""Top-k cosine neighbours of torch features on their own device, in row chunks (never a dense n x n matrix)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .knn import DEFAULT_CHUNK_BYTES


@torch.no_grad()
def cosine_neighbours(features: torch.Tensor, k: int, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> torch.Tensor:
    """Indices of each row's ``k`` most cosine-similar other rows, without gradient.

    Similarities are computed for a block of rows at a time; a block holds at most ``chunk_bytes`` of float32
    similarities, so memory stays O(chunk + n k) whatever n is.

    Args:
        features: float [n, d] with n >= 2.
        k: neighbours per row, clipped to n - 1.
        chunk_bytes: memory budget of one block of similarities.

    Returns:
        LongTensor [n, min(k, n - 1)] on the features' device, most similar first; a row never lists itself.
    """
    unit = F.normalize(features.float(), dim=1)
    n = len(unit)
    k = min(k, n - 1)
    rows_per_chunk = max(1, chunk_bytes // (4 * n))
    neighbours = torch.empty(n, k, dtype=torch.long, device=unit.device)
    for start in range(0, n, rows_per_chunk):
        stop = min(n, start + rows_per_chunk)
        similarity = unit[start:stop] @ unit.T
        local = torch.arange(stop - start, device=unit.device)
        similarity[local, local + start] = -torch.inf
        neighbours[start:stop] = similarity.topk(k, dim=1).indices
    return neighbours
