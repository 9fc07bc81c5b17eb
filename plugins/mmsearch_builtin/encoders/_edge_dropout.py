"""Edge pruning of the user-item graph: FREEDOM's degree-sensitive draw (Zhou & Shen, 2023) or a uniform one."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class EdgeSampler:
    """Draws subgraphs of the training graph that keep ``int((1 - dropout) |E|)`` edges.

    Degree-sensitive draws (the default) pick edges without replacement, each successive draw taking edge (u, i) with
    probability proportional to w = 1 / sqrt(d_u d_i) among the edges left (FREEDOM's ``torch.multinomial`` over the
    normalised edge values), so edges between popular users and items are the likeliest to go. The draw is done in
    one pass with the equivalent exponential race: every edge gets an arrival time Exp(1) / w, and the earliest
    arrivals are kept. A uniform draw (w = 1) keeps a subset of the edges chosen uniformly at random.

    Args:
        train: binary CSR [n_users, n_items] of training interactions.
        dropout: fraction of edges to drop, in [0, 1).
        seed: seeds the sampler's generator.
    """

    def __init__(self, train: sp.spmatrix, dropout: float, seed: int) -> None:
        graph = sp.csr_matrix(train > 0, dtype=np.float32)
        graph.sort_indices()
        self.shape = graph.shape
        self.users = np.repeat(np.arange(graph.shape[0]), np.diff(graph.indptr))
        self.items = graph.indices
        user_degree, item_degree = np.diff(graph.indptr), np.bincount(graph.indices, minlength=graph.shape[1])
        self.inverse_weights = np.sqrt(user_degree[self.users] * item_degree[self.items].astype(np.float64))
        self.keep = int(graph.nnz * (1.0 - dropout))
        self.rng = np.random.default_rng(seed)

    def sample(self, uniform: bool = False) -> sp.csr_matrix:
        """A fresh subgraph normalised as LightGCN's R_hat over its own degrees: float32 CSR [n_users, n_items].

        With ``uniform`` every edge is equally likely to be kept.
        """
        arrivals = self.rng.standard_exponential(len(self.inverse_weights))
        if not uniform:
            arrivals *= self.inverse_weights
        mask = np.zeros(len(arrivals), dtype=bool)
        mask[np.argpartition(arrivals, self.keep - 1)[: self.keep]] = True
        users, items = self.users[mask], self.items[mask]
        user_degree = np.bincount(users, minlength=self.shape[0])
        item_degree = np.bincount(items, minlength=self.shape[1])
        values = 1.0 / np.sqrt((user_degree[users] * item_degree[items]).astype(np.float32))
        indptr = np.concatenate([[0], np.cumsum(user_degree)])
        return sp.csr_matrix((values, items, indptr), shape=self.shape)
