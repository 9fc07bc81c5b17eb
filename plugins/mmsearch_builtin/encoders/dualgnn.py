"""The ``dualgnn`` encoder: LightGCN plus a user-user co-occurrence graph aggregation (DualGNN, Wang et al. 2021)."""

from __future__ import annotations

import scipy.sparse as sp
import torch
from torch import nn

from mmsearch.components import BuildContext, Encoder
from mmsearch.model.cooccurrence import softmax_user_graph
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import FloatParam, IntParam, Param

from .lightgcn import LightGCNPropagation, normalized_interactions


class DualGNNEncoder(Encoder):
    """users, items -> (U' + user_weight * G U', I') with (U', I') = LightGCN(users, items).

    G is the user co-occurrence graph: row u keeps the k users sharing the most training items with u (built sparse,
    in user chunks), weighted by the softmax of those counts over the row (DualGNN's ``softmax`` user aggregation, so
    every row with neighbours sums to 1). Users sharing no item with anybody are left as LightGCN made them.

    Differs from DualGNN: the paper aggregates its fused modal user representations; here G aggregates the encoder's
    LightGCN output (the ID or one modal view under late fusion, the fused view under early fusion). DualGNN's released
    code pads users with fewer than k co-occurring users by repeating random ones; here they keep the ones they have.
    The mixing weight is searchable (DualGNN adds with weight 1). Items are untouched.

    Args:
        n_layers: LightGCN layers on the user-item graph.
        k: neighbours per user.
        user_weight: weight of the user-graph aggregation.
    """

    name = "dualgnn"

    def __init__(self, *, n_layers: int = 2, k: int = 40, user_weight: float = 1.0) -> None:
        self.n_layers = n_layers
        self.k = k
        self.user_weight = user_weight

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "n_layers": IntParam(1, 3),
            "k": IntParam(5, 60, log=True),
            "user_weight": FloatParam(0.0, 1.0),
        }

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        interactions = SparseOperator(normalized_interactions(ctx.train), ctx.device)
        user_graph = SparseOperator(self.user_graph(ctx), ctx.device)
        return _DualGNN(LightGCNPropagation(interactions, self.n_layers), user_graph, self.user_weight)

    def user_graph(self, ctx: BuildContext) -> sp.csr_matrix:
        """The row-softmax-normalised top-k co-occurrence graph G, float32 CSR [n_users, n_users]."""
        return softmax_user_graph(ctx.train, self.k)


class _DualGNN(nn.Module):
    def __init__(self, propagation: LightGCNPropagation, user_graph: SparseOperator, user_weight: float) -> None:
        super().__init__()
        self.propagation = propagation
        self.user_graph = user_graph
        self.user_weight = user_weight

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out_users, out_items = self.propagation(users, items)
        return out_users + self.user_weight * (self.user_graph @ out_users), out_items
