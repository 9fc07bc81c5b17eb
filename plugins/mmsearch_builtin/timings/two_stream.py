"""``two_stream`` timing: a behaviour stream on the user-item graph and modal streams on item-item graphs (MGCN)."""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sp
import torch
from torch import nn

from mmsearch.components import BuildContext, Encoder, Fusion, FusionTiming, TimingModule, TimingOutput
from mmsearch.model.knn import knn_graph, symmetric_normalize
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, IntParam, Param

from ..encoders.lightgcn import normalized_interactions


class TwoStreamTiming(FusionTiming):
    """Behaviour stream (C_u, C_i) = Encoder(user_embedding, item_view_id); per modality m, items M_m,i = S_m^L h_m
    and users M_m,u = R_hat M_m,i; then users = Fusion(C_u, M_*,u), items = Fusion(C_i, M_*,i) with one fusion module.

    MGCN (Yu et al., 2023) in the design space: S_m is modality m's own frozen kNN graph of its extracted features
    (top-``k`` by cosine, the item itself included and the edges weighted by the cosine where ``self_loops`` and
    ``weighted``, as MGCN's; D^-1/2 G D^-1/2 over row sums), R_hat = D_u^-1/2 R D_i^-1/2 the normalised user-item
    matrix, so a user's modal representation aggregates their items'. Only the behaviour stream has user
    embeddings and the encoder; the fusion's parameters are shared by users and items (MGCN's fuser acts on the
    stacked users and items). The output keeps the behaviour stream (``keeps_behaviour``).

    Args:
        k: neighbours per item in each modality's graph.
        item_layers: convolution layers L on the item-item graphs.
        self_loops: every item is among its own k neighbours.
        weighted: edges carry the cosine similarity (else 1).
    """

    name = "two_stream"
    keeps_behaviour = True

    def __init__(self, *, k: int = 10, item_layers: int = 1, self_loops: bool = True, weighted: bool = True) -> None:
        self.k = k
        self.item_layers = item_layers
        self.self_loops = self_loops
        self.weighted = weighted

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {"k": IntParam(5, 40, log=True), "item_layers": IntParam(1, 2), "weighted": ChoiceParam((False, True))}

    def build(self, ctx: BuildContext, views: Sequence[str], encoder: Encoder, fusion: Fusion) -> TimingModule:
        user_embedding = nn.Embedding(ctx.n_users, ctx.embedding_dim)
        nn.init.xavier_uniform_(user_embedding.weight)
        graphs = {
            view: SparseOperator(modal_graph(ctx, view, self.k, self.self_loops, self.weighted), ctx.device)
            for view in views
            if view != "id"
        }
        return TwoStreamModule(
            user_embedding=user_embedding,
            encoder=encoder.build(ctx, ctx.embedding_dim),
            fusion=fusion.build(ctx, len(views), ctx.embedding_dim),
            item_graphs=graphs,
            interactions=SparseOperator(normalized_interactions(ctx.train), ctx.device),
            item_layers=self.item_layers,
        ).to(ctx.device)


def modal_graph(ctx: BuildContext, modality: str, k: int, self_loops: bool, weighted: bool) -> sp.csr_matrix:
    """D^-1/2 G D^-1/2 of the kNN graph G of one modality's extracted features (see ``TwoStreamTiming``)."""
    return symmetric_normalize(knn_graph(ctx.item_features[modality], k, self_loops=self_loops, weighted=weighted))


def graph_stream(items: torch.Tensor, graph: SparseOperator, interactions: SparseOperator, layers: int) -> torch.Tensor:
    """[users; items] [n_users + n_items, d] of one modal stream: items S^L h, users R_hat (S^L h)."""
    for _ in range(layers):
        items = graph @ items
    return torch.cat([interactions @ items, items])


class TwoStreamModule(TimingModule):
    """The module of ``TwoStreamTiming``; ``modal_items`` is the hook a variant overrides."""

    def __init__(
        self,
        user_embedding: nn.Embedding,
        encoder: nn.Module,
        fusion: nn.Module,
        item_graphs: dict[str, SparseOperator],
        interactions: SparseOperator,
        item_layers: int,
    ) -> None:
        super().__init__()
        self.user_embedding = user_embedding
        self.encoder = encoder
        self.fusion = fusion
        self.item_graphs = item_graphs
        self.interactions = interactions
        self.item_layers = item_layers

    def forward(self, item_views: dict[str, torch.Tensor]) -> TimingOutput:
        behaviour = self.encoder(self.user_embedding.weight, item_views["id"])
        streams = [torch.cat(behaviour)]
        for view, items in self.modal_items(item_views).items():
            streams.append(graph_stream(items, self.item_graphs[view], self.interactions, self.item_layers))
        fused = self.fusion(streams)
        n_users = behaviour[0].shape[0]
        return TimingOutput(fused[:n_users], fused[n_users:], behaviour=behaviour)

    def modal_items(self, item_views: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The item view [n_items, d] that runs over each item graph, in the graphs' order (here: as given)."""
        return {view: item_views[view] for view in self.item_graphs}

    def user_ego(self, users: torch.Tensor) -> torch.Tensor:
        return self.user_embedding(users)
