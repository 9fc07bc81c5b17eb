"""Model files of a study's best trials: ``<run_dir>/<study>/models/trial-<number>.pt``.

A file holds the learned state of the best-validation epoch (``trainer.learned_state``: the model's parameters and
buffers except its input features, which are rebuilt from the data) and the trial's spec, so that the model can be
rebuilt and loaded from the file and the dataset alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import torch
from optuna.trial import TrialState

from mmsearch.errors import StorageError
from mmsearch.model import Recommender
from mmsearch.search.spec import TrialSpec

from .storage import study_dir

MODELS_DIR = "models"
_FILE = re.compile(r"trial-(\d+)\.pt")


def models_dir(run_dir: Path, study_name: str) -> Path:
    """Folder of a study's kept model files."""
    return study_dir(run_dir, study_name) / MODELS_DIR


def model_path(directory: Path, number: int) -> Path:
    """The model file of trial ``number`` in ``directory``."""
    return directory / f"trial-{number}.pt"


@dataclass(frozen=True)
class ModelStore:
    """Keeps the model files of the ``keep`` best completed trials of a study (by validation Recall@20).

    Safe for several workers sharing the folder: a file is written whole (temporary name, then renamed) and only the
    files of finished trials that rank outside the best ``keep`` are deleted.
    """

    directory: Path
    keep: int

    def offer(
        self, study: optuna.Study, number: int, value: float, spec: TrialSpec, state: dict[str, torch.Tensor]
    ) -> bool:
        """Save trial ``number`` (validation ``value``, about to complete) when it ranks among the best ``keep``,
        then delete the files of finished trials that do not; True when the trial's file was written.
        """
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        ranking = [(t.values[0], t.number) for t in complete]  # validation Recall@20 comes first in every study
        ranking = [(v, n) for v, n in ranking if n != number] + [(value, number)]
        best = {n for _, n in sorted(ranking, key=_rank_key)[: self.keep]}
        if number in best:
            save_model(model_path(self.directory, number), number, spec, state)
        finished = {t.number for t in study.get_trials(deepcopy=False) if t.state.is_finished()}
        for path in self.directory.glob("trial-*.pt"):
            match = _FILE.fullmatch(path.name)
            if match and int(match[1]) in finished and int(match[1]) not in best:
                path.unlink(missing_ok=True)
        return number in best


def _rank_key(entry: tuple[float | None, int]) -> tuple[float, int]:
    """Best value first (a missing or NaN value last), then the earlier trial."""
    value, number = entry
    return (-value if value is not None and not math.isnan(value) else math.inf, number)


def save_model(path: Path, number: int, spec: TrialSpec, state: dict[str, torch.Tensor]) -> None:
    """Write ``{"trial", "spec", "state_dict"}`` with ``torch.save`` (atomically: temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save({"trial": number, "spec": spec.to_dict(), "state_dict": state}, partial)
    partial.replace(path)


@dataclass(frozen=True)
class KeptModel:
    """A kept model file: the trial's spec and the learned state (CPU tensors)."""

    spec: TrialSpec
    state: dict[str, torch.Tensor]


def load_model(directory: Path, number: int) -> KeptModel:
    """The kept model of trial ``number``.

    Raises:
        StorageError: no file for the trial, or an unreadable one.
    """
    path = model_path(directory, number)
    if not path.exists():
        raise StorageError(
            f"trial {number} has no kept model in {directory} (run the study with --keep-models K to keep the models "
            "of its K best trials)"
        )
    try:
        raw: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
        return KeptModel(TrialSpec.from_dict(raw["spec"]), raw["state_dict"])
    except Exception as error:  # torch and pickle raise many types for a damaged file
        raise StorageError(f"{path}: cannot read the model file ({type(error).__name__}: {error})") from error


def restore(model: Recommender, kept: KeptModel) -> None:
    """Load the kept state into ``model`` (built from ``kept.spec``); its input-feature buffers stay as built.

    Raises:
        StorageError: the state does not fit the model (the components changed since the file was written).
    """
    inputs = {name for name, _ in model.named_buffers(recurse=False)}
    try:
        missing, unexpected = model.load_state_dict(kept.state, strict=False)
    except RuntimeError as error:
        raise StorageError(f"the kept weights do not fit the model of their spec: {_one_line(error)}") from error
    missing = sorted(set(missing) - inputs)
    if missing or unexpected:
        raise StorageError(
            f"the kept weights do not fit the model of their spec (missing: {', '.join(missing) or 'none'}; "
            f"unexpected: {', '.join(unexpected) or 'none'})"
        )


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__
