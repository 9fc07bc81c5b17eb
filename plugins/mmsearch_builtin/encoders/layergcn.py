"""The ``layergcn`` encoder: layer-refined graph convolution with edge pruning (LayerGCN, Zhou et al., ICDE 2023)."""

from __future__ import annotations

import scipy.sparse as sp
import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Encoder, EpochResampled
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, FloatParam, IntParam, Param

from ._edge_dropout import EdgeSampler
from .lightgcn import normalized_interactions

PRUNINGS = ("alternate", "degree")


class LayerGCNEncoder(Encoder):
    """users, items -> X^1 + ... + X^L with X^0 = [users; items] and X^(l+1) = diag(c^(l+1)) A_hat X^l, where
    c^(l+1)_n = cos((A_hat X^l)_n, X^0_n): every layer's output is refined against the ego layer, so a node keeps what
    agrees with its own embedding (LayerGCN's layer refinement; the ego layer itself is not in the sum).

    A_hat = D^-1/2 A D^-1/2 over the bipartite user-item graph, as LightGCN's. With ``edge_dropout`` p > 0, each
    training epoch propagates over a subgraph keeping int((1 - p) |E|) edges, re-normalised over its own degrees; the
    draw is FREEDOM's degree-sensitive one (``degree``), or, as LayerGCN's released code does, alternates between a
    degree-sensitive epoch and a uniformly random one (``alternate``, starting degree-sensitive). Evaluation uses the
    full graph.

    Args:
        n_layers: propagation layers L.
        edge_dropout: fraction p of user-item edges pruned per training epoch.
        pruning: ``alternate`` or ``degree``.
    """

    name = "layergcn"

    def __init__(self, *, n_layers: int = 4, edge_dropout: float = 0.1, pruning: str = "alternate") -> None:
        self.n_layers = n_layers
        self.edge_dropout = edge_dropout
        self.pruning = pruning

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "n_layers": IntParam(1, 4),
            "edge_dropout": FloatParam(0.0, 0.3),
            "pruning": ChoiceParam(PRUNINGS),
        }

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        if not 0.0 <= self.edge_dropout < 1.0:
            raise ValueError(f"{self.name}: edge_dropout must lie in [0, 1), got {self.edge_dropout}")
        if self.pruning not in PRUNINGS:
            raise ValueError(f"{self.name}: pruning must be one of {', '.join(PRUNINGS)}, got '{self.pruning}'")
        sampler = EdgeSampler(ctx.train, self.edge_dropout, ctx.seed) if self.edge_dropout else None
        full = bipartite_operator(normalized_interactions(ctx.train), ctx.device)
        return _LayerRefined(full, self.n_layers, sampler, self.pruning == "alternate")


def bipartite_operator(interactions: sp.csr_matrix, device: torch.device) -> SparseOperator:
    """The symmetric operator [[0, R], [R^T, 0]] over the stacked [users; items] for R [n_users, n_items]."""
    return SparseOperator(sp.bmat([[None, interactions], [interactions.T, None]]), device, symmetric=True)


class _LayerRefined(nn.Module, EpochResampled):
    def __init__(self, graph: SparseOperator, n_layers: int, sampler: EdgeSampler | None, alternate: bool) -> None:
        super().__init__()
        self.graph = graph
        self.n_layers = n_layers
        self.sampler = sampler
        self.alternate = alternate
        self.pruned: SparseOperator | None = None
        self.epochs_drawn = 0

    def new_epoch(self) -> None:
        if self.sampler is not None:
            uniform = self.alternate and self.epochs_drawn % 2 == 1
            self.pruned = bipartite_operator(self.sampler.sample(uniform), self.graph.device)
            self.epochs_drawn += 1

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        graph = self.graph
        if self.training and self.sampler is not None:
            if self.pruned is None:
                self.new_epoch()
            graph = self.pruned
        ego = torch.cat([users, items])
        layer, total = ego, torch.zeros_like(ego)
        for _ in range(self.n_layers):
            layer = graph @ layer
            layer = functional.cosine_similarity(layer, ego, dim=-1).unsqueeze(-1) * layer
            total = total + layer
        return total[: len(users)], total[len(users) :]
