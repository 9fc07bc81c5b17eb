"""``side_infonce``: InfoNCE between the behaviour stream and what the modal streams add to it (MGCN)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.search.params import FloatParam, Param

from ._contrast import info_nce


class SideInfoNCEAuxiliary(AuxiliaryLoss):
    """weight * [InfoNCE(side_u[users], C_u[users]) + InfoNCE(side_i[positives], C_i[positives])], side = final - C.

    C is the encoded ID stream a ``keeps_behaviour`` timing reports (``Representations.behaviour``), side what fusion
    adds to it (MGCN's ``side_embeds`` under its behaviour-aware fuser, where final = C + side). Each InfoNCE runs
    one way over the batch's rows (duplicates included, as MGCN's), in-batch negatives, cosine / ``temperature``.
    MGCN searches the weight in {0.001, 0.01, 0.1} at temperature 0.2.

    A space draws this loss only with a timing that keeps the behaviour stream and a fusion that keeps the width;
    elsewhere the first batch fails with a message naming what is missing.

    Args:
        weight: multiplier of the term.
        temperature: InfoNCE temperature.
    """

    name = "side_infonce"
    needs_modalities = True
    needs_behaviour = True

    def __init__(self, *, weight: float = 0.01, temperature: float = 0.2) -> None:
        self.weight = weight
        self.temperature = temperature

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"weight": FloatParam(1e-3, 1e-1, log=True), "temperature": FloatParam(0.05, 1.0, log=True)}

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        return _SideInfoNCE(self.weight, self.temperature)


class _SideInfoNCE(AuxiliaryModule):
    def __init__(self, weight: float, temperature: float) -> None:
        super().__init__()
        self.weight = weight
        self.temperature = temperature

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if representations.behaviour is None:
            raise ValueError(
                "side_infonce: the timing keeps no behaviour stream (use two_stream, or late with the ID view)"
            )
        behaviour_users, behaviour_items = representations.behaviour
        if behaviour_users.shape[1] != representations.users.shape[1]:
            raise ValueError(
                f"side_infonce: the fused width {representations.users.shape[1]} differs from the behaviour width "
                f"{behaviour_users.shape[1]} (use a fusion that keeps the width)"
            )
        terms = {}
        for name, final, behaviour, rows in (
            ("users", representations.users, behaviour_users, batch.users),
            ("items", representations.items, behaviour_items, batch.positives),
        ):
            behaviour_rows = behaviour.index_select(0, rows)
            terms[name] = info_nce(final.index_select(0, rows) - behaviour_rows, behaviour_rows, self.temperature)
        self.last_terms = {name: term.item() for name, term in terms.items()}
        return self.weight * (terms["users"] + terms["items"])
