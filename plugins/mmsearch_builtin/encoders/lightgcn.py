"""The ``lightgcn`` encoder: parameter-free propagation over the normalised user-item graph (He et al., 2020)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Encoder
from mmsearch.model.knn import inverse_power
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import IntParam, Param

COMBINES = ("mean", "sum")


class LightGCNEncoder(Encoder):
    """Output = mean (or sum) of E^(0..K) with ``E^(k+1) = A_hat E^(k)`` over the bipartite user-item graph.

    A_hat = D^-1/2 A D^-1/2 with A = [[0, R], [R^T, 0]] for the binary training matrix R. The whole map is the fixed
    linear operator P = c (I + A_hat + ... + A_hat^K), c = 1 / (K + 1) for the mean (LightGCN) or 1 for the sum
    (DRAGON's and SAND's GCN), which is symmetric: its backward is P applied to the gradients, so one autograd node
    runs K sparse products each way, with no stored intermediate layers. With ``normalize_inputs`` every user and
    item row is scaled to unit length before propagation (DRAGON, SAND). With ``item_residual`` the items' input is
    added once more to their output (BM3's items: the propagated mean plus the item ID embedding); users are unchanged.

    Args:
        n_layers: number of propagation layers K.
        combine: ``mean`` or ``sum`` of the layer outputs.
        normalize_inputs: scale the input rows to unit length first.
        item_residual: add the input items to the output items.
    """

    name = "lightgcn"

    def __init__(
        self, *, n_layers: int = 2, combine: str = "mean", normalize_inputs: bool = False, item_residual: bool = False
    ) -> None:
        self.n_layers = n_layers
        self.combine = combine
        self.normalize_inputs = normalize_inputs
        self.item_residual = item_residual

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"n_layers": IntParam(1, 4)}

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        interactions = SparseOperator(normalized_interactions(ctx.train), ctx.device)
        propagation = LightGCNPropagation(interactions, self.n_layers, self.combine, self.normalize_inputs)
        return _ItemResidual(propagation) if self.item_residual else propagation


def normalized_interactions(train: sp.csr_matrix) -> sp.csr_matrix:
    """R_hat = D_u^-1/2 R D_i^-1/2, float32 CSR [n_users, n_items]; users or items without interactions stay zero."""
    interactions = sp.csr_matrix(train > 0, dtype=np.float32)
    scale = [inverse_power(np.asarray(interactions.sum(axis=axis)).ravel(), 0.5) for axis in (1, 0)]
    return (sp.diags(scale[0]) @ interactions @ sp.diags(scale[1])).tocsr()


def propagate(
    interactions: SparseOperator, users: torch.Tensor, items: torch.Tensor, n_layers: int, scale: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """P [users; items] without autograd, c = ``scale``: users [n_users, d], items [n_items, d] -> the same shapes."""
    out_users, out_items = users.clone(), items.clone()
    layer_users, layer_items = users, items
    for _ in range(n_layers):
        layer_users, layer_items = (
            interactions.apply(layer_items, transpose=False),
            interactions.apply(layer_users, transpose=True),
        )
        out_users += layer_users
        out_items += layer_items
    return out_users.mul_(scale), out_items.mul_(scale)


class _Propagation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, users, items, interactions, n_layers, scale):  # type: ignore[override]
        ctx.interactions, ctx.n_layers, ctx.scale = interactions, n_layers, scale
        return propagate(interactions, users.detach(), items.detach(), n_layers, scale)

    @staticmethod
    def backward(ctx, grad_users, grad_items):  # type: ignore[override]
        grads = propagate(ctx.interactions, grad_users.contiguous(), grad_items.contiguous(), ctx.n_layers, ctx.scale)
        return grads[0], grads[1], None, None, None


class LightGCNPropagation(nn.Module):
    """Applies P (see ``LightGCNEncoder``) to the user and item representations as one differentiable step.

    Raises:
        ValueError: ``combine`` is neither ``mean`` nor ``sum``.
    """

    def __init__(
        self, interactions: SparseOperator, n_layers: int, combine: str = "mean", normalize_inputs: bool = False
    ) -> None:
        super().__init__()
        if combine not in COMBINES:
            raise ValueError(f"unknown layer combination '{combine}'; choose one of {', '.join(COMBINES)}")
        self.interactions = interactions
        self.n_layers = n_layers
        self.combine = combine
        self.normalize_inputs = normalize_inputs

    def with_graph(self, interactions: SparseOperator) -> LightGCNPropagation:
        """The same propagation over another graph (e.g. a pruned one)."""
        return LightGCNPropagation(interactions, self.n_layers, self.combine, self.normalize_inputs)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.normalize_inputs:
            users, items = functional.normalize(users, dim=-1), functional.normalize(items, dim=-1)
        scale = 1.0 / (self.n_layers + 1) if self.combine == "mean" else 1.0
        return _Propagation.apply(users, items, self.interactions, self.n_layers, scale)


class _ItemResidual(nn.Module):
    """(users, items) -> (users', items' + items) around a propagation."""

    def __init__(self, propagation: LightGCNPropagation) -> None:
        super().__init__()
        self.propagation = propagation

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out_users, out_items = self.propagation(users, items)
        return out_users, out_items + items
