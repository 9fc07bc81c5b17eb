"""``behaviour_aware`` fusion: MGCN's fuser, modal views split into a common and specific parts gated by behaviour."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Fusion


class BehaviourAwareFusion(Fusion):
    """fused = C + (sum_m s_m + common) / (n + 1) for the behaviour view C = views[0] and modal views M_1..M_n.

    common = sum_m a_m M_m with a = softmax_m(q(M_m)), q = Linear(d, d) -> tanh -> Linear(d, 1, no bias) shared by
    the modalities (attention per row); s_m = sigmoid(W_m C + b_m) * (M_m - common), the modality-specific part
    gated by the behaviour (MGCN's behaviour-aware fuser, Yu et al., 2023, whose ``side`` is fused - C). With one
    view, fused = C. Widths stay ``dim``.
    """

    name = "behaviour_aware"

    def out_dim(self, n_views: int, dim: int) -> int:
        return dim

    def build(self, ctx: BuildContext, n_views: int, dim: int) -> nn.Module:
        return _BehaviourAware(n_views - 1, dim).to(ctx.device)


class _BehaviourAware(nn.Module):
    def __init__(self, n_modal: int, dim: int) -> None:
        super().__init__()
        self.query = nn.Sequential(nn.Linear(dim, dim), nn.Tanh(), nn.Linear(dim, 1, bias=False))
        self.preferences = nn.ModuleList(nn.Linear(dim, dim) for _ in range(n_modal))
        for layer in [self.query[0], self.query[2], *self.preferences]:
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)

    def forward(self, views: list[torch.Tensor]) -> torch.Tensor:
        behaviour, modal = views[0], views[1:]
        if not modal:
            return behaviour
        stacked = torch.stack(modal, dim=1)
        attention = torch.softmax(self.query(stacked), dim=1)
        common = (attention * stacked).sum(dim=1)
        specific = sum(
            torch.sigmoid(preference(behaviour)) * (view - common) for preference, view in zip(self.preferences, modal)
        )
        return behaviour + (specific + common) / (len(modal) + 1)
