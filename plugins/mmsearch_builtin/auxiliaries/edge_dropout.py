"""``edge_dropout_cl``: structure-based contrast between two edge-dropped views of the user-item graph (SGL-ED)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import FloatParam, IntParam, Param

from ..encoders.lightgcn import LightGCNPropagation, normalized_interactions
from ._contrast import info_nce


class EdgeDropoutAuxiliary(AuxiliaryLoss):
    """weight * (InfoNCE(z'_U, z''_U) + InfoNCE(z'_I, z''_I)) between two edge-dropped graph views (Wu et al., 2021).

    Each view keeps every user-item training edge independently with probability 1 - p and normalises the kept
    graph as LightGCN does (R' = D_u^-1/2 R D_i^-1/2 over the kept edges). The model's final representations
    (users [n_users, D], items [n_items, D]) are propagated over each view with the LightGCN operator
    P' = (I + A' + ... + A'^K) / (K + 1), sparse, differentiable; U and I are the unique users and positive items of
    the batch, and the other rows of the batch are the negatives. Users carry no separate ID view in
    ``Representations``, so the final representations are the views' input (SGL propagates ID embeddings).

    The two dropped graphs are drawn on the host on the first step and then every ``resample_every`` steps (1: every
    step, as in SGL). A draw costs about one normalisation of the graph, small beside the two propagations and the two
    in-batch InfoNCE terms on the CPU; on a GPU, where those are fast, ``resample_every`` > 1 amortises it.

    Args:
        weight: multiplier of the term.
        temperature: InfoNCE temperature tau.
        drop_rate: p, the probability to drop an edge (below 1).
        n_layers: propagation layers K.
        resample_every: steps between two draws of the dropped graphs.
    """

    name = "edge_dropout_cl"

    def __init__(
        self,
        *,
        weight: float = 0.1,
        temperature: float = 0.2,
        drop_rate: float = 0.1,
        n_layers: int = 2,
        resample_every: int = 1,
    ) -> None:
        self.weight = weight
        self.temperature = temperature
        self.drop_rate = drop_rate
        self.n_layers = n_layers
        self.resample_every = resample_every

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "weight": FloatParam(1e-3, 1.0, log=True),
            "temperature": FloatParam(0.05, 1.0, log=True),
            "drop_rate": FloatParam(0.05, 0.5),
            "n_layers": IntParam(1, 3),
        }

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        if not 0.0 <= self.drop_rate < 1.0:
            raise ValueError(f"{self.name}: drop_rate must lie in [0, 1), got {self.drop_rate}")
        if self.resample_every < 1 or self.n_layers < 1:
            raise ValueError(f"{self.name}: resample_every and n_layers must be at least 1")
        return _EdgeDropout(self, ctx)


def drop_edges(interactions: sp.csr_matrix, rate: float, rng: np.random.Generator) -> sp.csr_matrix:
    """The binary CSR ``interactions`` [n_users, n_items] with each edge dropped independently with probability
    ``rate``; dropped edges are stored zeros (``normalized_interactions`` ignores them).
    """
    keep = (rng.random(interactions.nnz) >= rate).astype(np.float32)
    return sp.csr_matrix((keep, interactions.indices, interactions.indptr), shape=interactions.shape)


class _EdgeDropout(AuxiliaryModule):
    def __init__(self, settings: EdgeDropoutAuxiliary, ctx: BuildContext) -> None:
        super().__init__()
        self.settings = settings
        self.device = ctx.device
        self.interactions = sp.csr_matrix(ctx.train > 0, dtype=np.float32)
        self.rng = np.random.default_rng(ctx.seed)
        self.step = 0
        self.views: list[LightGCNPropagation] = []

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        settings = self.settings
        if self.step % settings.resample_every == 0:
            self.views = [self._draw_view() for _ in range(2)]
        self.step += 1
        (users_a, items_a), (users_b, items_b) = (
            view(representations.users, representations.items) for view in self.views
        )
        users, items = torch.unique(batch.users), torch.unique(batch.positives)
        user_term = info_nce(users_a.index_select(0, users), users_b.index_select(0, users), settings.temperature)
        item_term = info_nce(items_a.index_select(0, items), items_b.index_select(0, items), settings.temperature)
        self.last_terms = {"users": user_term.item(), "items": item_term.item()}
        return settings.weight * (user_term + item_term)

    def _draw_view(self) -> LightGCNPropagation:
        graph = normalized_interactions(drop_edges(self.interactions, self.settings.drop_rate, self.rng))
        return LightGCNPropagation(SparseOperator(graph, self.device), self.settings.n_layers)
