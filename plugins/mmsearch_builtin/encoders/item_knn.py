"""The ``item_knn`` encoder: LightGCN plus convolution over a frozen item-item kNN graph of modal features (FREEDOM)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.nn import functional

from mmsearch.components import BuildContext, Encoder, EpochResampled
from mmsearch.model.knn import knn_graph, symmetric_normalize
from mmsearch.model.sparse import SparseOperator
from mmsearch.search.params import ChoiceParam, FloatParam, IntParam, Param

from ._edge_dropout import EdgeSampler
from .lightgcn import LightGCNPropagation, normalized_interactions

GRAPH_INPUTS = ("input", "output")


class ItemKNNEncoder(Encoder):
    """users, items -> LightGCN(users, items) + (0, S^L x), S the frozen item-item graph (FREEDOM's encoder), x the
    input items (``graph_on = input``, FREEDOM) or LightGCN's output items (``output``, DRAGON and SAND).

    S = sum_m w_m D^-1/2 G_m D^-1/2 where G_m is the binary cosine kNN graph of modality m's extracted features and D
    its row sums, built once, sparse and in row chunks (FREEDOM, Zhou & Shen 2023, freezes it after building it from
    raw features). With exactly two modalities of which one is ``image``, w_image = ``image_weight`` and the other
    gets 1 - ``image_weight`` (FREEDOM's ``mm_image_weight``, 0.1 against text); otherwise the weights are equal.
    Without modal features S is empty and the encoder equals LightGCN.

    With ``edge_dropout`` p > 0, every training epoch propagates over a fresh subgraph of the user-item graph that
    keeps int((1 - p) |E|) edges, drawn without replacement with probability proportional to 1 / sqrt(d_u d_i) and
    re-normalised over its own degrees (FREEDOM's degree-sensitive edge pruning, redrawn once per epoch as there);
    evaluation uses the full graph.

    ``combine`` and ``normalize_inputs`` are LightGCN's (see ``lightgcn``); normalised inputs feed the item graph too.

    Args:
        n_layers: LightGCN layers on the user-item graph.
        item_layers: convolution layers L on the item-item graph.
        k: neighbours per item.
        self_loops: every item is among its own k neighbours (FREEDOM's top-k includes the item itself).
        image_weight: weight of the ``image`` graph against the other of two modalities.
        edge_dropout: fraction p of user-item edges pruned per training epoch.
        graph_on: ``input`` or ``output``: what the item graph convolves.
        combine: ``mean`` or ``sum`` of LightGCN's layer outputs.
        normalize_inputs: scale the input rows to unit length first.
    """

    name = "item_knn"
    needs_modalities = True

    def __init__(
        self,
        *,
        n_layers: int = 2,
        item_layers: int = 1,
        k: int = 10,
        self_loops: bool = False,
        image_weight: float = 0.5,
        edge_dropout: float = 0.0,
        graph_on: str = "input",
        combine: str = "mean",
        normalize_inputs: bool = False,
    ) -> None:
        self.n_layers = n_layers
        self.item_layers = item_layers
        self.k = k
        self.self_loops = self_loops
        self.image_weight = image_weight
        self.edge_dropout = edge_dropout
        self.graph_on = graph_on
        self.combine = combine
        self.normalize_inputs = normalize_inputs

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "n_layers": IntParam(1, 3),
            "item_layers": IntParam(1, 2),
            "k": IntParam(5, 40, log=True),
            "self_loops": ChoiceParam((False, True)),
            "image_weight": FloatParam(0.0, 1.0),
            "edge_dropout": FloatParam(0.0, 0.9),
            "graph_on": ChoiceParam(GRAPH_INPUTS),
        }

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        if not 0.0 <= self.edge_dropout < 1.0:
            raise ValueError(f"{self.name}: edge_dropout must lie in [0, 1), got {self.edge_dropout}")
        if self.graph_on not in GRAPH_INPUTS:
            raise ValueError(f"{self.name}: graph_on must be one of {', '.join(GRAPH_INPUTS)}, got '{self.graph_on}'")
        interactions = SparseOperator(normalized_interactions(ctx.train), ctx.device)
        item_graph = SparseOperator(self.item_graph(ctx), ctx.device)
        sampler = EdgeSampler(ctx.train, self.edge_dropout, ctx.seed) if self.edge_dropout else None
        propagation = LightGCNPropagation(interactions, self.n_layers, self.combine, self.normalize_inputs)
        return _ItemKNN(propagation, item_graph, self.item_layers, sampler, self.graph_on == "output")

    def item_graph(self, ctx: BuildContext) -> sp.csr_matrix:
        """The combined normalised item-item graph S, float32 CSR [n_items, n_items]."""
        modalities = sorted(ctx.item_features)
        if len(modalities) == 2 and "image" in modalities:
            weights = [self.image_weight if modality == "image" else 1.0 - self.image_weight for modality in modalities]
        else:
            weights = [1.0 / max(1, len(modalities))] * len(modalities)
        graph = sp.csr_matrix((ctx.n_items, ctx.n_items), dtype=np.float32)
        for modality, weight in zip(modalities, weights):
            neighbours = knn_graph(ctx.item_features[modality], self.k, self_loops=self.self_loops)
            graph = graph + weight * symmetric_normalize(neighbours)
        return graph.tocsr()


class _ItemKNN(nn.Module, EpochResampled):
    def __init__(
        self,
        propagation: LightGCNPropagation,
        item_graph: SparseOperator,
        item_layers: int,
        sampler: EdgeSampler | None,
        graph_on_output: bool,
    ) -> None:
        super().__init__()
        self.propagation = propagation
        self.item_graph = item_graph
        self.item_layers = item_layers
        self.sampler = sampler
        self.graph_on_output = graph_on_output
        self.pruned: LightGCNPropagation | None = None

    def new_epoch(self) -> None:
        if self.sampler is not None:
            pruned = SparseOperator(self.sampler.sample(), self.item_graph.device)
            self.pruned = self.propagation.with_graph(pruned)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        propagation = self.propagation
        if self.training and self.sampler is not None:
            if self.pruned is None:
                self.new_epoch()
            propagation = self.pruned
        out_users, out_items = propagation(users, items)
        if self.graph_on_output:
            neighbourhood = out_items
        else:
            neighbourhood = functional.normalize(items, dim=-1) if propagation.normalize_inputs else items
        for _ in range(self.item_layers):
            neighbourhood = self.item_graph @ neighbourhood
        return out_users, out_items + neighbourhood
