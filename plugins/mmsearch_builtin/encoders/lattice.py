"""The ``lattice`` encoder: LightGCN plus convolution over a learned item-item graph (LATTICE, Zhang et al. 2021)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from mmsearch.components import BuildContext, Encoder
from mmsearch.model.knn import knn_graph, symmetric_normalize
from mmsearch.model.neighbours import cosine_neighbours
from mmsearch.model.sparse import SparseOperator
from mmsearch.model.sparse_pattern import SparsePattern
from mmsearch.search.params import FloatParam, IntParam, Param

from .lightgcn import LightGCNPropagation, normalized_interactions


class LatticeEncoder(Encoder):
    """users, items -> LightGCN(users, items) + (0, S^L items), S a learned item-item graph.

    Per modality m, a trainable linear layer projects the raw features f_m to p_m [n_items, embedding_dim]. A_m keeps,
    for every item, its k most cosine-similar items by p_m, weighted by that similarity (clamped at 0). Neighbours are
    found without gradient and in row chunks; the weights are the cosine similarities of the current projections at
    those pairs, so the loss trains the projections. With learned modality weights w = softmax(alpha):

        S = (1 - skip) N(sum_m w_m A_m) + skip sum_m w_m N(G_m),    N(X) = D^-1/2 X D^-1/2, D the row sums of X,

    where G_m is the frozen binary cosine kNN graph of the raw features (LATTICE's skip connection to the initial
    graph, its lambda). Without modal features S is empty and the encoder equals LightGCN.

    Differs from LATTICE: the paper rebuilds the learned graph once per epoch and only that first batch's loss reaches
    the projections; here the neighbour sets are re-found every ``refresh_every`` training forwards and the edge
    weights follow the projections with gradient at every forward. Raw features stay frozen (LATTICE fine-tunes them),
    graphs have no self-loops, and S^L items is added unnormalised (LATTICE L2-normalises it), as in ``item_knn``.

    Args:
        n_layers: LightGCN layers on the user-item graph.
        item_layers: convolution layers L on the item-item graph.
        k: neighbours per item, in both the learned and the initial graphs.
        skip: weight lambda of the initial graph, below 1 (at 1 the learned graph would go unused).
        refresh_every: training forwards between two searches of the learned graph's neighbours (the default is
            about one epoch of a 100k-interaction dataset at batch size 2048, LATTICE's rate).
    """

    name = "lattice"
    needs_modalities = True

    def __init__(
        self, *, n_layers: int = 2, item_layers: int = 1, k: int = 10, skip: float = 0.9, refresh_every: int = 50
    ) -> None:
        self.n_layers = n_layers
        self.item_layers = item_layers
        self.k = k
        self.skip = skip
        self.refresh_every = refresh_every

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "n_layers": IntParam(1, 3),
            "item_layers": IntParam(1, 2),
            "k": IntParam(5, 40, log=True),
            "skip": FloatParam(0.0, 0.95),
        }

    def build(self, ctx: BuildContext, dim: int) -> nn.Module:
        if not 0.0 <= self.skip < 1.0 or self.refresh_every < 1:
            raise ValueError(f"{self.name}: skip must lie in [0, 1) and refresh_every be at least 1")
        propagation = LightGCNPropagation(SparseOperator(normalized_interactions(ctx.train), ctx.device), self.n_layers)
        graphs = nn.ModuleDict(
            {
                modality: ModalGraph(ctx.item_features[modality], ctx.embedding_dim, self.k, ctx.device)
                for modality in sorted(ctx.item_features)
            }
        )
        return LatticeModule(propagation, graphs, self.skip, self.item_layers, self.refresh_every).to(ctx.device)


class ModalGraph(nn.Module):
    """One modality's projection, the neighbour pattern of its learned graph and its frozen initial graph.

    Items whose raw features are all zero (no content) have no neighbours and are nobody's neighbour.

    State: the projection and ``neighbours`` (the columns of the last search, a persistent buffer) are in the
    state dict, so a loaded module keeps the neighbours it was saved with and ``pattern`` is rebuilt from them after
    ``load_state_dict``. The raw ``features`` and the ``present`` items are rebuilt from the data: they are buffers
    (they follow ``.to()``) but not persistent ones.

    Args:
        features: raw features float [n_items, d_m].
        dim: projection width.
        k: neighbours per item.
        device: where everything lives.
    """

    def __init__(self, features: np.ndarray, dim: int, k: int, device: torch.device) -> None:
        super().__init__()
        self.k = k
        self.projection = nn.Linear(features.shape[1], dim).to(device)
        features_tensor = torch.as_tensor(np.asarray(features, dtype=np.float32), device=device)
        self.register_buffer("features", features_tensor, persistent=False)
        present = np.flatnonzero(np.linalg.norm(features, axis=1) > 0)
        self.register_buffer("present", torch.as_tensor(present, device=device), persistent=False)
        self.initial = SparseOperator(symmetric_normalize(knn_graph(features, k)), device)
        self.register_buffer("neighbours", self.search())
        self.pattern = self.current_pattern()
        self.register_load_state_dict_post_hook(_rebuild_pattern)

    @torch.no_grad()
    def search(self) -> torch.Tensor:
        """Each present item's k nearest present items under the current projection: LongTensor
        [n_present, min(k, n_present - 1)], ascending in each row ([n_present, 0] below two present items).
        """
        if len(self.present) < 2:
            return self.present.new_zeros(len(self.present), 0)
        local = cosine_neighbours(self.projection(self.features[self.present]), self.k)
        return self.present[local].sort(dim=1).values

    def refresh(self) -> None:
        """Re-find each item's k nearest neighbours under the current projection (``neighbours`` and ``pattern``)."""
        self.neighbours = self.search()
        self.pattern = self.current_pattern()

    def current_pattern(self) -> SparsePattern:
        """The learned graph's pattern [n_items, n_items]: row ``present[i]`` holds the columns ``neighbours[i]``."""
        rows = self.present.repeat_interleave(self.neighbours.shape[1])
        return SparsePattern(rows, self.neighbours.reshape(-1), len(self.features))

    def similarities(self) -> torch.Tensor:
        """Cosine similarity of the projections at each neighbour pair, clamped at 0: float [E], with gradient."""
        unit = F.normalize(self.projection(self.features), dim=1)
        return self.pattern.sampled_dot(unit, unit).clamp_min(0.0)


def _rebuild_pattern(graph: ModalGraph, _incompatible_keys: object) -> None:
    """``load_state_dict`` post hook: the pattern of the loaded ``neighbours``."""
    graph.pattern = graph.current_pattern()


class LatticeModule(nn.Module):
    """The built encoder (see ``LatticeEncoder``); ``graphs`` maps modality -> ``ModalGraph``.

    ``steps`` counts training forwards; the one after every ``refresh_every`` of them re-finds the neighbours first.
    Eval-mode forwards neither refresh nor count, so they use the neighbours of the last refresh (or of the loaded
    state). The counter is not saved: a module loaded from a state dict uses the loaded neighbours in eval mode and,
    if trained on, for its first ``refresh_every`` training forwards.
    """

    def __init__(
        self,
        propagation: LightGCNPropagation,
        graphs: nn.ModuleDict,
        skip: float,
        item_layers: int,
        refresh_every: int,
    ) -> None:
        super().__init__()
        self.propagation = propagation
        self.graphs = graphs
        self.modality_logits = nn.Parameter(torch.zeros(len(graphs)))
        self.skip = skip
        self.item_layers = item_layers
        self.refresh_every = refresh_every
        self.steps = 0

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out_users, out_items = self.propagation(users, items)
        if not len(self.graphs):
            return out_users, out_items
        if self.training:
            if self.steps and self.steps % self.refresh_every == 0:
                for graph in self.graphs.values():
                    graph.refresh()
            self.steps += 1
        weights = self.modality_weights()
        learned = self.learned_values()
        neighbourhood = items
        for _ in range(self.item_layers):
            product = [
                (1.0 - self.skip) * graph.pattern.matmul(values, neighbourhood)
                + self.skip * w * (graph.initial @ neighbourhood)
                for w, graph, values in zip(weights, self.graphs.values(), learned)
            ]
            neighbourhood = torch.stack(product).sum(dim=0)
        return out_users, out_items + neighbourhood

    def modality_weights(self) -> torch.Tensor:
        """softmax(alpha): float [n_modalities], in sorted modality order."""
        return torch.softmax(self.modality_logits, dim=0)

    def learned_values(self) -> list[torch.Tensor]:
        """Per modality, the values at its pattern of N(sum_m w_m A_m), which carry gradients."""
        graphs = list(self.graphs.values())
        weighted = [w * graph.similarities() for w, graph in zip(self.modality_weights(), graphs)]
        degree = weighted[0].new_zeros(len(graphs[0].features))
        for graph, values in zip(graphs, weighted):
            degree = degree.index_add(0, graph.pattern.rows, values)
        scale = torch.where(degree > 0, degree.clamp_min(torch.finfo(degree.dtype).tiny).rsqrt(), 0.0)
        return [values * scale[g.pattern.rows] * scale[g.pattern.cols] for g, values in zip(graphs, weighted)]
