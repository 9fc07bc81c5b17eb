"""Builds a ``Recommender`` from a ``TrialSpec`` and extracted features through the registry."""

from __future__ import annotations

import torch
from torch import nn

from mmsearch.components import BuildContext, ExtractedFeatures
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrialSpec

from .objective import TrainingObjective
from .recommender import Recommender


def instantiate(registry: Registry, kind: str, choice: ComponentSpec):
    """The plugin ``choice.name`` of ``kind`` constructed with ``choice.params``."""
    return registry.get(kind, choice.name)(**choice.params)


def build_recommender(
    spec: TrialSpec,
    ctx: BuildContext,
    features: dict[str, ExtractedFeatures],
    registry: Registry,
) -> tuple[Recommender, TrainingObjective]:
    """The model and its training objective, on ``ctx.device``, initialised from ``ctx.seed``.

    Args:
        spec: the trial's choices.
        ctx: build context; ``ctx.modality_dims`` must list exactly the modalities of ``features``.
        features: modality -> extracted features of the used modalities.
        registry: where component classes come from.
    """
    torch.manual_seed(ctx.seed)
    item_embedding = nn.Embedding(ctx.n_items, ctx.embedding_dim)
    nn.init.xavier_uniform_(item_embedding.weight)
    transform = instantiate(registry, "transform", spec.transform)
    transforms = nn.ModuleDict(
        {modality: transform.build(ctx, ctx.modality_dims[modality]) for modality in sorted(features)}
    )
    timing = instantiate(registry, "timing", spec.timing).build(
        ctx,
        ["id", *sorted(features)],
        instantiate(registry, "encoder", spec.encoder),
        instantiate(registry, "fusion", spec.fusion),
    )
    modal = {modality: torch.from_numpy(f.values).to(ctx.device) for modality, f in features.items()}
    loss = instantiate(registry, "loss", spec.loss)
    model = Recommender(item_embedding, modal, transforms, timing, loss.head(ctx)).to(ctx.device)
    auxiliaries = nn.ModuleDict(
        {
            name: instantiate(registry, "auxiliary", choice).build(ctx, model.views)
            for name, choice in sorted(spec.auxiliaries.items())
        }
    )
    return model, TrainingObjective(loss.build(ctx), auxiliaries).to(ctx.device)
