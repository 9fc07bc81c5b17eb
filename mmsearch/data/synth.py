"""A small synthetic dataset with planted multimodal structure, in the MMRec format.

Generative model (all draws from one generator seeded by ``seed``, except the signal-replacing noise below, which
comes from a child generator seeded by ``[seed, 1 + modality index]``; the output is a function of the arguments):

- every item has a latent vector ``[shared (12) ; image-unique (6) ; text-unique (6)]`` drawn from N(0, I), and a
  popularity bias drawn from N(0, 1.5^2), which gives a long tail of rarely seen items;
- the ``image`` features (64-d) are a fixed random linear map of ``[shared ; image-unique]`` plus N(0, 0.3^2) noise,
  the ``text`` features (48-d) a map of ``[shared ; text-unique]`` plus noise: each modality sees the shared part and
  only its own unique part;
- a modality with signal strength ``s`` < 1 (default 1 for every modality) maps ``s * view + sqrt(1 - s^2) * z``
  instead of its ``view = [shared ; unique]``, with ``z`` a fresh N(0, I) draw of the same width: the feature scale is
  unchanged, and ``s = 0`` makes the modality pure noise, independent of the items' latent vectors and therefore of the
  interactions (a planted effect for calibration benchmarks); ``s = 1`` leaves every draw as without it;
- every user has a latent vector drawn from N(0, I); the score of an item is ``6 * <user, item latent> / sqrt(24)``
  plus the item's bias, and the user draws 15-25 distinct items with probability given by the softmax of the scores
  (Gumbel top-k sampling without replacement);
- every user's interactions are split 8:1:1 by the random rule of ``splits`` (seeded with ``seed``).

With the defaults (1,000 users, 800 items, about 20,000 interactions) more than a tenth of the items have at most three
training interactions, while their features reveal their latent vector: a model that uses the features beats an
ID-only one, and one that fuses both modalities beats one that uses either alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from mmsearch.errors import DataError

from .dataset import Dataset, Modality
from .mmrec import FEATURE_SUFFIX, INTER_SUFFIX, ITEM_COLUMN, LABEL_COLUMN, USER_COLUMN
from .splits import random_split, split_matrices

DEFAULT_USERS = 1000
DEFAULT_ITEMS = 800
SHARED_DIM = 12
UNIQUE_DIM = 6
MODALITY_DIMS = {"image": 64, "text": 48}
PREFERENCE_SCALE = 6.0
POPULARITY_SCALE = 1.5
FEATURE_NOISE = 0.3
MIN_PER_USER, MAX_PER_USER = 15, 25
FILE_STEM = "synth"
_SCORE_BLOCK = 2**20


class _Synthetic(NamedTuple):
    """Generated interactions (one row each), item features and the planted item factors."""

    users: np.ndarray
    items: np.ndarray
    labels: np.ndarray
    features: dict[str, np.ndarray]
    factors: dict[str, np.ndarray]


def synthetic_dataset(
    n_users: int = DEFAULT_USERS,
    n_items: int = DEFAULT_ITEMS,
    seed: int = 0,
    signal: Mapping[str, float] | None = None,
) -> Dataset:
    """The synthetic dataset in memory, named ``synth``; equal in content to what ``write_synthetic`` writes.

    Args:
        n_users, n_items: dataset size.
        seed: the seed of every random draw.
        signal: modality -> signal strength in [0, 1]; modalities not named keep 1 (see the module docstring).

    Raises:
        DataError: fewer than one user or fewer than ``2 * MAX_PER_USER`` items, or a bad ``signal``.
    """
    data = _generate(n_users, n_items, seed, signal)
    train, valid, test = split_matrices(data.users, data.items, data.labels, n_users, n_items)
    modalities = {
        name: Modality(name=name, features=features, present=np.ones(n_items, dtype=bool))
        for name, features in data.features.items()
    }
    return Dataset(
        name=FILE_STEM, n_users=n_users, n_items=n_items, train=train, valid=valid, test=test, modalities=modalities
    )


def synthetic_factors(
    n_users: int = DEFAULT_USERS,
    n_items: int = DEFAULT_ITEMS,
    seed: int = 0,
    signal: Mapping[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """The planted item factors of the synthetic dataset of the same arguments: ``shared`` [n_items, 12] (seen by
    every modality) and one unique factor per modality, ``image`` and ``text`` [n_items, 6] (seen by that modality
    alone), before any signal-replacing noise.

    Raises:
        DataError: as ``synthetic_dataset``.
    """
    return _generate(n_users, n_items, seed, signal).factors


def write_synthetic(
    out_dir: str | Path,
    n_users: int = DEFAULT_USERS,
    n_items: int = DEFAULT_ITEMS,
    seed: int = 0,
    signal: Mapping[str, float] | None = None,
) -> Path:
    """Write the synthetic dataset as an MMRec folder: ``synth.inter``, ``image_feat.npy``, ``text_feat.npy``.

    Args:
        out_dir: the folder to write into (created if needed; files of the same names are replaced).
        n_users, n_items: dataset size.
        seed: the seed of every random draw.
        signal: modality -> signal strength in [0, 1]; modalities not named keep 1 (see the module docstring).

    Returns:
        The folder, loadable with ``load_dataset``.

    Raises:
        DataError: sizes out of range, a bad ``signal``, or the folder cannot be written.
    """
    folder = Path(out_dir)
    data = _generate(n_users, n_items, seed, signal)
    table = pd.DataFrame(
        {
            USER_COLUMN: data.users,
            ITEM_COLUMN: data.items,
            "rating": np.ones(data.users.size, dtype=np.int64),
            "timestamp": np.arange(data.users.size),
            LABEL_COLUMN: data.labels,
        }
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        table.to_csv(folder / f"{FILE_STEM}{INTER_SUFFIX}", sep="\t", index=False)
        for name, features in data.features.items():
            np.save(folder / f"{name}{FEATURE_SUFFIX}", features)
    except OSError as error:
        raise DataError(f"{folder}: cannot write the synthetic dataset ({error})") from error
    return folder


def _signal_strengths(signal: Mapping[str, float] | None) -> dict[str, float]:
    """Every modality's signal strength: 1 unless ``signal`` names it.

    Raises:
        DataError: ``signal`` names an unknown modality, or a strength is not a number in [0, 1].
    """
    strengths = dict.fromkeys(MODALITY_DIMS, 1.0)
    for name, strength in (signal or {}).items():
        if name not in MODALITY_DIMS:
            raise DataError(f"signal: unknown modality {name!r} (expected one of {', '.join(MODALITY_DIMS)})")
        if not isinstance(strength, Real) or not 0.0 <= strength <= 1.0:
            raise DataError(f"signal: strength of {name!r} must be a number in [0, 1] (got {strength!r})")
        strengths[name] = float(strength)
    return strengths


def _generate(n_users: int, n_items: int, seed: int, signal: Mapping[str, float] | None) -> _Synthetic:
    """Draw the interactions, their split and the item features (see the module docstring)."""
    if n_users < 1 or n_items < 2 * MAX_PER_USER:
        raise DataError(f"synthetic data needs at least 1 user and {2 * MAX_PER_USER} items (got {n_users}, {n_items})")
    strengths = _signal_strengths(signal)
    rng = np.random.default_rng(seed)
    n_modalities = len(MODALITY_DIMS)
    shared = rng.normal(size=(n_items, SHARED_DIM))
    unique = {name: rng.normal(size=(n_items, UNIQUE_DIM)) for name in MODALITY_DIMS}
    latent = np.hstack([shared, *unique.values()]) / np.sqrt(SHARED_DIM + n_modalities * UNIQUE_DIM)
    bias = rng.normal(scale=POPULARITY_SCALE, size=n_items)
    user_latent = rng.normal(size=(n_users, latent.shape[1]))
    counts = rng.integers(MIN_PER_USER, MAX_PER_USER + 1, size=n_users)

    chosen = np.empty((n_users, MAX_PER_USER), dtype=np.int64)
    block = max(1, _SCORE_BLOCK // n_items)
    for start in range(0, n_users, block):
        scores = PREFERENCE_SCALE * user_latent[start : start + block] @ latent.T + bias
        perturbed = scores + rng.gumbel(size=scores.shape)
        top = np.argpartition(-perturbed, MAX_PER_USER - 1, axis=1)[:, :MAX_PER_USER]
        order = np.argsort(-np.take_along_axis(perturbed, top, axis=1), axis=1)
        chosen[start : start + block] = np.take_along_axis(top, order, axis=1)
    taken = np.arange(MAX_PER_USER) < counts[:, None]
    users = np.repeat(np.arange(n_users), counts)
    items = chosen[taken]

    features = {}
    for index, (name, dim) in enumerate(MODALITY_DIMS.items()):
        view = np.hstack([shared, unique[name]])
        if strengths[name] < 1.0:
            replacement = np.random.default_rng([seed, 1 + index]).normal(size=view.shape)
            view = strengths[name] * view + math.sqrt(1.0 - strengths[name] ** 2) * replacement
        mixing = rng.normal(size=(view.shape[1], dim)) / np.sqrt(view.shape[1])
        noise = rng.normal(scale=FEATURE_NOISE, size=(n_items, dim))
        features[name] = (view @ mixing + noise).astype(np.float32)
    factors = {"shared": shared, **unique}
    return _Synthetic(users=users, items=items, labels=random_split(users, seed), features=features, factors=factors)
