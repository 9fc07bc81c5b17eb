"""Contract check of the extractor kind: supported samples, value and mask types, determinism given the seed."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path

import numpy as np
import torch

from mmsearch.components import ExtractedFeatures, Extractor
from mmsearch.data.dataset import Modality

from ._context import sample_modalities
from ._declaration import check_usable
from ._errors import expect, located, stage
from ._points import construct, point_label, search_space_points
from ._probes import seeded


def check_extractor(component_class: type[Extractor], *, modalities: Sequence[Modality] | None = None) -> None:
    """Extractor contract: ``supports`` answers a bool for every sample; on each supported sample ``extract``
    returns float32 finite values [n_items, dim >= 1] and a bool presence mask [n_items] that is False wherever
    the sample has no content and True somewhere; at the defaults it is deterministic given the seed.

    Args:
        component_class: the extractor.
        modalities: samples to extract from; default: ``sample_modalities`` (precomputed features, text, images),
            each of 3 to 7 items, the last without content.
    """
    check_usable("extractor", component_class)
    with tempfile.TemporaryDirectory() as folder:
        samples = list(modalities) if modalities is not None else sample_modalities(Path(folder))
        for params in search_space_points(component_class):
            with located(point_label("extractor", component_class, params)):
                extractor = construct(component_class, params)
                supported = [sample for sample in samples if _supports(extractor, sample)]
                expect(supported, f"supports none of the samples {[s.name for s in samples]}; pass modalities=")
                for sample in supported:
                    first = _extract(extractor, sample, noise=1)
                    if not params:
                        second = _extract(extractor, sample, noise=2)
                        same = all(np.array_equal(a, b) for a, b in zip(astuple(first), astuple(second)))
                        expect(same, f"'{sample.name}': two extractions with the same seed differ")


def _supports(extractor: Extractor, sample: Modality) -> bool:
    answer = stage(f"supports('{sample.name}')", lambda: extractor.supports(sample))
    expect(isinstance(answer, bool | np.bool_), f"supports('{sample.name}') returned {answer!r}, not a bool")
    return bool(answer)


def _extract(extractor: Extractor, sample: Modality, noise: int) -> ExtractedFeatures:
    where = f"extract('{sample.name}')"
    with seeded(0, torch.device("cpu"), noise):
        result = stage(where, lambda: extractor.extract(sample, 0))
    expect(isinstance(result, ExtractedFeatures), f"{where} returned {type(result).__name__}")
    n_items = len(sample.present)
    values, present = result.values, result.present
    expect(
        isinstance(values, np.ndarray) and values.dtype == np.float32 and values.ndim == 2,
        f"{where}: values must be a float32 [n_items, dim] array, got {getattr(values, 'dtype', type(values))}",
    )
    expect(values.shape[0] == n_items and values.shape[1] >= 1, f"{where}: values have shape {values.shape}")
    expect(bool(np.isfinite(values).all()), f"{where}: values have non-finite entries")
    expect(
        isinstance(present, np.ndarray) and present.dtype == bool and present.shape == (n_items,),
        f"{where}: present must be a bool [{n_items}] array",
    )
    expect(not (present & ~sample.present).any(), f"{where}: an item without content is marked present")
    expect(bool(present.any()), f"{where}: no item is marked present")
    return result
