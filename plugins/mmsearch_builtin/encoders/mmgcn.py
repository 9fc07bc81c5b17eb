"""The ``mmgcn`` encoder: MMGCN's graph convolution (Wei et al., MM 2019), aggregation then combination per layer."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Encoder
from mmsearch.model.knn import row_normalize
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, IntParam, Param

COMBINES = ("concat", "sum")


class MMGCNEncoder(Encoder):
    """x^0 = the rows of [users; items] scaled to unit length; per layer l = 1..L over the user-item graph:

        h     = leaky_relu(N (x W_l))              aggregation (eq. 1), N the mean over a node's neighbours
        x_hat = leaky_relu(L_l x + b_l) + e        combination input (eq. 5), e the node's ID embedding
        x     = leaky_relu(G_l [h ; x_hat] + c_l)  (``concat``)  or  leaky_relu(G_l h + c_l + x_hat)  (``sum``)

    The output x^L is split back into users [n_users, dim] and items [n_items, dim]; a node without interactions
    gets h = 0. Under the ``late`` timing each modality has its own instance, so its user input is that modality's
    user preference. The module owns the ID embeddings e [n_users + n_items, dim] (MMGCN shares one table across
    the modalities; here each instance has its own). With ``train_embeddings`` off, e is a fixed random buffer and
    the incoming user embeddings are detached: MMGCN's released code never registers its ID and preference tables
    as parameters, so they keep their random initial values.

    Args:
        n_layers: number of layers L (the released code: 3).
        combine: ``concat`` or ``sum`` in the combination layer.
        train_embeddings: train the ID embeddings and the user input.
    """

    name = "mmgcn"

    def __init__(self, *, n_layers: int = 3, combine: str = "concat", train_embeddings: bool = True) -> None:
        if combine not in COMBINES:
            raise ValueError(f"unknown combination '{combine}'; choose one of {', '.join(COMBINES)}")
        self.n_layers = n_layers
        self.combine = combine
        self.train_embeddings = train_embeddings

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"n_layers": IntParam(1, 3), "combine": ChoiceParam(COMBINES)}

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        interactions = sp.csr_matrix(ctx.train > 0, dtype=np.float32)
        ids = nn.init.xavier_normal_(torch.empty(ctx.n_users + ctx.n_items, dim))
        return MMGCNConvolution(
            user_mean=SparseOperator(row_normalize(interactions), ctx.device),
            item_mean=SparseOperator(row_normalize(interactions.T), ctx.device),
            ids=nn.Parameter(ids) if self.train_embeddings else ids,
            layers=nn.ModuleList(_Layer(dim, self.combine) for _ in range(self.n_layers)),
        ).to(ctx.device)


class MMGCNConvolution(nn.Module):
    """The layers of ``MMGCNEncoder`` over a fixed graph.

    Args:
        user_mean: [n_users, n_items], each user's row averaging its items.
        item_mean: [n_items, n_users], each item's row averaging its users.
        ids: ID embeddings [n_users + n_items, dim]; a parameter is trained, a plain tensor is kept fixed (a buffer,
            and the user input is then detached too).
        layers: the L layers.
    """

    def __init__(
        self, user_mean: SparseOperator, item_mean: SparseOperator, ids: torch.Tensor, layers: nn.ModuleList
    ) -> None:
        super().__init__()
        self.user_mean = user_mean
        self.item_mean = item_mean
        self.n_users = user_mean.shape[0]
        self.train_embeddings = isinstance(ids, nn.Parameter)
        if self.train_embeddings:
            self.ids = ids
        else:
            self.register_buffer("ids", ids)
        self.layers = layers

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.train_embeddings:
            users = users.detach()
        x = functional.normalize(torch.cat([users, items]), dim=-1)
        for layer in self.layers:
            x = layer(x, self.ids, self._neighbour_mean)
        return x[: self.n_users], x[self.n_users :]

    def _neighbour_mean(self, x: torch.Tensor) -> torch.Tensor:
        """N x for x [n_users + n_items, d]: users average their items, items their users."""
        return torch.cat([self.user_mean @ x[self.n_users :], self.item_mean @ x[: self.n_users]])


class _Layer(nn.Module):
    """One aggregation + combination layer of width ``dim`` (weights Xavier-normal, as the released code)."""

    def __init__(self, dim: int, combine: str) -> None:
        super().__init__()
        self.aggregate = nn.Linear(dim, dim, bias=False)
        self.own = nn.Linear(dim, dim)
        self.combined = nn.Linear(2 * dim if combine == "concat" else dim, dim)
        self.concat = combine == "concat"
        for linear in (self.aggregate, self.own, self.combined):
            nn.init.xavier_normal_(linear.weight)

    def forward(self, x: torch.Tensor, ids: torch.Tensor, neighbour_mean) -> torch.Tensor:
        h = functional.leaky_relu(neighbour_mean(self.aggregate(x)))
        x_hat = functional.leaky_relu(self.own(x)) + ids
        if self.concat:
            return functional.leaky_relu(self.combined(torch.cat([h, x_hat], dim=-1)))
        return functional.leaky_relu(self.combined(h) + x_hat)
