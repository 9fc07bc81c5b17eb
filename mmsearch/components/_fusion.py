"""Fusion strategy: combines several views of the same entities into one representation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import torch
from torch import nn

from ._component import Component
from .context import BuildContext


class WeightedFusionModule(nn.Module, ABC):
    """A fusion module with learned view weights; the study stores them after training for users to inspect."""

    @abstractmethod
    def view_weights(self) -> torch.Tensor:
        """Detached weight of each view, [n_views], summing to one, in the order the views are passed."""


class Fusion(Component):
    """Contract: ``build`` returns a module whose forward takes a list of ``n_views`` tensors [n, dim] (in a fixed view
    order) and returns one tensor [n, out_dim(n_views, dim)].

    ``first_view_only`` is True for a fusion that passes the first view (``id``) on and leaves the others out of the
    scores by design (modalities then act through graphs and auxiliary losses); every other fusion uses every view.
    """

    kind: ClassVar[str] = "fusion"
    first_view_only: ClassVar[bool] = False

    @abstractmethod
    def out_dim(self, n_views: int, dim: int) -> int:
        """Width of the fused representation."""

    @abstractmethod
    def build(self, ctx: BuildContext, n_views: int, dim: int) -> nn.Module:
        """A fresh fusion module."""
