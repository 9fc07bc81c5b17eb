"""The training objective of one trial: the primary loss on the batch's scores plus any auxiliary losses."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import RepresentationLoss, Representations, TrainingBatch


class TrainingObjective(nn.Module):
    """Sum of the primary loss and the auxiliary losses (each already weighted by its own parameters).

    Args:
        primary: module (pos_scores [B], neg_scores [B]) -> scalar, or a ``RepresentationLoss``.
        auxiliaries: name -> ``AuxiliaryModule``.
    """

    def __init__(self, primary: nn.Module, auxiliaries: nn.ModuleDict) -> None:
        super().__init__()
        self.primary = primary
        self.auxiliaries = auxiliaries

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if isinstance(self.primary, RepresentationLoss):
            total = self.primary(representations, batch)
        else:
            total = self.primary(*representations.triple_scores(batch.users, batch.positives, batch.negatives))
        for auxiliary in self.auxiliaries.values():
            total = total + auxiliary(representations, batch)
        return total
