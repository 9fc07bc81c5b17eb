"""TrialSpec: the frozen value that, with its seed, fully determines a model and its training."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from mmsearch.errors import SpaceError

AXES = ("transform", "encoder", "timing", "fusion", "loss")
MODAL_AXES = ("transform", "timing", "fusion")
"""Axes that act on modal views: inactive in an ID-only trial, whose only item view is the ID embedding."""
REG_TARGETS = ("layer0", "final")
"""What the L2 term acts on: the batch's layer-0 embeddings (LightGCN), or its final representations, the vectors
the scores are made of (MGCN's released code)."""
NEGATIVE_POOLS = ("all", "trained")
"""Items a training negative is drawn from: every item, or only the items with a training interaction (MMRec's
sampler, which the released code of FREEDOM, MGCN and SAND uses: an item never seen in training is never a negative)."""


@dataclass(frozen=True)
class ComponentSpec:
    """A plugin name and the values of its hyper-parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainConfig:
    """Training settings shared by every model (defaults follow the literature: d=64, Adam, lr 1e-3, batch 2048).

    Attributes:
        embedding_dim: width of ID embeddings and modal views.
        lr: Adam learning rate.
        batch_size: (user, positive, negative) triples per step.
        reg_weight: L2 weight (half the squared norms, averaged over the batch).
        reg_target: what the L2 acts on: ``"layer0"`` (the batch's layer-0 embeddings) or ``"final"`` (its final user
            and item representations); see ``REG_TARGETS``.
        reg_modal_views: with ``reg_target`` ``"layer0"``, whether that L2 also covers the items' modal views (the
            whole layer-0 item vector, as in VBPR) instead of their ID embeddings only.
        negatives: uniformly sampled negatives per positive.
        negative_pool: items negatives are drawn from: ``"all"``, or ``"trained"`` (only items with a training
            interaction); see ``NEGATIVE_POOLS``.
        max_epochs: upper bound on training epochs.
        patience: evaluations without a new best validation Recall@20 before stopping.
        eval_every: epochs between two validation evaluations.
    """

    embedding_dim: int = 64
    lr: float = 1e-3
    batch_size: int = 2048
    reg_weight: float = 1e-4
    reg_target: str = "layer0"
    reg_modal_views: bool = False
    negatives: int = 1
    negative_pool: str = "all"
    max_epochs: int = 200
    patience: int = 20
    eval_every: int = 1

    def __post_init__(self) -> None:
        for name in ("embedding_dim", "batch_size", "negatives", "max_epochs", "patience", "eval_every"):
            if getattr(self, name) < 1:
                raise SpaceError(f"train.{name} must be at least 1, got {getattr(self, name)}")
        if not self.lr > 0 or self.reg_weight < 0:
            raise SpaceError(f"train.lr must be > 0 and train.reg_weight >= 0, got {self.lr}, {self.reg_weight}")
        if self.reg_target not in REG_TARGETS:
            raise SpaceError(f"train.reg_target must be one of {list(REG_TARGETS)}, got {self.reg_target!r}")
        if self.negative_pool not in NEGATIVE_POOLS:
            raise SpaceError(f"train.negative_pool must be one of {list(NEGATIVE_POOLS)}, got {self.negative_pool!r}")


TRAIN_FIELDS = {f.name: f.type for f in fields(TrainConfig)}


@dataclass(frozen=True)
class TrialSpec:
    """Component choices and settings of one trial. ``to_json``/``from_json`` round-trip exactly.

    Attributes:
        extractors: modality name -> extractor; a modality absent here is not used by the model.
        transform, encoder, timing, fusion, loss: the chosen component of each axis.
        train: training settings.
        seed: seeds weights, negative sampling and any random extraction.
        auxiliaries: auxiliary-loss name -> its choice (none, one or several).
    """

    extractors: Mapping[str, ComponentSpec]
    transform: ComponentSpec
    encoder: ComponentSpec
    timing: ComponentSpec
    fusion: ComponentSpec
    loss: ComponentSpec
    train: TrainConfig
    seed: int
    auxiliaries: Mapping[str, ComponentSpec] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible dict."""
        return json.loads(json.dumps(asdict(self), sort_keys=True))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TrialSpec:
        """Inverse of ``to_dict``."""
        component = lambda value: ComponentSpec(value["name"], dict(value["params"]))  # noqa: E731
        return cls(
            extractors={modality: component(value) for modality, value in raw["extractors"].items()},
            **{axis: component(raw[axis]) for axis in AXES},
            train=TrainConfig(**raw["train"]),
            seed=int(raw["seed"]),
            auxiliaries={name: component(value) for name, value in raw.get("auxiliaries", {}).items()},
        )

    @classmethod
    def from_json(cls, text: str) -> TrialSpec:
        return cls.from_dict(json.loads(text))

    @property
    def id_only(self) -> bool:
        """True when the model uses no modality (``MODAL_AXES`` then have no view to act on)."""
        return not self.extractors

    def label(self) -> str:
        """Short human label, e.g. ``lightgcn|late|concat|bpr+sand|image:provided``; ``mf|bpr|id-only`` for an ID-only
        trial (its inactive axes left out)."""
        loss = "+".join([self.loss.name, *sorted(self.auxiliaries)])
        if self.id_only:
            return f"{self.encoder.name}|{loss}|id-only"
        modal = ",".join(f"{m}:{c.name}" for m, c in sorted(self.extractors.items()))
        return f"{self.encoder.name}|{self.timing.name}|{self.fusion.name}|{loss}|{modal}"
