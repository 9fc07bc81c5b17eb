"""``sand``: align the generic part and distance the unique part of every modal item view (SAND, arXiv 2406.08270)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
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
            CLUBEstimator(len(modalities), half, settings.club_lr, ctx.device)
            if settings.distance == "club" and modalities
            else None
        )

    def forward(self, representations: Representations, batch: TrainingBatch) -> torch.Tensor:
        if not self.modalities:
            return representations.users.new_zeros(())
        items = torch.unique(batch.positives)
        parts = {m: halves(representations.item_views[m].index_select(0, items)) for m in self.modalities}
        pairs = list(itertools.combinations(self.modalities, 2)) if self.settings.alpha else []
        loss = representations.users.new_zeros(())
        self.last_terms = {}
        if pairs:
            align = torch.stack([self._align(parts[a][0], parts[b][0]) for a, b in pairs]).mean()
            self.last_terms["align"] = align.item()
            loss = loss + self.settings.alpha * align
        if self.settings.beta:
            distance = self._distance([parts[m][0] for m in self.modalities], [parts[m][1] for m in self.modalities])
            self.last_terms["distance"] = distance.item()
            loss = loss + self.settings.beta * distance
        return loss

    def _align(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        tau = self.settings.temperature
        if self.settings.align == "infonce":
            return (solosim(first, second, tau) + solosim(second, first, tau)) / 2
        return solosim(first, second, tau)

    def _distance(self, generic: list[torch.Tensor], unique: list[torch.Tensor]) -> torch.Tensor:
        """The distancing term summed over the modalities (eq. 17), from each modality's (generic, unique) parts."""
        if self._club is None:
            return torch.stack([negative_l2(g, u) for g, u in zip(generic, unique)]).sum()
        generic_parts, unique_parts = torch.stack(generic), torch.stack(unique)
        for _ in range(self.settings.club_steps):
            self._club.fit(generic_parts, unique_parts)
        return self._club.bound(generic_parts, unique_parts).sum()


class CLUBEstimator:
    """CLUB (Cheng et al., 2020) for M modalities at once: per modality m, MI(g; u) <= mean_i log q_m(u_i | g_i) -
    mean_i log q_m(u_pi(i) | g_i), pi a random permutation, with q_m(u | g) = N(mu_m(g), diag exp(log_var_m(g))).

    mu_m(g) = relu(g A_m + a_m) B_m + b_m and log_var_m(g) = tanh(relu(g C_m + c_m) D_m + d_m), hidden width k / 4:
    two small MLPs per modality, as CLUB's code. The M modalities' networks are independent parameters stored
    stacked ([M, ...]), so one step trains all of them; ``fit`` computes the gradient of the negative log-likelihood
    by hand (no autograd graph: at 50 steps per batch the networks' training would otherwise dominate SAND's cost)
    and takes one Adam step. The parameters are plain tensors that no model optimiser sees, and ``bound`` treats
    them as constants: the model's gradients never reach them.

    Args:
        n_modalities: M.
        dim: width k of each part.
        lr: Adam's learning rate.
        device: where the parameters live.
    """

    def __init__(self, n_modalities: int, dim: int, lr: float, device: torch.device) -> None:
        hidden = max(1, dim // 4)
        self.hidden = hidden
        # PyTorch's nn.Linear initialisation: weights and biases uniform in +-1 / sqrt(fan_in)
        self.first = _uniform((n_modalities, dim, 2 * hidden), dim, device)  # [A_m | C_m]
        self.first_bias = _uniform((n_modalities, 1, 2 * hidden), dim, device)  # [a_m | c_m]
        self.mean_out = _uniform((n_modalities, hidden, dim), hidden, device)  # B_m
        self.mean_bias = _uniform((n_modalities, 1, dim), hidden, device)  # b_m
        self.var_out = _uniform((n_modalities, hidden, dim), hidden, device)  # D_m
        self.var_bias = _uniform((n_modalities, 1, dim), hidden, device)  # d_m
        self.parameters = [self.first, self.first_bias, self.mean_out, self.mean_bias, self.var_out, self.var_bias]
        self.optimizer = torch.optim.Adam(self.parameters, lr=lr, fused=True)

    def fit(self, generic: torch.Tensor, unique: torch.Tensor) -> None:
        """One maximum-likelihood Adam step of every q_m on detached pairs: generic and unique [M, N, k]."""
        generic, unique = generic.detach(), unique.detach()
        pre, hidden, mean, log_var = self._forward(generic)
        precision = torch.exp(-log_var)
        residual = unique - mean
        # the loss is 1/N sum_i sum_k ((u - mu)^2 exp(-log_var) + log_var) / 2 per modality
        scale = 1.0 / generic.shape[1]
        grad_mean = residual.mul(precision).mul_(-scale)
        grad_var = (1.0 - residual.square_().mul_(precision)).mul_(0.5 * scale).mul_(1.0 - log_var.square())
        mean_hidden, var_hidden = hidden[..., : self.hidden], hidden[..., self.hidden :]
        grad_hidden = torch.cat(
            [grad_mean.bmm(self.mean_out.transpose(1, 2)), grad_var.bmm(self.var_out.transpose(1, 2))], dim=-1
        ).mul_(pre > 0)
        grads = (
            generic.transpose(1, 2).bmm(grad_hidden),
            grad_hidden.sum(1, keepdim=True),
            mean_hidden.transpose(1, 2).bmm(grad_mean),
            grad_mean.sum(1, keepdim=True),
            var_hidden.transpose(1, 2).bmm(grad_var),
            grad_var.sum(1, keepdim=True),
        )
        for parameter, grad in zip(self.parameters, grads):
            parameter.grad = grad
        self.optimizer.step()

    def bound(self, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        """The MI upper bound of every modality [M] for aligned rows [M, N, k], differentiable in both parts (one
        permutation of the rows for all modalities)."""
        shuffled = unique[:, torch.randperm(unique.shape[1], device=unique.device)]
        _, _, mean, log_var = self._forward(generic)
        matched = _gaussian_log_likelihood(mean, log_var, unique)
        return (matched - _gaussian_log_likelihood(mean, log_var, shuffled)).mean(-1)

    def log_likelihood(self, generic: torch.Tensor, unique: torch.Tensor) -> torch.Tensor:
        """log q_m(unique_i | generic_i) up to a constant, [M, N] for parts [M, N, k]."""
        _, _, mean, log_var = self._forward(generic)
        return _gaussian_log_likelihood(mean, log_var, unique)

    def _forward(self, generic: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(first layer before relu [M, N, 2h], after relu, mu [M, N, k], log_var [M, N, k]) of generic [M, N, k]."""
        pre = torch.baddbmm(self.first_bias, generic, self.first)
        hidden = pre.clamp_min(0.0)
        mean = torch.baddbmm(self.mean_bias, hidden[..., : self.hidden], self.mean_out)
        log_var = torch.tanh(torch.baddbmm(self.var_bias, hidden[..., self.hidden :], self.var_out))
        return pre, hidden, mean, log_var


def _uniform(shape: tuple[int, ...], fan_in: int, device: torch.device) -> torch.Tensor:
    bound = fan_in**-0.5
    return torch.empty(shape, device=device).uniform_(-bound, bound)


def _gaussian_log_likelihood(mean: torch.Tensor, log_var: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    return (-((value - mean) ** 2) / log_var.exp() - log_var).sum(-1) / 2
