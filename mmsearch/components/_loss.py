"""Primary loss: the supervised objective on sampled (user, positive, negative) triples, or a negative-free one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import torch
from torch import nn

from ._auxiliary import TrainingBatch
from ._component import Component
from .context import BuildContext
from .representations import Representations


class RepresentationLoss(nn.Module, ABC):
    """A primary loss computed from the representations of the batch's users and positive items, without scores of
    negatives (a negative-free objective such as BM3's); the batch's negatives are left unused."""

    @abstractmethod
    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        """The scalar loss to minimise for this batch."""


class Loss(Component):
    """Contract: ``build`` returns either a module whose forward maps (pos_scores [B], neg_scores [B]) to a scalar
    loss to minimise (pairwise losses compare the two; pointwise losses treat positives as 1 and negatives as 0), or
    a ``RepresentationLoss``.

    ``head`` may return a module [n, D] -> [n, D] that the model applies to its final user and item representations
    before scoring (BM3's predictor); the model owns and trains it, and ``Representations`` then also carry the
    representations before it (``source``) and the head applied to each modal item view (``head_views``). Such a
    head is ``ctx.embedding_dim`` wide, so the loss sets ``needs_embedding_width``: a space draws it only with a
    fusion that keeps the width.
    """

    kind: ClassVar[str] = "loss"
    needs_embedding_width: ClassVar[bool] = False

    @abstractmethod
    def build(self, ctx: BuildContext) -> nn.Module:
        """A fresh loss module."""

    def head(self, ctx: BuildContext) -> nn.Module | None:
        """A fresh scoring head on ``ctx.device``, or None (scores are plain dot products of the representations)."""
        return None
