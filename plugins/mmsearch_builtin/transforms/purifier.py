"""The ``purifier`` modal transform: MGCN's behaviour-guided purifier, the modal signal gates the item ID embedding."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Transform

from .linear import FeatureProjection


class PurifierTransform(Transform):
    """``view = item_ids * sigmoid(W2 (W1 features + b1) + b2)`` with W1 [in_dim, d], W2 [d, d].

    This is the two-layer form of MGCN (Yu et al., 2023, "Multi-View Graph Convolutional Network for Multimedia
    Recommendation"): the features are first projected to the embedding width (MGCN's ``image_trs``/``text_trs``),
    then a linear layer with a sigmoid (MGCN's ``gate_v``/``gate_t``) gates the item ID embedding element-wise, so
    only the modal information that agrees with the collaborative signal passes. Because the gate lies in (0, 1),
    ``|view| <= |item_ids|`` element-wise and the view is zero wherever the ID embedding is.

    The two linear layers have no nonlinearity between them, so the gate's function class equals that of one
    layer ``sigmoid(W features + b)``; the factorised form is kept because it is MGCN's parametrisation, which
    trains differently. With ``tune_features`` the features are trained from their extracted values, as MGCN's
    unfrozen feature embeddings are (see ``linear``). Difference from MGCN's reference code: weights are
    Xavier-uniform with zero biases (MGCN keeps PyTorch's default ``nn.Linear`` init).

    Args:
        tune_features: learn per-item offsets of the features (``linear``'s delta).
    """

    name = "purifier"

    def __init__(self, *, tune_features: bool = False) -> None:
        self.tune_features = tune_features

    def build(self, ctx: BuildContext, in_dim: int) -> nn.Module:
        projection = FeatureProjection(ctx.n_items, in_dim, ctx.embedding_dim, self.tune_features)
        return _Purifier(projection, ctx.embedding_dim).to(ctx.device)


class _Purifier(nn.Module):
    def __init__(self, projection: FeatureProjection, dim: int) -> None:
        super().__init__()
        self.projection = projection
        self.gate = IDGate(dim)

    def forward(self, features: torch.Tensor, item_ids: torch.Tensor) -> torch.Tensor:
        return self.gate(self.projection(features), item_ids)


class IDGate(nn.Linear):
    """(signal [n, dim], item_ids [n, dim]) -> item_ids * sigmoid(W signal + b): a modal signal gates the item ID
    embedding (MGCN's and SMORE's purifier); W [dim, dim] Xavier-uniform, b zero."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim, dim)
        nn.init.xavier_uniform_(self.weight)
        nn.init.zeros_(self.bias)

    def forward(self, signal: torch.Tensor, item_ids: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return item_ids * torch.sigmoid(super().forward(signal))
