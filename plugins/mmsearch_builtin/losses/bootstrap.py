"""``bootstrap`` loss: BM3's negative-free objective, online views predicting dropped-out targets."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Loss, RepresentationLoss, Representations, TrainingBatch
from mmsearch.search.params import ChoiceParam, FloatParam, Param


class BootstrapLoss(Loss):
    """BM3 (Zhou et al., WWW 2023): no negatives; a predictor P (the scoring head, Linear d -> d, Xavier-normal
    weight) maps representations to their online views, and targets are dropped-out, gradient-stopped copies.

    With u, i the final representations before P (``Representations.source``) of the batch's users and positive
    items, h_m their modal views (the transform's outputs) and drop() dropout at rate ``dropout``:

        loss = [1 - cos(P u, sg drop(i))] + [1 - cos(P i, sg drop(u))]
             + cl_weight * sum_m ([1 - cos(P h_m, sg drop(i))] + [1 - cos(P h_m, sg drop(h_m))])
             + norm_weight * (||U||_F + ||I||_F) / n_items

    each bracket averaged over the batch, U and I the whole (unsquared Frobenius) user and item matrices before P
    (BM3's embedding penalty). Scores are (P u) . (P i).

    Args:
        dropout: dropout rate of the targets.
        cl_weight: weight of the modal terms.
        norm_weight: weight of the norm penalty.
    """

    name = "bootstrap"
    needs_embedding_width = True

    def __init__(self, *, dropout: float = 0.3, cl_weight: float = 2.0, norm_weight: float = 0.1) -> None:
        self.dropout = dropout
        self.cl_weight = cl_weight
        self.norm_weight = norm_weight

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "dropout": ChoiceParam((0.3, 0.5)),
            "cl_weight": FloatParam(0.1, 10.0, log=True),
            "norm_weight": ChoiceParam((0.01, 0.1)),
        }

    def build(self, ctx: BuildContext) -> nn.Module:
        return _Bootstrap(self.dropout, self.cl_weight, self.norm_weight)

    def head(self, ctx: BuildContext) -> nn.Module:
        return _Predictor(ctx.embedding_dim).to(ctx.device)


class _Predictor(nn.Linear):
    """BM3's predictor P, [n, dim] -> [n, dim] (Xavier-normal weight); wider input is refused in one line."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim, dim)
        nn.init.xavier_normal_(self.weight)

    def forward(self, representations: torch.Tensor) -> torch.Tensor:
        if representations.shape[-1] != self.in_features:
            raise ValueError(
                f"bootstrap: the predictor is {self.in_features} wide but the representations are "
                f"{representations.shape[-1]} wide (use a fusion that keeps the width)"
            )
        return super().forward(representations)


def _distance(online: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 - mean cosine of aligned rows [B, d] x [B, d], the target taken as a constant."""
    return 1 - functional.cosine_similarity(online, target.detach(), dim=-1).mean()


class _Bootstrap(RepresentationLoss):
    def __init__(self, dropout: float, cl_weight: float, norm_weight: float) -> None:
        super().__init__()
        self.dropout = dropout
        self.cl_weight = cl_weight
        self.norm_weight = norm_weight

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if representations.source is None:
            raise ValueError("bootstrap: the representations carry no source before the predictor head")
        users, items = representations.source
        with torch.no_grad():
            user_targets = functional.dropout(users.index_select(0, batch.users), self.dropout)
            item_targets = functional.dropout(items.index_select(0, batch.positives), self.dropout)
        online_users = representations.users.index_select(0, batch.users)
        online_items = representations.items.index_select(0, batch.positives)
        loss = _distance(online_users, item_targets) + _distance(online_items, user_targets)
        for modality, predicted in representations.head_views.items():
            online = predicted.index_select(0, batch.positives)
            with torch.no_grad():
                view = representations.item_views[modality].index_select(0, batch.positives)
                view_targets = functional.dropout(view, self.dropout)
            loss = loss + self.cl_weight * (_distance(online, item_targets) + _distance(online, view_targets))
        if self.norm_weight:
            loss = loss + self.norm_weight * (users.norm() + items.norm()) / len(items)
        return loss
