"""Auxiliary (self-supervised) losses: extra objectives added to the primary loss, zero or more per trial."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from ._component import Component
from .context import BuildContext
from .representations import Representations


@dataclass(frozen=True)
class TrainingBatch:
    """One batch of sampled triples: LongTensors users [B], positives [B], negatives [B] on the device."""

    users: torch.Tensor
    positives: torch.Tensor
    negatives: torch.Tensor


class AuxiliaryModule(nn.Module, ABC):
    """Built by an ``AuxiliaryLoss``; its parameters are trained with the model's.

    Attributes:
        last_terms: the unweighted value of each named term at the last forward (for inspection and tests).
    """

    def __init__(self) -> None:
        super().__init__()
        self.last_terms: dict[str, float] = {}

    @abstractmethod
    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        """The weighted auxiliary loss (a scalar to minimise) for this batch."""


class AuxiliaryLoss(Component):
    """Contract: ``build(ctx, views)`` returns an ``AuxiliaryModule`` for the model's ordered view names (``id``
    first, then the used modalities). A module that keeps its own optimiser (e.g. a variational estimator) steps it
    inside ``forward`` on detached inputs.

    ``needs_behaviour`` is True for a loss that reads ``Representations.behaviour`` and compares it with the final
    representations: it needs a timing that ``keeps_behaviour`` and a fusion that keeps the width, and a space draws
    it only with those. ``needs_hyper_views`` is True for a loss that reads ``Representations.hyper_views``: a space
    draws it only with a timing that ``gives_hyper_views``.
    """

    kind: ClassVar[str] = "auxiliary"
    needs_behaviour: ClassVar[bool] = False
    needs_hyper_views: ClassVar[bool] = False

    @abstractmethod
    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        """A fresh module on ``ctx.device``."""
