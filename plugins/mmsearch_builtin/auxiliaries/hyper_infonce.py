"""``hyper_infonce``: InfoNCE between the modalities' global hypergraph embeddings of users and items (LGMRec)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import torch

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.search.params import FloatParam, Param

from ._contrast import info_nce_over_table


class HyperInfoNCEAuxiliary(AuxiliaryLoss):
    """weight * sum over modality pairs (a, b), a before b, of
    sum_u InfoNCE(G_a,u[u] among all G_b,u) + sum_i InfoNCE(G_a,i[i] among all G_b,i).

    G_m are modality m's global (hypergraph) embeddings of users and items (``Representations.hyper_views``, given by
    the ``local_global`` timing); u runs over the batch's users and i over its positive items, each anchor's positive
    being the same user's or item's row of the other modality, its negatives every other user or item (cosine /
    ``temperature``). The terms are summed over the batch, as LGMRec's code does (weight 1e-4, temperature 0.2).
    With fewer than two modalities the loss is 0.

    A space draws this loss only with a timing that gives hypergraph views; elsewhere the first batch fails with a
    message naming what is missing.

    Args:
        weight: multiplier of the term.
        temperature: InfoNCE temperature.
    """

    name = "hyper_infonce"
    needs_modalities = True
    needs_hyper_views = True

    def __init__(self, *, weight: float = 1e-4, temperature: float = 0.2) -> None:
        self.weight = weight
        self.temperature = temperature

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"weight": FloatParam(1e-5, 1e-2, log=True), "temperature": FloatParam(0.05, 1.0, log=True)}

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        return _HyperInfoNCE(self.weight, self.temperature, [view for view in views if view != "id"])


class _HyperInfoNCE(AuxiliaryModule):
    def __init__(self, weight: float, temperature: float, modalities: list[str]) -> None:
        super().__init__()
        self.weight = weight
        self.temperature = temperature
        self.modalities = modalities

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        views = representations.hyper_views
        missing = [m for m in self.modalities if m not in views]
        if len(self.modalities) > 1 and missing:
            raise ValueError(
                f"hyper_infonce: the timing gives no hypergraph views of {', '.join(missing)} (use local_global)"
            )
        total = representations.users.new_zeros(())
        for first, second in combinations(self.modalities, 2):
            for side, rows in ((0, batch.users), (1, batch.positives)):
                anchors = views[first][side].index_select(0, rows)
                term = info_nce_over_table(anchors, views[second][side], rows, self.temperature).sum()
                self.last_terms[f"{first}-{second} {('users', 'items')[side]}"] = term.item()
                total = total + term
        return self.weight * total
