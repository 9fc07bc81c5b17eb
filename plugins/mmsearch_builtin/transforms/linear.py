"""The ``linear`` modal transform: a learned projection of modal features to the embedding width."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Transform


class LinearTransform(Transform):
    """``view = (features + delta) @ W + b`` with W [in_dim, d], Xavier-initialised (VBPR's projection ``E f_i``).

    With ``tune_features`` the per-item offsets delta [n_items, in_dim] are learned from zero, so the features
    themselves are trained starting from their extracted values (FREEDOM and MGCN keep their feature embeddings
    unfrozen; under Adam, training f + delta from delta = 0 takes the same steps as training f). Otherwise delta = 0
    and the features stay fixed.

    Args:
        tune_features: learn the offsets delta.
    """

    name = "linear"

    def __init__(self, *, tune_features: bool = False) -> None:
        self.tune_features = tune_features

    def build(self, ctx: BuildContext, in_dim: int) -> nn.Module:
        return FeatureProjection(ctx.n_items, in_dim, ctx.embedding_dim, self.tune_features).to(ctx.device)


class FeatureProjection(nn.Linear):
    """features [n_items, in_dim] -> (features + delta) @ W + b [n_items, out_dim]; delta learned when ``tune``."""

    def __init__(self, n_items: int, in_dim: int, out_dim: int, tune: bool) -> None:
        super().__init__(in_dim, out_dim)
        nn.init.xavier_uniform_(self.weight)
        nn.init.zeros_(self.bias)
        self.offsets = nn.Parameter(torch.zeros(n_items, in_dim)) if tune else None

    def forward(self, features: torch.Tensor, item_ids: torch.Tensor | None = None) -> torch.Tensor:
        return super().forward(features if self.offsets is None else features + self.offsets)
