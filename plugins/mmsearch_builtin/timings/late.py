"""``late`` fusion timing (survey eq. 16): encode every view on its own, then fuse users and items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from mmsearch.components import BuildContext, Encoder, Fusion, FusionTiming, TimingModule, TimingOutput
from mmsearch.model.cooccurrence import softmax_user_graph
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, Param


class LateFusionTiming(FusionTiming):
    """Per view v: (U_v, I_v) = Encoder_v(user_embedding_v, item_view_v); then U = Fusion_u(U_*), I = Fusion_i(I_*).

    Each view has its own user embedding (a user's preference for that modality) and its own encoder instance. The
    encoded ID stream (U_id, I_id) is kept as the output's ``behaviour``. Without ``with_id`` only the modal views
    are encoded and fused (DRAGON and SAND have no item ID embedding); the output then keeps no behaviour stream,
    and with no modal view at all the ID view is used. With ``user_weights`` every user's encoded view v is scaled
    by a learned weight w[u, v] before the user fusion (DRAGON's user modality weights; items are not scaled), the
    weights starting at 1 / n_views and trained freely. With ``user_graph_k`` k > 0 the fused users U become
    U + G U, G the user-user graph of each user's k strongest training co-occurrences weighted by the softmax of
    the counts over the row (DRAGON's homogeneous user graph; users sharing no item with anybody keep U).

    Args:
        with_id: encode and fuse the ID view too.
        user_weights: learn per-user view weights.
        user_graph_k: neighbours per user in the user-user graph (0: none).
    """

    name = "late"
    keeps_behaviour = True

    def __init__(self, *, with_id: bool = True, user_weights: bool = False, user_graph_k: int = 0) -> None:
        self.with_id = with_id
        self.user_weights = user_weights
        self.user_graph_k = user_graph_k

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"user_weights": ChoiceParam((False, True)), "user_graph_k": ChoiceParam((0, 10, 40))}

    @classmethod
    def keeps_behaviour_with(cls, params: Mapping[str, Any]) -> bool:
        return bool(params.get("with_id", True))

    def build(self, ctx: BuildContext, views: Sequence[str], encoder: Encoder, fusion: Fusion) -> TimingModule:
        dim = ctx.embedding_dim
        if not self.with_id and len(views) > 1:
            views = [view for view in views if view != "id"]
        user_embeddings = nn.ModuleDict()
        for view in views:
            user_embeddings[view] = nn.Embedding(ctx.n_users, dim)
            nn.init.xavier_uniform_(user_embeddings[view].weight)
        return _Late(
            user_embeddings=user_embeddings,
            encoders=nn.ModuleDict({view: encoder.build(ctx, dim) for view in views}),
            user_fusion=fusion.build(ctx, len(views), dim),
            item_fusion=fusion.build(ctx, len(views), dim),
            user_weights=nn.Parameter(torch.full((ctx.n_users, len(views)), 1 / len(views)))
            if self.user_weights
            else None,
            user_graph=SparseOperator(softmax_user_graph(ctx.train, self.user_graph_k), ctx.device)
            if self.user_graph_k
            else None,
        ).to(ctx.device)


class _Late(TimingModule):
    def __init__(
        self,
        user_embeddings: nn.ModuleDict,
        encoders: nn.ModuleDict,
        user_fusion: nn.Module,
        item_fusion: nn.Module,
        user_weights: nn.Parameter | None,
        user_graph: SparseOperator | None,
    ) -> None:
        super().__init__()
        self.user_embeddings = user_embeddings
        self.encoders = encoders
        self.user_fusion = user_fusion
        self.item_fusion = item_fusion
        self.user_weights = user_weights
        self.user_graph = user_graph

    def forward(self, item_views: dict[str, torch.Tensor]) -> TimingOutput:
        encoded = {
            view: encoder(self.user_embeddings[view].weight, item_views[view])
            for view, encoder in self.encoders.items()
        }
        user_views = [pair[0] for pair in encoded.values()]
        if self.user_weights is not None:
            user_views = [view * self.user_weights[:, [index]] for index, view in enumerate(user_views)]
        users = self.user_fusion(user_views)
        if self.user_graph is not None:
            users = users + self.user_graph @ users
        items = self.item_fusion([pair[1] for pair in encoded.values()])
        return TimingOutput(users, items, behaviour=encoded.get("id"))

    def user_ego(self, users: torch.Tensor) -> torch.Tensor:
        return torch.cat([embedding(users) for embedding in self.user_embeddings.values()], dim=-1)
