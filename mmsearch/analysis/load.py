"""What the analyses read besides the trials table, decoded from trial attributes: curves, per-user metrics,
fusion weights and the variants of an ablation.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import optuna
import pandas as pd

from mmsearch.eval.metrics import PRIMARY_METRIC
from mmsearch.study.objective import STORED_PER_USER
from mmsearch.study.retrain import retrain_summaries
from mmsearch.study.trial_attrs import REUSED_ATTR, VARIANT_ATTR
from mmsearch.study.vectors import decode_array

SPLITS = ("test", "valid")
"""Splits with per-user vectors; paired tests default to the first (selection already used validation)."""

PER_USER_METRICS = STORED_PER_USER
"""Metrics with per-user vectors."""


def _trials_by_number(study: optuna.Study, numbers: Iterable[int]) -> list[optuna.trial.FrozenTrial]:
    wanted = {int(number) for number in numbers}
    return [trial for trial in study.get_trials(deepcopy=False) if trial.number in wanted]


def curves_frame(study: optuna.Study, numbers: Iterable[int]) -> pd.DataFrame:
    """Learning curves of the given trials (complete, pruned or failed: whatever evaluations they recorded).

    Returns:
        One row per evaluation: ``study``, ``trial``, ``label`` and the curve's own columns (``epoch``, ``loss``,
        ``valid_<metric>``, ``seconds``); empty when none of the trials recorded an evaluation.
    """
    rows = [
        {"study": study.study_name, "trial": trial.number, "label": trial.user_attrs.get("label"), **point}
        for trial in _trials_by_number(study, numbers)
        for point in trial.user_attrs.get("curve", [])
    ]
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["study", "trial", "label", "epoch"])


def per_user_frame(
    study: optuna.Study, numbers: Iterable[int], split: str = "test", metric: str = "recall@20"
) -> pd.DataFrame:
    """Per-user values of one metric on one split for the given trials and their re-trainings (``mmsearch
    retrain``), as the long table the significance tests read.

    Args:
        study: the study holding the trials.
        numbers: trial numbers; trials without stored per-user vectors (not completed) are skipped, and so are
            re-trainings whose vectors file is not readable here (written on another host) or lacks ``metric``.
        split: ``valid`` or ``test``.
        metric: one of ``PER_USER_METRICS``.

    Returns:
        ``study``, ``trial``, ``seed`` (the run's seed: the trial's own, or a re-training's), ``user`` (int) and
        ``value`` (float), one row per run and evaluated user; a re-training's run under the trial's own seed is
        left out (it has the trial's very values).
    """
    parts = []
    summaries = retrain_summaries(study)
    for trial in _trials_by_number(study, numbers):
        vectors = trial.user_attrs.get("per_user", {})
        if f"{split}_users" not in vectors or f"{split}_{metric}" not in vectors:
            continue
        users = decode_array(vectors[f"{split}_users"]).astype("int64")
        values = decode_array(vectors[f"{split}_{metric}"]).astype("float64")
        seed = int(trial.user_attrs.get("spec", {}).get("seed", 0))
        parts.append(_runs_frame(study.study_name, trial.number, [seed], users, values[None, :]))
        if trial.number in summaries:
            parts.extend(_retrain_runs(study.study_name, trial.number, seed, summaries[trial.number], split, metric))
    if not parts:
        return pd.DataFrame({"study": [], "trial": [], "seed": [], "user": [], "value": []}).astype(
            {"trial": "int64", "seed": "int64", "user": "int64", "value": "float64"}
        )
    return pd.concat(parts, ignore_index=True)


def _retrain_runs(study: str, number: int, own_seed: int, summary: dict, split: str, metric: str) -> list[pd.DataFrame]:
    """The runs of a re-training's vectors file (layout in ``retrain_trial``) other than the trial's own seed."""
    try:
        with np.load(Path(summary["vectors"])) as stored:
            seeds, users = stored["seeds"].astype("int64"), stored[f"{split}_users"].astype("int64")
            values = stored[f"{split}_{metric}"].astype("float64")
    except (OSError, KeyError, ValueError):
        return []
    other = seeds != own_seed
    return [_runs_frame(study, number, list(seeds[other]), users, values[other])] if other.any() else []


def _runs_frame(study: str, number: int, seeds: list[int], users: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    """Long rows of runs ``seeds`` [S] of one trial: ``values`` [S, U] over ``users`` [U]."""
    return pd.DataFrame(
        {
            "study": study,
            "trial": number,
            "seed": np.repeat(np.asarray(seeds, dtype="int64"), len(users)),
            "user": np.tile(users, len(seeds)),
            "value": values.reshape(-1),
        }
    )


def fusion_weights_frame(trial: optuna.trial.FrozenTrial) -> pd.DataFrame:
    """Learned view weights of the trial's attentive fusions: ``module``, ``view``, ``weight`` (empty without)."""
    rows = [
        {"module": module, "view": view, "weight": weight}
        for module, weights in sorted(trial.user_attrs.get("fusion_weights", {}).items())
        for view, weight in weights.items()
    ]
    return pd.DataFrame(rows, columns=["module", "view", "weight"])


VARIANT_COLUMNS = (
    "study", "dataset", "trial", "axis", "anchor", "choice", "seed", "state", "valid", "test", "reused_from",
)  # fmt: skip


def variants_frame(study: optuna.Study) -> pd.DataFrame:
    """The trained variants of an ablation study (``mmsearch ablate``), one row each: ``axis``, ``anchor``,
    ``choice``, ``seed``, ``state``, ``valid`` and ``test`` Recall@20 at the best-validation epoch (NaN unless
    completed), ``reused_from`` (the equal stored trial it was copied from, else None), and per slice of the
    evaluation ``valid_<slice>`` and ``test_<slice>`` (that slice's Recall@20; NaN where it has no interaction)."""
    dataset = study.user_attrs.get("dataset", {}).get("name")
    rows = []
    for trial in study.get_trials(deepcopy=False):
        variant = trial.user_attrs.get(VARIANT_ATTR)
        if variant is None:
            continue
        rows.append(
            {
                "study": study.study_name,
                "dataset": dataset,
                "trial": trial.number,
                **{key: variant[key] for key in ("axis", "anchor", "choice")},
                "seed": int(variant["seed"]),
                "state": trial.state.name,
                "valid": trial.user_attrs.get("valid", {}).get(PRIMARY_METRIC, float("nan")),
                "test": trial.user_attrs.get("test", {}).get(PRIMARY_METRIC, float("nan")),
                "reused_from": trial.user_attrs.get(REUSED_ATTR),
                **{
                    f"{split}_{name}": summary.get(PRIMARY_METRIC, float("nan"))
                    for split, pieces in trial.user_attrs.get("slices", {}).items()
                    for name, summary in pieces.items()
                },
            }
        )
    frame = pd.DataFrame(rows)
    return frame.reindex(columns=[*VARIANT_COLUMNS, *(c for c in frame.columns if c not in VARIANT_COLUMNS)])
