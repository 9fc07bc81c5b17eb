"""Stochastic feature perturbations that turn one representation into a contrastive view."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional

Perturbation = Callable[[torch.Tensor, float, torch.Generator], torch.Tensor]


def feature_dropout(features: torch.Tensor, rate: float, generator: torch.Generator) -> torch.Tensor:
    """Inverted dropout: each entry of [n, d] is zeroed with probability p = ``rate`` < 1, the others scaled by
    1 / (1 - p).
    """
    keep = torch.rand(features.shape, generator=generator, device=features.device) >= rate
    return features * keep / (1.0 - rate)


def feature_noise(features: torch.Tensor, rate: float, generator: torch.Generator) -> torch.Tensor:
    """x_i + p ||x_i|| g_i / ||g_i|| with g_i ~ N(0, I): noise of norm p = ``rate`` times the row's norm, uniform
    direction (SimGCL's relative-magnitude noise), [n, d] -> [n, d]. The noise carries no gradient.
    """
    direction = functional.normalize(torch.randn(features.shape, generator=generator, device=features.device), dim=-1)
    return features + rate * features.detach().norm(dim=-1, keepdim=True) * direction


PERTURBATIONS: dict[str, Perturbation] = {"dropout": feature_dropout, "noise": feature_noise}
