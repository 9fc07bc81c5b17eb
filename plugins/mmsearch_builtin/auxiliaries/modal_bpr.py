"""``modal_bpr``: each modal item view ranks the batch's items for the final user representation (FREEDOM)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.search.params import FloatParam, Param

from ..losses.bpr import BPRLoss


class ModalBPRAuxiliary(AuxiliaryLoss):
    """weight * sum over modalities m of BPR(user_m(u) . h_m(i+), user_m(u) . h_m(i-)) on the batch's triples.

    h_m [n_items, d] is modality m's item view (the transform's output; FREEDOM's ``Linear_m(f_m)``); user_m the final
    user representation [n_users, D] when D = d (FREEDOM, where the scores come from the ID view), else, when the
    fusion concatenates the views (D = n_views * d), the block of the user vector that faces view m. FREEDOM's loss
    is BPR + lambda (BPR_image + BPR_text) with lambda in {0, 1e-5, 1e-4, 1e-3}.

    Args:
        weight: lambda.
    """

    name = "modal_bpr"
    needs_modalities = True

    def __init__(self, *, weight: float = 1e-4) -> None:
        self.weight = weight

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"weight": FloatParam(1e-5, 1e-1, log=True)}

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        return _ModalBPR(self.weight, list(views), BPRLoss().build(ctx))


class _ModalBPR(AuxiliaryModule):
    def __init__(self, weight: float, views: list[str], bpr: nn.Module) -> None:
        super().__init__()
        self.weight = weight
        self.views = views
        self.bpr = bpr

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        users = representations.users.index_select(0, batch.users)
        total = users.new_zeros(())
        for position, view in enumerate(self.views):
            if view == "id":
                continue
            items = representations.item_views[view]
            width = items.shape[1]
            if users.shape[1] == width:
                facing = users
            elif users.shape[1] == len(self.views) * width:
                facing = users[:, position * width : (position + 1) * width]
            else:
                raise ValueError(
                    f"modal_bpr: user width {users.shape[1]} is neither the view width {width} nor "
                    f"{len(self.views)} x {width} (a concatenation of the views)"
                )
            positives, negatives = items.index_select(0, batch.positives), items.index_select(0, batch.negatives)
            term = self.bpr((facing * positives).sum(-1), (facing * negatives).sum(-1))
            self.last_terms[view] = term.item()
            total = total + term
        return self.weight * total
