"""``early`` fusion timing (survey eq. 15): fuse the item views first, then encode once."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from mmsearch.components import BuildContext, Encoder, Fusion, FusionTiming, TimingModule, TimingOutput


class EarlyFusionTiming(FusionTiming):
    """items = Encoder(users, Fusion(id, modality_1, ...)); one user embedding of the fused width."""

    name = "early"

    def build(self, ctx: BuildContext, views: Sequence[str], encoder: Encoder, fusion: Fusion) -> TimingModule:
        fused_dim = fusion.out_dim(len(views), ctx.embedding_dim)
        return _Early(
            user_embedding=_xavier_embedding(ctx.n_users, fused_dim),
            fusion=fusion.build(ctx, len(views), ctx.embedding_dim),
            encoder=encoder.build(ctx, fused_dim),
        ).to(ctx.device)


class _Early(TimingModule):
    def __init__(self, user_embedding: nn.Embedding, fusion: nn.Module, encoder: nn.Module) -> None:
        super().__init__()
        self.user_embedding = user_embedding
        self.fusion = fusion
        self.encoder = encoder

    def forward(self, item_views: dict[str, torch.Tensor]) -> TimingOutput:
        fused = self.fusion(list(item_views.values()))
        return TimingOutput(*self.encoder(self.user_embedding.weight, fused))

    def user_ego(self, users: torch.Tensor) -> torch.Tensor:
        return self.user_embedding(users)


def _xavier_embedding(rows: int, dim: int) -> nn.Embedding:
    embedding = nn.Embedding(rows, dim)
    nn.init.xavier_uniform_(embedding.weight)
    return embedding
