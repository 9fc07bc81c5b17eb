"""``preference_gated`` fusion: SMORE's fuser, modal views attended by the last view and gated by behaviour."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Fusion
from mmsearch.search.params import ChoiceParam, Param


class PreferenceGatedFusion(Fusion):
    """fused = C + mean(p_1 a_1 V_1, ..., p_M a_M V_M, p_L L) for the views [C, V_1, ..., V_M, L] (element-wise).

    C is the behaviour view (first) and L the last view, the ``spectral`` timing's cross-modal view. a_m =
    softmax over the features of Q_m(L), Q_m = Linear -> tanh -> Linear without bias (the cross-modal view's query
    of modality m); p_v = sigmoid(P_v C + b_v), the behaviour's preference gate of each view, dropped out at rate
    ``dropout`` while training. This is SMORE's modality-aware preference fuser (Ong & Khong, WSDM 2025), whose
    side representation is fused - C. With one view, fused = C; with two, fused = C + p_L L. Widths stay ``dim``;
    weights are Xavier-uniform with zero biases.

    Args:
        dropout: dropout rate of the preference gates.
    """

    name = "preference_gated"

    def __init__(self, *, dropout: float = 0.0) -> None:
        self.dropout = dropout

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"dropout": ChoiceParam((0.0, 0.1))}

    def out_dim(self, n_views: int, dim: int) -> int:
        return dim

    def build(self, ctx: BuildContext, n_views: int, dim: int) -> nn.Module:
        return _PreferenceGated(max(n_views - 2, 0), max(n_views - 1, 0), dim, self.dropout).to(ctx.device)


def _linear(dim: int, bias: bool = True) -> nn.Linear:
    layer = nn.Linear(dim, dim, bias=bias)
    nn.init.xavier_uniform_(layer.weight)
    if bias:
        nn.init.zeros_(layer.bias)
    return layer


class _PreferenceGated(nn.Module):
    def __init__(self, n_attended: int, n_gated: int, dim: int, dropout: float) -> None:
        super().__init__()
        self.queries = nn.ModuleList(
            nn.Sequential(_linear(dim), nn.Tanh(), _linear(dim, bias=False)) for _ in range(n_attended)
        )
        self.preferences = nn.ModuleList(_linear(dim) for _ in range(n_gated))
        self.dropout = dropout

    def forward(self, views: list[torch.Tensor]) -> torch.Tensor:
        behaviour, others = views[0], views[1:]
        if not others:
            return behaviour
        last = others[-1]
        attended = [torch.softmax(query(last), dim=-1) * view for query, view in zip(self.queries, others[:-1])]
        parts = [
            functional.dropout(torch.sigmoid(preference(behaviour)), self.dropout, self.training) * view
            for preference, view in zip(self.preferences, [*attended, last])
        ]
        return behaviour + torch.stack(parts).mean(dim=0)
