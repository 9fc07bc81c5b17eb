"""``sand``: align the generic part and distance the unique part of every modal item view (SAND, arXiv 2406.08270)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import AuxiliaryLoss, AuxiliaryModule, BuildContext, Representations, TrainingBatch
from mmsearch.search.params import ChoiceParam, FloatParam, Param

from ._contrast import info_nce


class SANDAuxiliary(AuxiliaryLoss):
    """alpha * align(generic parts of every pair of modalities) + beta * sum over modalities of dis(generic, unique).

    Every modal item view h_m [n_items, d] (the transform's output, which the encoder and the fusion turn into the
    scores) is SAND's separated representation: its first half g_m = h_m[:, :d/2] is the generic part, its second half
    u_m = h_m[:, d/2:] the unique part. So the terms act on the very halves the model scores with, with any
    transform, encoder, timing and fusion (SAND on VBPR and FREEDOM, the paper's Table 3, is this auxiliary on those
    models); a ``linear`` transform makes each half its own linear projection of the features, SAND's splitter.

    Terms, on the batch's distinct positive items (B of them):

    - ``solosim`` (eq. 10): for each pair (a, b) of modalities in sorted order, -1/B sum_i log softmax_j(cos(g_a,i,
      g_b,j) / tau)_i, the generic part of one modality picking its own item's generic part of the other among the
      batch; ``infonce``: the same term in both directions, averaged;
    - ``club`` (eq. 11-13): the CLUB upper bound of the mutual information of g_m and u_m, with a Gaussian variational
      network q_m(u | g) per modality that takes ``club_steps`` Adam steps of maximum likelihood on the detached parts
      before every batch's bound; ``l2`` (eq. 14): -1/B sum_i ||g_m,i / |g_m,i| - u_m,i / |u_m,i|||^2, the parts
      scaled to unit length (unscaled, the term is unbounded below and grows the halves without limit: on the
      synthetic data Recall@20 fell from 0.63 to 0.44 at beta = 0.001).

    The alignment is zero with fewer than two modalities, the whole term with none; a term whose weight is 0 is not
    computed (nor, for ``club``, its networks trained) and is absent from ``last_terms``. Differences from the authors'
    code: no projection heads before the terms (a head's collapse could meet the objective without changing the
    halves); the terms use the batch's positive items, not every item each batch; each modality has its own CLUB
    network, trained on that modality's (generic, unique) pairs (the code trains one on cross-modal pairs). The
    released code computes ``solosim`` and ``infonce`` with one function; the two-directional ``infonce`` is this
    package's reading of the paper's variant.

    Args:
        alpha: weight of the alignment term.
        beta: weight of the distancing term.
        align: ``solosim`` or ``infonce``.
        distance: ``club`` or ``l2``.
        temperature: tau of the alignment.
        club_steps: Adam steps of each CLUB network per batch (the code's 50).
        club_lr: their learning rate (the code's 1e-4).
    """

    name = "sand"
    needs_modalities = True

    def __init__(
        self,
        *,
        alpha: float = 0.012,
        beta: float = 0.006,
        align: str = "solosim",
        distance: str = "club",
        temperature: float = 0.2,
        club_steps: int = 50,
        club_lr: float = 1e-4,
    ) -> None:
        self.alpha, self.beta = alpha, beta
        self.align, self.distance = align, distance
        self.temperature = temperature
        self.club_steps, self.club_lr = club_steps, club_lr

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "alpha": FloatParam(1e-3, 1.0, log=True),
            "beta": FloatParam(1e-4, 0.1, log=True),
            "align": ChoiceParam(("solosim", "infonce")),
            "distance": ChoiceParam(("club", "l2")),
            "temperature": FloatParam(0.05, 1.0, log=True),
        }

    def build(self, ctx: BuildContext, views: Sequence[str]) -> AuxiliaryModule:
        if ctx.embedding_dim % 2:
            raise ValueError(f"{self.name}: the embedding width must be even to halve, got {ctx.embedding_dim}")
        if self.align not in ("solosim", "infonce") or self.distance not in ("club", "l2"):
            raise ValueError(f"{self.name}: unknown align '{self.align}' or distance '{self.distance}'")
        return _SAND([view for view in views if view != "id"], ctx, self).to(ctx.device)


def halves(view: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(generic, unique) parts of modal item views [n, d]: the first and the second half of the columns."""
    half = view.shape[-1] // 2
    return view[..., :half], view[..., half:]


def solosim(first: torch.Tensor, second: torch.Tensor, temperature: float) -> torch.Tensor:
    """SoloSim (eq. 10): -mean_i log softmax_j(cos(first_i, second_j) / tau)_i, for aligned rows [B, k]."""
    return info_nce(first, second, temperature)


def negative_l2(generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
    """Eq. 14 on unit-length parts: minus the mean over rows of ||g/|g| - u/|u|||^2, in [-4, 0], for rows [B, k]."""
    return -(functional.normalize(generic, dim=-1) - functional.normalize(unique, dim=-1)).pow(2).sum(-1).mean()


class _SAND(AuxiliaryModule):
    def __init__(self, modalities: list[str], ctx: BuildContext, settings: SANDAuxiliary) -> None:
        super().__init__()
        self.modalities = modalities
        self.settings = settings
        half = ctx.embedding_dim // 2
        self._club = (
            {m: CLUBEstimator(half, settings.club_lr, ctx.device) for m in modalities}
            if settings.distance == "club"
            else {}
        )

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if not self.modalities:
            return representations.users.new_zeros(())
        items = torch.unique(batch.positives)
        parts = {m: halves(representations.item_views[m][items]) for m in self.modalities}
        pairs = list(itertools.combinations(self.modalities, 2)) if self.settings.alpha else []
        loss = representations.users.new_zeros(())
        self.last_terms = {}
        if pairs:
            align = torch.stack([self._align(parts[a][0], parts[b][0]) for a, b in pairs]).mean()
            self.last_terms["align"] = align.item()
            loss = loss + self.settings.alpha * align
        if self.settings.beta:
            distance = torch.stack([self._distance(m, *parts[m]) for m in self.modalities]).sum()
            self.last_terms["distance"] = distance.item()
            loss = loss + self.settings.beta * distance
        return loss

    def _align(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        tau = self.settings.temperature
        if self.settings.align == "infonce":
            return (solosim(first, second, tau) + solosim(second, first, tau)) / 2
        return solosim(first, second, tau)

    def _distance(self, modality: str, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        if self.settings.distance == "l2":
            return negative_l2(generic, unique)
        club = self._club[modality]
        for _ in range(self.settings.club_steps):
            club.fit(generic, unique)
        return club.bound(generic, unique)


class CLUBEstimator:
    """CLUB (Cheng et al., 2020): MI(g; u) <= mean_i log q(u_i | g_i) - mean_i log q(u_pi(i) | g_i), pi a random
    permutation, with q(u | g) = N(mu(g), diag exp(log_var(g))) from two small MLPs (hidden width k / 4).

    The variational network is deliberately not a registered submodule: the model's optimiser must not train it.
    """

    def __init__(self, dim: int, lr: float, device: torch.device) -> None:
        hidden = max(1, dim // 4)
        self.mean = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, dim)).to(device)
        self.log_var = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, dim), nn.Tanh()).to(device)
        self.optimizer = torch.optim.Adam([*self.mean.parameters(), *self.log_var.parameters()], lr=lr)

    def fit(self, generic: torch.Tensor, unique: torch.Tensor) -> None:
        """One maximum-likelihood step of q on detached pairs (rows of generic [N, k] and unique [N, k])."""
        nll = -self.log_likelihood(generic.detach(), unique.detach()).mean()
        self.optimizer.zero_grad(set_to_none=True)
        nll.backward()
        self.optimizer.step()

    def bound(self, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        """The MI upper bound for aligned rows [N, k], differentiable in both parts (q's own gradients are cleared
        by its next ``fit``)."""
        shuffled = unique[torch.randperm(len(unique), device=unique.device)]
        mean, log_var = self.mean(generic), self.log_var(generic)
        matched = _gaussian_log_likelihood(mean, log_var, unique)
        return (matched - _gaussian_log_likelihood(mean, log_var, shuffled)).mean()

    def log_likelihood(self, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        """log q(unique_i | generic_i) up to a constant, per row [N]."""
        return _gaussian_log_likelihood(self.mean(generic), self.log_var(generic), unique)


def _gaussian_log_likelihood(mean: torch.Tensor, log_var: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    return (-((value - mean) ** 2) / log_var.exp() - log_var).sum(-1) / 2
