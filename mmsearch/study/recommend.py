"""Top-k recommendations of a kept model: rebuilt from its spec and the study's data, weights loaded from its file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import optuna
import torch

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError
from mmsearch.model import FeatureCache, Recommender
from mmsearch.registry import Registry
from mmsearch.train.trainer import score_all

from .artifacts import load_model, models_dir, restore
from .execute import build_model
from .storage import study_dir
from .stored import check_dataset, find_trial


@dataclass(frozen=True)
class Recommendation:
    """One recommended item: its rank (1-based), id in the source files (the internal index when the dataset kept
    no id mapping), internal index and score."""

    rank: int
    item: object
    index: int
    score: float


def load_kept_model(
    study: optuna.Study, number: int, dataset: Dataset, registry: Registry, device: torch.device, run_dir: Path
) -> Recommender:
    """The kept model of trial ``number`` in eval mode on ``device``, built as the trial built it.

    Raises:
        StorageError: other data than the study's, an unknown trial, no kept model, or weights that do not fit.
    """
    check_dataset(study, dataset)
    find_trial(study, number)
    kept = load_model(models_dir(run_dir, study.study_name), number)
    cache = FeatureCache(study_dir(run_dir, study.study_name) / "features")
    model, _, _ = build_model(kept.spec, dataset, registry, device, cache)
    restore(model, kept)
    return model.eval()


def user_index(dataset: Dataset, user: str) -> int:
    """The internal index of ``user``: an id of the source files when the dataset keeps them, else an index.

    Raises:
        MMSearchError: no such user.
    """
    if dataset.user_ids is not None:
        matches = np.flatnonzero(dataset.user_ids.astype(str) == user)
        if matches.size == 0:
            raise MMSearchError(f"user '{user}' is not a user id of {dataset.name}")
        return int(matches[0])
    if not user.lstrip("-").isdigit() or not 0 <= int(user) < dataset.n_users:
        raise MMSearchError(f"user '{user}' is out of range: {dataset.name} has users 0..{dataset.n_users - 1}")
    return int(user)


def recommend(model: Recommender, dataset: Dataset, user: int, k: int = 10) -> list[Recommendation]:
    """The ``k`` best-scored items for ``user`` (an internal index) among those outside the user's training items.

    Raises:
        MMSearchError: ``k`` < 1.
    """
    if k < 1:
        raise MMSearchError(f"-k must be at least 1, got {k}")
    scores = score_all(model)(torch.tensor([user]))[0].float().cpu()
    seen = dataset.train.indices[dataset.train.indptr[user] : dataset.train.indptr[user + 1]]
    scores[torch.from_numpy(seen.astype(np.int64))] = -torch.inf
    top = torch.topk(scores, min(k, dataset.n_items - len(seen)))
    return [
        Recommendation(rank, _item_id(dataset, index), index, score)
        for rank, (score, index) in enumerate(zip(top.values.tolist(), top.indices.tolist()), start=1)
    ]


def _item_id(dataset: Dataset, index: int) -> object:
    return dataset.item_ids[index].item() if dataset.item_ids is not None else index
