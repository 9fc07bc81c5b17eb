"""Feature extraction with a cache keyed by a hash of its inputs (dataset, modality, extractor, parameters)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib.npyio import NpzFile

from mmsearch.components import ExtractedFeatures
from mmsearch.data.dataset import Dataset
from mmsearch.errors import PluginError
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec

logger = logging.getLogger(__name__)


class FeatureCache:
    """In-memory cache of extracted features, optionally backed by ``.npz`` files in ``directory``."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._memory: dict[str, ExtractedFeatures] = {}

    def get(self, key: str, n_items: int) -> ExtractedFeatures | None:
        """The features stored under ``key`` for a dataset of ``n_items`` items, or None when there are none.

        A file that cannot be read, or that holds anything but ``values`` float32 [n_items, dim] (finite) and
        ``present`` bool [n_items], is removed with a one-line warning naming it (logged), so the caller extracts again.
        """
        if key in self._memory:
            return self._memory[key]
        path = self._path(key)
        features = None if path is None else _read(path, n_items)
        if features is not None:
            self._memory[key] = features
        return features

    def put(self, key: str, features: ExtractedFeatures) -> None:
        """Keep ``features`` under ``key``; on disk, written to a partial file of this writer's own and renamed into
        place, so that workers writing the same key at once all succeed (the last rename wins, the content equal)."""
        self._memory[key] = features
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f"{key}.", suffix=".partial.npz")
            os.close(descriptor)
            try:
                np.savez(name, values=features.values, present=features.present)
                os.replace(name, path)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise

    def _path(self, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{key}.npz"


def cache_key(dataset: Dataset, modality: str, extractor: ComponentSpec, seed: int) -> str:
    """Hash of everything the extraction depends on."""
    payload = json.dumps(
        [dataset.fingerprint(), modality, extractor.name, dict(extractor.params), seed], sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def extract_features(
    dataset: Dataset,
    extractors: dict[str, ComponentSpec],
    registry: Registry,
    cache: FeatureCache,
    seed: int,
) -> dict[str, ExtractedFeatures]:
    """Features of each used modality (modality -> float32 [n_items, dim] + presence), extracted once per key."""
    result = {}
    for modality, choice in sorted(extractors.items()):
        key = cache_key(dataset, modality, choice, seed)
        features = cache.get(key, dataset.n_items)
        if features is None:
            extractor = registry.get("extractor", choice.name)(**choice.params)
            features = extractor.extract(dataset.modalities[modality], seed)
            _check(features, dataset.n_items, f"extractor '{choice.name}' on modality '{modality}'")
            cache.put(key, features)
        result[modality] = features
    return result


def _read(path: Path, n_items: int) -> ExtractedFeatures | None:
    """The features in the cache file ``path``; None when it has gone, or after removing it when it is unreadable or
    malformed (a one-line warning names it)."""
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        return None
    with file:
        opened = os.fstat(file.fileno())
        try:
            features, problem = _parse(file, n_items)
        except Exception as error:  # a damaged file may fail to parse in any way
            features, problem = None, f"{type(error).__name__}: {error}".splitlines()[0]
    if problem is None:
        return features
    logger.warning("feature cache file %s is unreadable or malformed (%s); removed, extracting again", path, problem)
    with contextlib.suppress(FileNotFoundError):
        if os.path.samestat(opened, path.stat()):  # not a file another writer has renamed into place since
            path.unlink()
    return None


def _parse(file: BinaryIO, n_items: int) -> tuple[ExtractedFeatures | None, str | None]:
    """The features of an open cache file and what makes them unusable (None when nothing does)."""
    loaded = np.load(file, allow_pickle=False)
    if not isinstance(loaded, NpzFile):
        return None, "not an .npz archive"
    with loaded as stored:
        if sorted(stored.files) != ["present", "values"]:
            return None, f"arrays {sorted(stored.files)}, expected present and values"
        features = ExtractedFeatures(values=stored["values"], present=stored["present"])
    return features, _problem(features, n_items)


def _check(features: ExtractedFeatures, n_items: int, where: str) -> None:
    problem = _problem(features, n_items)
    if problem is not None:
        raise PluginError(f"{where} returned {problem}")


def _problem(features: ExtractedFeatures, n_items: int) -> str | None:
    """What keeps ``features`` from being finite float32 values [n_items, dim] and a bool mask [n_items]; None if
    nothing does."""
    values, present = features.values, features.present
    if values.dtype != np.float32 or present.dtype != bool:
        return f"dtypes {values.dtype} and {present.dtype}, expected float32 values and a bool mask"
    if values.ndim != 2 or values.shape[0] != n_items or present.shape != (n_items,):
        return f"shape {values.shape}, expected [{n_items}, dim] and a mask [{n_items}]"
    if not np.isfinite(values).all():
        return "NaN or inf values"
    return None
