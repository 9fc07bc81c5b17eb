"""``sand``: separate each modal item representation into a generic and a unique part (SAND, arXiv 2406.08270)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.search.params import ChoiceParam, FloatParam, Param

from ._contrast import info_nce, solo_similarity


class SANDAuxiliary(AuxiliaryLoss):
    """alpha * align(generic parts across modalities) + beta * distance term(unique part, generic part).

    For each modality m, two linear heads split the modal item view h_m [n_items, d] of the batch's positive items
    into a generic part g_m and a unique part u_m. The generic parts of every pair of modalities are aligned with
    SoloSim (1 - cosine, no negatives) or InfoNCE (in-batch negatives). Each unique part is pushed away from its
    generic part: ``l2`` minimises the negative squared L2 distance of the L2-normalised parts (a bounded term,
    distance in [0, 4]); ``club`` minimises the CLUB upper bound of their mutual information, estimated by a Gaussian
    variational network q(u | g) that takes its own Adam step on the detached parts before every batch's bound.

    Differences from the paper: the split is a regulariser on the modal views the model already uses (their
    gradients shape the transforms); the parts themselves are not fed to the encoder. With one modality the ID view
    takes part in the alignment; with none the term is zero.

    Args:
        alpha: weight of the alignment term.
        beta: weight of the distance term.
        align: ``solosim`` or ``infonce``.
        distance: ``l2`` or ``club``.
        temperature: InfoNCE temperature (alignment with ``infonce``).
    """

    name = "sand"
    needs_modalities = True

    def __init__(
        self,
        *,
        alpha: float = 0.1,
        beta: float = 0.01,
        align: str = "solosim",
        distance: str = "l2",
        temperature: float = 0.2,
    ) -> None:
        self.alpha, self.beta = alpha, beta
        self.align, self.distance = align, distance
        self.temperature = temperature

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "alpha": FloatParam(1e-3, 1.0, log=True),
            "beta": FloatParam(1e-4, 0.1, log=True),
            "align": ChoiceParam(("solosim", "infonce")),
            "distance": ChoiceParam(("l2", "club")),
            "temperature": FloatParam(0.05, 1.0, log=True),
        }

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        modal = [view for view in views if view != "id"]
        parts = modal if len(modal) >= 2 else list(views) if modal else []
        return _SAND(parts, ctx, self).to(ctx.device)


class _SAND(AuxiliaryModule):
    def __init__(self, views: list[str], ctx: BuildContext, settings: SANDAuxiliary) -> None:
        super().__init__()
        dim = ctx.embedding_dim
        self.views = views
        self.settings = settings
        self.generic = nn.ModuleDict({view: nn.Linear(dim, dim) for view in views})
        self.unique = nn.ModuleDict({view: nn.Linear(dim, dim) for view in views})
        for head in [*self.generic.values(), *self.unique.values()]:
            nn.init.xavier_uniform_(head.weight)
            nn.init.zeros_(head.bias)
        self._club = _CLUBEstimator(dim, ctx.device) if settings.distance == "club" and views else None

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if len(self.views) < 2:
            return representations.users.new_zeros(())
        items = torch.unique(batch.positives)
        generic = {v: self.generic[v](representations.item_views[v][items]) for v in self.views}
        unique = {v: self.unique[v](representations.item_views[v][items]) for v in self.views}
        align = torch.stack([self._align(generic[a], generic[b]) for a, b in itertools.combinations(self.views, 2)])
        align = align.mean()
        if self._club is None:
            distance = torch.stack(
                [
                    (functional.normalize(unique[v], dim=-1) - functional.normalize(generic[v], dim=-1))
                    .pow(2)
                    .sum(-1)
                    .mean()
                    for v in self.views
                ]
            ).mean()
            distance_loss = -distance
        else:
            self._club.fit(torch.cat([generic[v] for v in self.views]), torch.cat([unique[v] for v in self.views]))
            distance = torch.stack([self._club.bound(generic[v], unique[v]) for v in self.views]).mean()
            distance_loss = distance
        self.last_terms = {"align": align.item(), "distance": distance.item()}
        return self.settings.alpha * align + self.settings.beta * distance_loss

    def _align(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        if self.settings.align == "infonce":
            return info_nce(first, second, self.settings.temperature)
        return solo_similarity(first, second)


class _CLUBEstimator:
    """CLUB (Cheng et al., 2020): MI(g; u) <= E[log q(u_i | g_i)] - E[log q(u_j | g_i)], q Gaussian from two MLPs.

    The variational network is deliberately not a registered submodule: the model's optimiser must not train it.
    """

    def __init__(self, dim: int, device: torch.device) -> None:
        self.mean = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim)).to(device)
        self.log_var = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim), nn.Tanh()).to(device)
        parameters = [*self.mean.parameters(), *self.log_var.parameters()]
        self.optimizer = torch.optim.Adam(parameters, lr=1e-3)

    def fit(self, generic: torch.Tensor, unique: torch.Tensor) -> None:
        """One maximum-likelihood step of q on detached pairs (rows of generic [N, d] and unique [N, d])."""
        nll = -self._log_likelihood(generic.detach(), unique.detach()).mean()
        self.optimizer.zero_grad(set_to_none=True)
        nll.backward()
        self.optimizer.step()

    def bound(self, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        """The MI upper bound for aligned rows [N, d], differentiable in the parts."""
        shuffled = unique[torch.randperm(len(unique), device=unique.device)]
        return (self._log_likelihood(generic, unique) - self._log_likelihood(generic, shuffled)).mean()

    def _log_likelihood(self, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        mean, log_var = self.mean(generic), self.log_var(generic)
        return (-((unique - mean) ** 2) / log_var.exp() - log_var).sum(-1) / 2
