"""``feature_cl``: feature-based contrast between the item views of a model and between perturbed copies of them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.search.params import ChoiceParam, FloatParam, Param

from ._contrast import ESTIMATORS, Estimator
from ._perturb import PERTURBATIONS, Perturbation

VIEWS = ("modal", "perturbed", "both")
PAIRS = ("modal_id", "all")


class FeatureContrastAuxiliary(AuxiliaryLoss):
    """weight * (modal term + perturbed term), each a contrastive estimator over the batch's positive items.

    The views are the item representations before fusion (``id`` and each modality after its transform), restricted
    to the unique positive items of the batch, [B, d]; the other items of the batch are the negatives.

    - modal term: mean over view pairs of est(h_a, h_b), pulling an item's modal views toward each other and toward
      its ID embedding (zero with one view, an ID-only model);
    - perturbed term: mean over views of est(c'(h_v), c''(h_v)) for two independent corruptions c', c'' of the same
      view: feature dropout with rate p, or noise of norm p times each row's norm (SGL / SimGCL-style augmentation).

    The estimator est(a, b) is InfoNCE or the Jensen-Shannon bound on cosine / temperature scores (``_contrast``).

    Args:
        weight: multiplier of the term.
        temperature: score temperature tau.
        estimator: ``infonce`` or ``js``.
        views: ``modal`` (modal term only), ``perturbed`` (perturbed term only) or ``both`` (their sum).
        pairs: modal pairs, ``modal_id`` (each modality with the ID view) or ``all`` (every pair of views).
        perturbation: ``dropout`` or ``noise``.
        perturb_rate: p, the dropout rate (below 1) or the relative noise norm.
    """

    name = "feature_cl"

    def __init__(
        self,
        *,
        weight: float = 0.1,
        temperature: float = 0.2,
        estimator: str = "infonce",
        views: str = "modal",
        pairs: str = "all",
        perturbation: str = "dropout",
        perturb_rate: float = 0.1,
    ) -> None:
        self.weight = weight
        self.temperature = temperature
        self.estimator = estimator
        self.views = views
        self.pairs = pairs
        self.perturbation = perturbation
        self.perturb_rate = perturb_rate

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "weight": FloatParam(1e-3, 1.0, log=True),
            "temperature": FloatParam(0.05, 1.0, log=True),
            "estimator": ChoiceParam(tuple(ESTIMATORS)),
            "views": ChoiceParam(VIEWS),
            "pairs": ChoiceParam(PAIRS),
            "perturbation": ChoiceParam(tuple(PERTURBATIONS)),
            "perturb_rate": FloatParam(0.01, 0.5, log=True),
        }

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        _check(self.estimator, ESTIMATORS, "estimator")
        _check(self.views, VIEWS, "views")
        _check(self.pairs, PAIRS, "pairs")
        _check(self.perturbation, PERTURBATIONS, "perturbation")
        if not 0.0 <= self.perturb_rate < 1.0:
            raise ValueError(f"{self.name}: perturb_rate must lie in [0, 1), got {self.perturb_rate}")
        pairs: list[tuple[str, str]] = []
        if self.views != "perturbed":
            pairs = list(itertools.combinations(views, 2))
            if self.pairs == "modal_id":
                pairs = [("id", view) for view in views if view != "id"]
        perturbed = list(views) if self.views != "modal" else []
        generator = torch.Generator(device=ctx.device).manual_seed(ctx.seed)
        return _FeatureContrast(self, pairs, perturbed, generator)


def _check(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(
            f"{FeatureContrastAuxiliary.name}: unknown {what} {value!r}; choose one of {', '.join(allowed)}"
        )


class _FeatureContrast(AuxiliaryModule):
    def __init__(
        self,
        settings: FeatureContrastAuxiliary,
        pairs: list[tuple[str, str]],
        perturbed: list[str],
        generator: torch.Generator,
    ) -> None:
        super().__init__()
        self.pairs, self.perturbed, self.generator = pairs, perturbed, generator
        self.weight, self.temperature, self.rate = settings.weight, settings.temperature, settings.perturb_rate
        self.term_name = settings.estimator
        self.estimator: Estimator = ESTIMATORS[settings.estimator]
        self.perturb: Perturbation = PERTURBATIONS[settings.perturbation]

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if not self.pairs and not self.perturbed:
            return representations.users.new_zeros(())
        items = torch.unique(batch.positives)
        views = {name: view.index_select(0, items) for name, view in representations.item_views.items()}
        parts = {}
        if self.pairs:
            parts["modal"] = torch.stack([self._contrast(views[a], views[b]) for a, b in self.pairs]).mean()
        if self.perturbed:
            corrupted = [(self._corrupt(views[v]), self._corrupt(views[v])) for v in self.perturbed]
            parts["perturbed"] = torch.stack([self._contrast(a, b) for a, b in corrupted]).mean()
        term = torch.stack(list(parts.values())).sum()
        self.last_terms = {self.term_name: term.item()}
        if len(parts) > 1:
            self.last_terms |= {part: value.item() for part, value in parts.items()}
        return self.weight * term

    def _contrast(self, anchors: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
        return self.estimator(anchors, positives, self.temperature)

    def _corrupt(self, view: torch.Tensor) -> torch.Tensor:
        return self.perturb(view, self.rate, self.generator)
