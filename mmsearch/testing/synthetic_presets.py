"""Named models compared on the synthetic data under one short, shared budget (the presets' sanity check)."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable
from pathlib import Path

import torch

from mmsearch.data.synth import synthetic_dataset
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry
from mmsearch.search.params import FixedParam
from mmsearch.search.presets import load_presets
from mmsearch.study.execute import execute_spec

LR = 5e-3
"""The learning rate every preset trains at here, in place of its own, so that the short budget suffices for all."""


def synthetic_valid_recall(
    names: Iterable[str], lr: float = LR, max_epochs: int = 40, patience: int = 10
) -> dict[str, float]:
    """Validation Recall@20 of each named preset on ``synthetic_dataset(400 users, 300 items, seed 0)``: 32-d
    embeddings, batches of 1024, seed 0, every preset at ``lr``, early stopping after ``patience`` epochs."""
    dataset = synthetic_dataset(n_users=400, n_items=300, seed=0)
    train = {
        "embedding_dim": FixedParam(32),
        "lr": FixedParam(lr),
        "batch_size": FixedParam(1024),
        "max_epochs": FixedParam(max_epochs),
        "patience": FixedParam(patience),
    }
    presets = load_presets()
    scores = {}
    with tempfile.TemporaryDirectory() as features:
        cache = FeatureCache(Path(features))
        for name in names:
            spec = presets[name].to_spec(sorted(dataset.modalities), train, seed=0)
            spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, lr=lr))
            outcome = execute_spec(spec, dataset, Registry(), torch.device("cpu"), cache)
            scores[name] = outcome.result.valid.metrics["recall@20"]
    return scores
