"""Contrastive terms shared by auxiliary losses."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional

Estimator = Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]


def cosine_scores(anchors: torch.Tensor, positives: torch.Tensor, temperature: float) -> torch.Tensor:
    """Scores s_ij = cos(a_i, p_j) / t of every anchor row against every positive row: [B, d] x [B, d] -> [B, B]."""
    return functional.normalize(anchors, dim=-1) @ functional.normalize(positives, dim=-1).T / temperature


def info_nce(anchors: torch.Tensor, positives: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric-free InfoNCE with in-batch negatives: rows i of ``anchors`` and ``positives`` [B, d] are a pair.

    loss = mean_i -log( exp(cos(a_i, p_i)/t) / sum_j exp(cos(a_i, p_j)/t) ).
    """
    logits = cosine_scores(anchors, positives, temperature)
    return functional.cross_entropy(logits, torch.arange(len(anchors), device=anchors.device))


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
