"""``local_global`` timing: local graph embeddings of every view plus a global hypergraph embedding (LGMRec)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Encoder, Fusion, FusionTiming, TimingModule, TimingOutput
from mmsearch.model.knn import row_normalize
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, IntParam, Param

from ..encoders.lightgcn import normalized_interactions


class LocalGlobalTiming(FusionTiming):
    """LGMRec (Guo et al., AAAI 2024) in the design space; nodes are users stacked on items, [n_users + n_items, d].

    - Collaborative (local) embedding C = Encoder(user_embedding, item_view_id): the behaviour stream.
    - Modal (local) embedding of modality m: items h_m (the transform's view), users the mean of their items' h_m,
      propagated ``modal_layers`` times by A_hat = D^-1/2 A D^-1/2 over the user-item graph (the last layer kept),
      rows scaled to unit length: L_m.
    - Local = Fusion(C, L_1, ..., L_M), one fusion module for users and items (LGMRec: the sum).
    - Global (hypergraph) embedding of modality m: item memberships in ``n_hyperedges`` hyperedges
      S_i = softmax((h_m P_m + g) / tau), user memberships S_u = softmax((R h_m P_m + g) / tau) (R the binary
      interactions, so a user's logits sum over their items), g Gumbel noise while training (none at evaluation),
      tau = 0.2, both dropped out at rate 1 - ``keep_rate`` while training; then ``hyper_layers`` times
      E = S_i^T X, X = S_i E starting from the collaborative items X = C_items; the hyperedges pass E back to items
      (S_i E) and users (S_u E). Global = rows of sum_m [S_u E; S_i E] scaled to unit length.
    - Output = Local + ``alpha`` Global where the fusion keeps the width; a fusion that widens the views gets the
      global embedding as one more block, [Local ; alpha Global].

    Each modality's global embeddings of users and items are the output's ``hyper_views`` (LGMRec contrasts them
    across the modalities: the ``hyper_infonce`` auxiliary). Without modal views the output is Fusion(C).

    Args:
        modal_layers: propagation layers of the modal embeddings.
        n_hyperedges: hyperedges per modality.
        hyper_layers: rounds of hyperedge message passing.
        keep_rate: share of memberships kept by dropout while training.
        alpha: weight of the global embedding.
    """

    name = "local_global"
    keeps_behaviour = True
    gives_hyper_views = True

    def __init__(
        self,
        *,
        modal_layers: int = 2,
        n_hyperedges: int = 4,
        hyper_layers: int = 1,
        keep_rate: float = 0.5,
        alpha: float = 0.3,
    ) -> None:
        if hyper_layers < 1:
            raise ValueError(f"hyper_layers must be at least 1, got {hyper_layers}")
        self.modal_layers = modal_layers
        self.n_hyperedges = n_hyperedges
        self.hyper_layers = hyper_layers
        self.keep_rate = keep_rate
        self.alpha = alpha

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "modal_layers": IntParam(1, 3),
            "n_hyperedges": ChoiceParam((4, 16, 64)),
            "hyper_layers": IntParam(1, 2),
            "keep_rate": ChoiceParam((0.2, 0.4, 0.5, 1.0)),
            "alpha": ChoiceParam((0.2, 0.3, 0.6)),
        }

    def build(self, ctx: BuildContext, views: Sequence[str], encoder: Encoder, fusion: Fusion) -> TimingModule:
        dim = ctx.embedding_dim
        modalities = [view for view in views if view != "id"]
        user_embedding = nn.Embedding(ctx.n_users, dim)
        nn.init.xavier_uniform_(user_embedding.weight)
        binary = sp.csr_matrix(ctx.train > 0, dtype=np.float32)
        normalized = normalized_interactions(ctx.train)
        return _LocalGlobal(
            user_embedding=user_embedding,
            encoder=encoder.build(ctx, dim),
            fusion=fusion.build(ctx, len(views), dim),
            widens=fusion.out_dim(len(views), dim) != dim,
            graph=_Graph(
                to_users=SparseOperator(normalized, ctx.device),
                to_items=SparseOperator(normalized.T, ctx.device),
                user_mean=SparseOperator(row_normalize(binary), ctx.device),
                user_sum=SparseOperator(binary, ctx.device),
            ),
            projections=nn.ParameterDict(
                {m: nn.Parameter(nn.init.xavier_uniform_(torch.empty(dim, self.n_hyperedges))) for m in modalities}
            ),
            settings=self,
        ).to(ctx.device)


class _Graph:
    """The user-item operators the timing multiplies by: A_hat's two blocks, the users' item mean and item sum."""

    def __init__(
        self,
        to_users: SparseOperator,
        to_items: SparseOperator,
        user_mean: SparseOperator,
        user_sum: SparseOperator,
    ) -> None:
        self.to_users = to_users
        self.to_items = to_items
        self.user_mean = user_mean
        self.user_sum = user_sum


class _LocalGlobal(TimingModule):
    temperature = 0.2

    def __init__(
        self,
        user_embedding: nn.Embedding,
        encoder: nn.Module,
        fusion: nn.Module,
        widens: bool,
        graph: _Graph,
        projections: nn.ParameterDict,
        settings: LocalGlobalTiming,
    ) -> None:
        super().__init__()
        self.user_embedding = user_embedding
        self.encoder = encoder
        self.fusion = fusion
        self.widens = widens
        self.graph = graph
        self.projections = projections
        self.modal_layers = settings.modal_layers
        self.hyper_layers = settings.hyper_layers
        self.keep_rate = settings.keep_rate
        self.alpha = settings.alpha

    def forward(self, item_views: dict[str, torch.Tensor]) -> TimingOutput:
        behaviour = self.encoder(self.user_embedding.weight, item_views["id"])
        n_users = behaviour[0].shape[0]
        local = self.fusion([torch.cat(behaviour), *(self._modal(item_views[m]) for m in self.projections)])
        if not self.projections:
            return TimingOutput(local[:n_users], local[n_users:], behaviour=behaviour)
        hyper_views = {m: self._hyper(item_views[m], self.projections[m], behaviour[1]) for m in self.projections}
        world = functional.normalize(sum(torch.cat(pair) for pair in hyper_views.values()), dim=-1)
        fused = torch.cat([local, self.alpha * world], dim=-1) if self.widens else local + self.alpha * world
        return TimingOutput(fused[:n_users], fused[n_users:], behaviour=behaviour, hyper_views=hyper_views)

    def _modal(self, items: torch.Tensor) -> torch.Tensor:
        """L_m [n_users + n_items, d] from the item view h_m [n_items, d]."""
        users = self.graph.user_mean @ items
        for _ in range(self.modal_layers):
            users, items = self.graph.to_users @ items, self.graph.to_items @ users
        return functional.normalize(torch.cat([users, items]), dim=-1)

    def _hyper(
        self, view: torch.Tensor, projection: torch.Tensor, items: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The global embeddings (users [n_users, d], items [n_items, d]) of one modality's hypergraph."""
        logits = view @ projection
        item_members = self._memberships(logits)
        user_members = self._memberships(self.graph.user_sum @ logits)
        for _ in range(self.hyper_layers):
            edges = item_members.T @ items
            items = item_members @ edges
        return user_members @ edges, items

    def _memberships(self, logits: torch.Tensor) -> torch.Tensor:
        """Soft hyperedge memberships [n, n_hyperedges]: Gumbel softmax and dropout while training, softmax after."""
        if not self.training:
            return torch.softmax(logits / self.temperature, dim=-1)
        members = functional.gumbel_softmax(logits, tau=self.temperature, dim=-1)
        return functional.dropout(members, p=1 - self.keep_rate)

    def user_ego(self, users: torch.Tensor) -> torch.Tensor:
        return self.user_embedding(users)
