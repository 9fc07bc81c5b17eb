"""Reference encoder and fusion that the timing checks hand to the timing under test; each remembers its modules."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Encoder, Fusion


class ReferenceEncoder(Encoder):
    """Partner of the timing checks: both sides times one learned scalar; remembers the modules it built."""

    name = "contract_reference"

    def __init__(self) -> None:
        self.built: list[nn.Module] = []

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        self.built.append(_Scale(ctx.device))
        return self.built[-1]


class ReferenceFusion(Fusion):
    """Partner of the timing checks: views times learned weights, summed or concatenated; remembers its modules."""

    name = "contract_reference"

    def __init__(self, *, concat: bool = False) -> None:
        self.concat = concat
        self.built: list[nn.Module] = []

    def out_dim(self, n_views: int, dim: int) -> int:
        return n_views * dim if self.concat else dim

    def build(self, ctx: BuildContext, n_views: int, dim: int) -> nn.Module:
        self.built.append(_Weighted(n_views, self.concat, ctx.device))
        return self.built[-1]


class _Scale(nn.Module):
    def __init__(self, device: torch.device) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones((), device=device))

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.scale * users, self.scale * items


class _Weighted(nn.Module):
    def __init__(self, n_views: int, concat: bool, device: torch.device) -> None:
        super().__init__()
        self.weights = nn.Parameter(torch.ones(n_views, device=device))
        self.concat = concat

    def forward(self, views: list[torch.Tensor]) -> torch.Tensor:
        weighted = [weight * view for weight, view in zip(self.weights, views)]
        return torch.cat(weighted, dim=-1) if self.concat else torch.stack(weighted).sum(dim=0)
