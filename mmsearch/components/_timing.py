"""Fusion timing: where fusion happens relative to the encoder (early: before it; late: after it)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import nn

from ._component import Component
from ._encoder import Encoder
from ._fusion import Fusion
from .context import BuildContext


@dataclass(frozen=True)
class TimingOutput:
    """What a timing module computes from the item views.

    Attributes:
        users: final user representations [n_users, D].
        items: final item representations [n_items, D].
        behaviour: the ID stream after its encoder and before fusion, (users [n_users, d], items [n_items, d]), from
            a timing that keeps it apart from the modal streams (``keeps_behaviour``); None otherwise.
        hyper_views: modality -> its global (hypergraph) embeddings (users [n_users, d], items [n_items, d]), from a
            timing that ``gives_hyper_views``; empty otherwise.
    """

    users: torch.Tensor
    items: torch.Tensor
    behaviour: tuple[torch.Tensor, torch.Tensor] | None = None
    hyper_views: dict[str, tuple[torch.Tensor, torch.Tensor]] = field(default_factory=dict)


class TimingModule(nn.Module, ABC):
    """Owns the user embeddings and composes encoder and fusion for one model."""

    @abstractmethod
    def forward(self, item_views: dict[str, torch.Tensor]) -> TimingOutput:
        """Item views (name -> [n_items, d], in build order) -> the final representations (``TimingOutput``)."""

    @abstractmethod
    def user_ego(self, users: torch.Tensor) -> torch.Tensor:
        """Layer-0 user embeddings of ``users`` (LongTensor [B]) as [B, *], for L2 regularisation."""


class FusionTiming(Component):
    """Contract: ``build`` returns a ``TimingModule`` for the given ordered view names (``id`` first).

    ``keeps_behaviour`` is True for a timing whose output carries the encoded ID stream (``TimingOutput.behaviour``),
    ``gives_hyper_views`` for one whose output carries every modality's ``TimingOutput.hyper_views``.
    """

    kind: ClassVar[str] = "timing"
    keeps_behaviour: ClassVar[bool] = False
    gives_hyper_views: ClassVar[bool] = False

    @classmethod
    def keeps_behaviour_with(cls, params: Mapping[str, Any]) -> bool:
        """Whether the timing built with ``params`` keeps the behaviour stream (by default ``keeps_behaviour``)."""
        return cls.keeps_behaviour

    @abstractmethod
    def build(self, ctx: BuildContext, views: Sequence[str], encoder: Encoder, fusion: Fusion) -> TimingModule:
        """A fresh module; it calls ``encoder.build`` and ``fusion.build`` as many times as it needs."""
