"""Contrastive terms shared by auxiliary losses."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional

Estimator = Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]


def cosine_scores(anchors: torch.Tensor, positives: torch.Tensor, temperature: float) -> torch.Tensor:
    """Scores s_ij = cos(a_i, p_j) / t of every anchor row against every positive row: [B, d] x [B, d] -> [B, B]."""
    return (functional.normalize(anchors, dim=-1) / temperature) @ functional.normalize(positives, dim=-1).T


def info_nce(anchors: torch.Tensor, positives: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric-free InfoNCE with in-batch negatives: rows i of ``anchors`` and ``positives`` [B, d] are a pair.

    loss = mean_i -log( exp(cos(a_i, p_i)/t) / sum_j exp(cos(a_i, p_j)/t) ). The [B, B] part runs as one
    autograd node (``_UnitInfoNCE``) that keeps the softmax of the scores for its backward.
    """
    unit_anchors, unit_positives = functional.normalize(anchors, dim=-1), functional.normalize(positives, dim=-1)
    return _UnitInfoNCE.apply(unit_anchors, unit_positives, 1.0 / temperature)


class _UnitInfoNCE(torch.autograd.Function):
    """InfoNCE of unit rows a, p [B, d] at inverse temperature c: with S = softmax_j(c a_i . p_j), the gradients are
    c / B (S p - p) for a and c / B (S^T a - a) for p."""

    @staticmethod
    def forward(ctx, anchors, positives, inverse_temperature):  # type: ignore[override]
        scores = (anchors * inverse_temperature) @ positives.T
        shift = scores.amax(dim=1, keepdim=True)
        probabilities = scores.sub_(shift).exp_()
        totals = probabilities.sum(dim=1, keepdim=True)
        matched = (anchors * positives).sum(dim=-1) * inverse_temperature - shift.squeeze(1)
        ctx.save_for_backward(anchors, positives, probabilities.div_(totals))
        ctx.inverse_temperature = inverse_temperature
        return (totals.squeeze(1).log() - matched).mean()

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):  # type: ignore[override]
        anchors, positives, probabilities = ctx.saved_tensors
        scale = grad * ctx.inverse_temperature / len(anchors)
        grad_anchors = (probabilities @ positives).sub_(positives).mul_(scale)
        grad_positives = (probabilities.T @ anchors).sub_(anchors).mul_(scale)
        return grad_anchors, grad_positives, None


def info_nce_over_table(
    anchors: torch.Tensor, table: torch.Tensor, rows: torch.Tensor, temperature: float
) -> torch.Tensor:
    """InfoNCE of each anchor against every row of a table, its positive the table's row ``rows[i]``.

    anchors [B, d], table [n, d], rows LongTensor [B] -> losses [B], loss_i = -log softmax_j(cos(a_i, t_j) / t) at
    j = rows[i] (LGMRec's hypergraph contrast, whose negatives are all users or all items, not the batch's).
    """
    scores = cosine_scores(anchors, table, temperature)
    return torch.logsumexp(scores, dim=1) - scores.gather(1, rows[:, None]).squeeze(1)


def jensen_shannon(anchors: torch.Tensor, positives: torch.Tensor, temperature: float) -> torch.Tensor:
    """Jensen-Shannon contrastive loss (Deep InfoMax) with in-batch negatives; rows i of [B, d] inputs are a pair.

    With s_ij = cos(a_i, p_j) / t: loss = mean_{i != j} softplus(s_ij) + mean_i softplus(-s_ii), the negative of the
    JS mutual-information estimate. Without negatives (B = 1) the first mean is zero.
    """
    scores = cosine_scores(anchors, positives, temperature)
    matches = scores.diagonal()
    n_negatives = max(len(scores) * (len(scores) - 1), 1)
    negatives = (functional.softplus(scores).sum() - functional.softplus(matches).sum()) / n_negatives
    return negatives + functional.softplus(-matches).mean()


ESTIMATORS: dict[str, Estimator] = {"infonce": info_nce, "js": jensen_shannon}
