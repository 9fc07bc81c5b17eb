"""Re-training a stored trial from its spec alone under several seeds, for its mean, spread and paired tests."""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import torch

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError
from mmsearch.eval import EvalResult
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry

from .execute import execute_spec
from .storage import study_dir
from .stored import check_dataset, find_trial, stored_spec

RETRAIN_METRICS = ("recall@20", "ndcg@20")
SPLITS = ("valid", "test")
ATTR_PREFIX = "retrain:"


@dataclass(frozen=True)
class SeedRun:
    """One re-training: its seed and the evaluations at its best-validation epoch."""

    seed: int
    valid: EvalResult
    test: EvalResult

    def metrics(self) -> dict[str, float]:
        """``<split>_<metric>`` -> value, for the splits and ``RETRAIN_METRICS``."""
        return {
            f"{split}_{metric}": getattr(self, split).metrics[metric] for split in SPLITS for metric in RETRAIN_METRICS
        }

    def slice_metrics(self) -> dict[str, float]:
        """``<split>_<slice>_<metric>`` -> value, for the slices of the splits that hold interactions
        (``mmsearch.eval.slices``) and ``RETRAIN_METRICS``."""
        return {
            f"{split}_{name}_{metric}": piece.metrics[metric]
            for split in SPLITS
            for name, piece in getattr(self, split).slices.items()
            if piece.interactions
            for metric in RETRAIN_METRICS
        }


@dataclass(frozen=True)
class Retraining:
    """The re-trainings of one trial and the file of their per-user metric vectors."""

    trial: int
    label: str
    runs: tuple[SeedRun, ...]
    vectors: Path

    def summary(self) -> dict[str, Any]:
        """JSON-compatible: ``seeds``, ``per_seed`` / ``mean`` / ``std`` keyed by ``<split>_<metric>`` (``std`` is
        the sample standard deviation, None for a single seed), ``slices`` (the same three keyed by
        ``<split>_<slice>_<metric>`` for the slices that hold interactions) and ``vectors`` (the file's path).
        """
        return {
            "seeds": [run.seed for run in self.runs],
            **_spread([run.metrics() for run in self.runs]),
            "slices": _spread([run.slice_metrics() for run in self.runs]),
            "vectors": str(self.vectors),
        }


def _spread(runs: list[dict[str, float]]) -> dict[str, dict[str, Any]]:
    """``per_seed``, ``mean`` and ``std`` (None for one run) of every figure of ``runs`` (one dict per seed)."""
    per_seed = {name: [run[name] for run in runs] for name in runs[0]}
    return {
        "per_seed": per_seed,
        "mean": {name: statistics.fmean(values) for name, values in per_seed.items()},
        "std": {name: statistics.stdev(values) if len(values) > 1 else None for name, values in per_seed.items()},
    }


def retrain_trial(
    study: optuna.Study,
    number: int,
    dataset: Dataset,
    registry: Registry,
    device: torch.device,
    run_dir: Path,
    seeds: int = 5,
    on_seed: Callable[[SeedRun], None] | None = None,
) -> Retraining:
    """Re-train trial ``number`` from its stored spec with seeds ``spec.seed``, ``spec.seed + 1``, ..., on the CPU
    with the torch thread count the trial ran with (so its own seed gives its very metrics).

    Writes the per-user vectors to ``<run_dir>/<study>/retrain-<number>.npz`` (``seeds`` [S]; per split
    ``<split>_users`` int32 [U] and ``<split>_<metric>`` float32 [S, U]) and stores ``Retraining.summary()`` as the
    study attribute ``retrain:<number>`` (a finished trial's own attributes are read-only; see
    ``retrain_summaries``). ``on_seed`` is called after each seed.

    Raises:
        MMSearchError: ``seeds`` < 1.
        StorageError: the data differ from the study's, or the trial is unknown or stored no spec.
    """
    if seeds < 1:
        raise MMSearchError(f"--seeds must be at least 1, got {seeds}")
    check_dataset(study, dataset)
    trial = find_trial(study, number)
    spec = stored_spec(trial)
    cache = FeatureCache(study_dir(run_dir, study.study_name) / "features")
    runs = []
    threads = trial.user_attrs.get("worker", {}).get("threads") if device.type == "cpu" else None
    with cpu_threads(threads):
        for offset in range(seeds):
            seeded = dataclasses.replace(spec, seed=spec.seed + offset)
            outcome = execute_spec(seeded, dataset, registry, device, cache)
            runs.append(SeedRun(spec.seed + offset, outcome.result.valid, outcome.result.test))
            if on_seed is not None:
                on_seed(runs[-1])
    path = study_dir(run_dir, study.study_name) / f"retrain-{number}.npz"
    write_vectors(path, runs)
    retraining = Retraining(number, spec.label(), tuple(runs), path)
    study.set_user_attr(f"{ATTR_PREFIX}{number}", retraining.summary())
    return retraining


@contextlib.contextmanager
def cpu_threads(threads: int | None) -> Iterator[None]:
    """Run the block with ``threads`` torch CPU threads (None: leave the setting), as the trial ran: the CPU metrics
    of a spec and seed are the same to the last digit only under the same thread count."""
    if threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def write_vectors(path: Path, runs: list[SeedRun]) -> None:
    """The per-user metric vectors of ``runs`` as one ``.npz`` (layout in ``retrain_trial``)."""
    arrays: dict[str, np.ndarray] = {"seeds": np.array([run.seed for run in runs], dtype=np.int64)}
    for split in SPLITS:
        arrays[f"{split}_users"] = getattr(runs[0], split).users.astype(np.int32)
        for metric in RETRAIN_METRICS:
            arrays[f"{split}_{metric}"] = np.stack([getattr(run, split).per_user[metric] for run in runs])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def retrain_summaries(study: optuna.Study) -> dict[int, dict[str, Any]]:
    """Trial number -> the summary its latest re-training stored."""
    attrs = study.user_attrs
    return {int(key[len(ATTR_PREFIX) :]): value for key, value in attrs.items() if key.startswith(ATTR_PREFIX)}


def format_retraining(retraining: Retraining) -> str:
    """Text table: one row per seed of validation and test Recall@20 and NDCG@20, then mean ± std; a line of the
    test Recall@20 of every slice, mean ± std."""
    summary = retraining.summary()
    header = ["seed", *(name.replace("valid_", "val ").replace("_", " ") for name in summary["mean"])]
    rows = [[str(run.seed), *(f"{value:.4f}" for value in run.metrics().values())] for run in retraining.runs]
    rows.append(["mean ± std", *(_mean_std(summary["mean"][n], summary["std"][n]) for n in summary["mean"])])
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in [header, *rows]]
    title = f"trial {retraining.trial} ({retraining.label}) re-trained under {len(retraining.runs)} seed(s)"
    slices = summary["slices"]
    tested = [name for name in slices["mean"] if name.startswith("test_") and name.endswith("_recall@20")]
    by_slice = ", ".join(f"{name[5:-10]} {_mean_std(slices['mean'][name], slices['std'][name])}" for name in tested)
    return "\n".join([title, *lines, f"test recall@20 by slice: {by_slice}", f"per-user vectors: {retraining.vectors}"])


def _mean_std(mean: float, std: float | None) -> str:
    return f"{mean:.4f} ± {std:.4f}" if std is not None else f"{mean:.4f} ± n/a"
