"""Feature extraction with a cache keyed by a hash of its inputs (dataset, modality, extractor, parameters)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from mmsearch.components import ExtractedFeatures
from mmsearch.data.dataset import Dataset
from mmsearch.errors import PluginError
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec


class FeatureCache:
    """In-memory cache of extracted features, optionally backed by ``.npz`` files in ``directory``."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._memory: dict[str, ExtractedFeatures] = {}

    def get(self, key: str) -> ExtractedFeatures | None:
        if key in self._memory:
            return self._memory[key]
        path = self._path(key)
        if path is not None and path.exists():
            with np.load(path) as stored:
                self._memory[key] = ExtractedFeatures(values=stored["values"], present=stored["present"])
            return self._memory[key]
        return None

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
        features = cache.get(key)
        if features is None:
            extractor = registry.get("extractor", choice.name)(**choice.params)
            features = extractor.extract(dataset.modalities[modality], seed)
            _check(features, dataset.n_items, f"extractor '{choice.name}' on modality '{modality}'")
            cache.put(key, features)
        result[modality] = features
    return result


def _check(features: ExtractedFeatures, n_items: int, where: str) -> None:
    values = features.values
    if values.ndim != 2 or values.shape[0] != n_items or features.present.shape != (n_items,):
        raise PluginError(f"{where} returned shape {values.shape}, expected [{n_items}, dim] and a mask [{n_items}]")
    if not np.isfinite(values).all():
        raise PluginError(f"{where} returned NaN or inf values")
