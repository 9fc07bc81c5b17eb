"""The ``mlp`` modal transform: a two-layer perceptron from modal features to the embedding width."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, Transform
from mmsearch.search.params import ChoiceParam, FloatParam, IntParam, Param

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}


class MLPTransform(Transform):
    """``view = W2 dropout(act(W1 features + b1)) + b2`` with W1 [in_dim, hidden], W2 [hidden, d].

    Weights are Xavier-uniform, biases zero. Dropout acts on the hidden layer in training mode only.

    Args:
        hidden: width of the hidden layer.
        activation: ``relu``, ``tanh`` or ``leaky_relu`` (negative slope 0.01).
        dropout: probability of zeroing a hidden unit during training, in [0, 1).
    """

    name = "mlp"

    def __init__(self, *, hidden: int = 128, activation: str = "relu", dropout: float = 0.0) -> None:
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout

    @classmethod
    def search_space(cls) -> dict[str, Param]:
        return {
            "hidden": IntParam(32, 512, log=True),
            "activation": ChoiceParam(tuple(ACTIVATIONS)),
            "dropout": FloatParam(0.0, 0.5),
        }

    def build(self, ctx: BuildContext, in_dim: int) -> nn.Module:
        """A fresh MLP ``in_dim -> hidden -> ctx.embedding_dim``.

        Raises:
            ValueError: ``activation`` is not one of ``relu``, ``tanh``, ``leaky_relu``.
        """
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation '{self.activation}'; choose one of {', '.join(ACTIVATIONS)}")
        return _MLP(in_dim, self.hidden, ctx.embedding_dim, ACTIVATIONS[self.activation](), self.dropout).to(ctx.device)


class _MLP(nn.Module):
    def __init__(self, in_dim: int, hidden: int, out_dim: int, activation: nn.Module, dropout: float) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_dim, hidden), activation, nn.Dropout(dropout), nn.Linear(hidden, out_dim)
        )
        for layer in (self.layers[0], self.layers[3]):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, features: torch.Tensor, item_ids: torch.Tensor) -> torch.Tensor:
        return self.layers(features)
