"""``id_view`` fusion: the ID view alone enters the scores (FREEDOM: modalities act through graphs and losses)."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Fusion


class IDViewFusion(Fusion):
    """fused = the first view (``id``, which every timing passes first); the modal views are left out of the scores.

    The modalities then reach the model only through structure built from their features (an ``item_knn`` or
    ``lattice`` item graph) and through auxiliary losses on the modal views (``modal_bpr``, ``sand``), as in
    FREEDOM (Zhou & Shen, 2023). Widths stay ``dim``.
    """

    name = "id_view"
    first_view_only = True

    def out_dim(self, n_views: int, dim: int) -> int:
        return dim

    def build(self, ctx: BuildContext, n_views: int, dim: int) -> nn.Module:
        return _First()


class _First(nn.Module):
    def forward(self, views: list[torch.Tensor]) -> torch.Tensor:
        return views[0]
