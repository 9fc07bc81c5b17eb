"""``behaviour_aware`` fusion: MGCN's fuser, modal views split into a common and specific parts gated by behaviour."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Fusion

from ._attention import EntityViewAttention


class BehaviourAwareFusion(Fusion):
    """fused = C + (sum_m s_m + common) / (n + 1) for the behaviour view C = views[0] and modal views M_1..M_n.

    common = sum_m a_m M_m with a = softmax_m(q^T tanh(W M_m + b)) shared by the modalities (the per-entity view
    attention of the attentive fusions, which is MGCN's); s_m = sigmoid(W_m C + b_m) * (M_m - common), the
    modality-specific part gated by the behaviour (MGCN's behaviour-aware fuser, Yu et al., 2023, whose ``side`` is
    fused - C). With one view, fused = C. Widths stay ``dim``.
    """

    name = "behaviour_aware"

    def out_dim(self, n_views: int, dim: int) -> int:
        return dim

    def build(self, ctx: BuildContext, n_views: int, dim: int) -> nn.Module:
        return _BehaviourAware(n_views - 1, dim).to(ctx.device)


class _BehaviourAware(nn.Module):
    def __init__(self, n_modal: int, dim: int) -> None:
        super().__init__()
        self.attention = EntityViewAttention(dim)
        self.preferences = nn.ModuleList(nn.Linear(dim, dim) for _ in range(n_modal))
        for layer in self.preferences:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, views: list[torch.Tensor]) -> torch.Tensor:
        behaviour, modal = views[0], views[1:]
        if not modal:
            return behaviour
        stacked = torch.stack(modal)
        common = (self.attention(stacked) * stacked).sum(dim=0)
        specific = sum(
            torch.sigmoid(preference(behaviour)) * (view - common) for preference, view in zip(self.preferences, modal)
        )
        return behaviour + (specific + common) / (len(modal) + 1)
