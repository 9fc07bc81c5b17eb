"""Runs one ``TrialSpec`` on a dataset: extract features, build the model, train, evaluate, measure."""

from __future__ import annotations

import gc
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import torch

from mmsearch.components import BuildContext
from mmsearch.data.dataset import Dataset
from mmsearch.errors import OutOfMemoryFailure
from mmsearch.model import FeatureCache, Recommender, build_recommender, extract_features
from mmsearch.model.objective import TrainingObjective
from mmsearch.registry import Registry
from mmsearch.search.spec import TrialSpec
from mmsearch.train.memory import MemoryCap, PeakMemory
from mmsearch.train.trainer import EpochReport, TrainResult, train_and_evaluate


@dataclass(frozen=True)
class TrialOutcome:
    """A trained trial's result, what it cost, and the learned view weights of weighted fusions (at the best epoch)."""

    result: TrainResult
    extract_seconds: float
    peak_memory_mb: float
    fusion_weights: dict[str, dict[str, float]]


def build_model(
    spec: TrialSpec, dataset: Dataset, registry: Registry, device: torch.device, cache: FeatureCache
) -> tuple[Recommender, TrainingObjective, float]:
    """The model ``spec`` describes and its training objective, on ``device``, initialised from ``spec.seed``.

    Features of the used modalities are extracted through ``cache`` first. Returns the model, the objective and the
    seconds spent extracting.
    """
    tick = time.perf_counter()
    features = extract_features(dataset, dict(spec.extractors), registry, cache, spec.seed)
    extract_seconds = time.perf_counter() - tick
    ctx = BuildContext(
        n_users=dataset.n_users,
        n_items=dataset.n_items,
        embedding_dim=spec.train.embedding_dim,
        modality_dims={modality: f.values.shape[1] for modality, f in features.items()},
        train=dataset.train,
        device=device,
        seed=spec.seed,
        item_features={modality: f.values for modality, f in features.items()},
    )
    model, objective = build_recommender(spec, ctx, features, registry)
    return model, objective, extract_seconds


def execute_spec(
    spec: TrialSpec,
    dataset: Dataset,
    registry: Registry,
    device: torch.device,
    cache: FeatureCache,
    on_evaluation: Callable[[EpochReport], None] | None = None,
    memory_cap_mb: float | None = None,
    keep_best_state: bool = False,
) -> TrialOutcome:
    """Train and evaluate the model ``spec`` describes; deterministic on the CPU for a given spec and seed.

    Memory held by the model is released before returning or raising: the frames of a failure are cleared, so its
    traceback keeps no tensor alive. ``memory_cap_mb`` limits ``PeakMemory.used_mb`` during training; with
    ``keep_best_state`` the result carries the best epoch's learned state.

    Raises:
        TrialFailure: a NaN/inf loss, the memory cap passed, or the device out of memory (``OutOfMemoryFailure``).
    """
    with PeakMemory(device) as memory:
        cap = None if memory_cap_mb is None else MemoryCap(memory, memory_cap_mb)
        try:
            result, extract_seconds = _train(
                spec, dataset, registry, device, cache, on_evaluation, cap, keep_best_state
            )
        except BaseException as error:
            release_frames(error)
            if isinstance(error, torch.cuda.OutOfMemoryError):
                raise OutOfMemoryFailure(f"out of memory on {device}: {_first_line(error)}") from None
            raise
        finally:
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()
    return TrialOutcome(result, extract_seconds, memory.peak_mb, result.best_fusion_weights)


def _train(
    spec: TrialSpec,
    dataset: Dataset,
    registry: Registry,
    device: torch.device,
    cache: FeatureCache,
    on_evaluation: Callable[[EpochReport], None] | None,
    cap: MemoryCap | None,
    keep_best_state: bool,
) -> tuple[TrainResult, float]:
    """Build and train; the model lives only in this frame."""
    model, objective, extract_seconds = build_model(spec, dataset, registry, device, cache)
    result = train_and_evaluate(
        model, objective, dataset, spec.train, device, spec.seed, on_evaluation, cap, keep_best_state
    )
    return result, extract_seconds


def release_frames(error: BaseException) -> None:
    """Clear the local variables of the finished frames in the tracebacks of ``error`` and the errors it chains."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__]


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
