"""``infonce``: feature-based InfoNCE between the item views of a model (``feature_cl`` with its estimator fixed)."""

from __future__ import annotations

from mmsearch.search.params import Param

from .feature_cl import FeatureContrastAuxiliary


class InfoNCEAuxiliary(FeatureContrastAuxiliary):
    """``feature_cl`` with the InfoNCE estimator; by default weight * mean over view pairs of InfoNCE between the
    batch's positive items seen through two views (zero for an ID-only model).

    Its default search space is the modal one (weight, temperature, pairs); a space may also set ``views``,
    ``perturbation`` and ``perturb_rate`` to contrast perturbed copies of each view (see ``feature_cl``).

    Args:
        weight: multiplier of the term.
        temperature: InfoNCE temperature tau.
        pairs: ``modal_id`` (each modality with the ID view) or ``all`` (every pair of views).
        views: ``modal``, ``perturbed`` or ``both``.
        perturbation: ``dropout`` or ``noise``.
        perturb_rate: the dropout rate (below 1) or the relative noise norm.
    """

    name = "infonce"
    needs_modalities = True

    def __init__(
        self,
        *,
        weight: float = 0.1,
        temperature: float = 0.2,
        pairs: str = "all",
        views: str = "modal",
        perturbation: str = "dropout",
        perturb_rate: float = 0.1,
    ) -> None:
        super().__init__(
            weight=weight,
            temperature=temperature,
            estimator="infonce",
            views=views,
            pairs=pairs,
            perturbation=perturbation,
            perturb_rate=perturb_rate,
        )

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        space = super().search_space()
        return {key: space[key] for key in ("weight", "temperature", "pairs")}
