"""The tidy trials table and the leaderboard printed by ``mmsearch trials`` / ``mmsearch best``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import optuna
import pandas as pd
from optuna.distributions import distribution_to_json

from mmsearch.eval.metrics import PRIMARY_METRIC
from mmsearch.search.spec import AXES, MODAL_AXES

from .settings import stored_objectives
from .trial_attrs import PRESET_ATTR

LEADERBOARD_METRICS = ("recall@20", "ndcg@20", "recall@10", "ndcg@10")
SLICE_COLUMNS = {"test_cold_items_recall@20": "cold R@20", "test_tail_items_recall@20": "tail R@20"}
"""Slice figures the leaderboard shows beside the test metrics (test split), with their headers."""


def trials_frame(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: number, state, label, axis choices, extractors, parameters, validation and test metrics
    (``valid_<metric>``, ``test_<metric>``), slice figures (``<split>_<slice>_<metric>`` with ``<split>_<slice>_users``
    and ``_interactions``, ``mmsearch.eval.slices``), epochs, seconds, peak memory and failure or pruning reason.

    Also: ``preset`` (the named model of a baseline trial, else None), ``auxiliaries`` (``+``-joined auxiliary
    losses, ``none`` without), ``seed``, ``spec`` (the stored spec as JSON), ``config`` (a short hash of the spec
    without its seed: runs of one configuration under several seeds share it), ``distributions`` (JSON of the
    trial's Optuna distributions, for importance analyses) and ``duration_seconds``. ``extractors`` is ``id-only``
    for a trial that uses no modality; such a trial has None in ``transform``, ``timing`` and ``fusion`` (inactive
    axes). A trial that failed or was pruned before recording its spec has None in the spec-derived columns. A study
    with several objectives adds ``pareto``: whether the trial is on the Pareto front of the study's objectives
    (completed trials that no other completed trial dominates).
    """
    rows = []
    dataset = study.user_attrs.get("dataset", {}).get("name")
    front = {trial.number for trial in study.best_trials} if len(study.directions) > 1 else None
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        spec = attrs.get("spec", {})
        row = {
            "study": study.study_name,
            "dataset": dataset,
            "trial": trial.number,
            "state": trial.state.name,
            "label": attrs.get("label"),
            "preset": attrs.get(PRESET_ATTR),
            **{axis: _choice(spec, axis) for axis in AXES},
            "extractors": _extractors(spec) if spec else None,
            "auxiliaries": _auxiliaries(spec) if spec else None,
            "seed": attrs.get("seed"),
            "config": config_key(spec) if spec else None,
            "spec": json.dumps(spec, sort_keys=True) if spec else None,
            "params": json.dumps(trial.params, sort_keys=True),
            "distributions": json.dumps(
                {name: distribution_to_json(dist) for name, dist in trial.distributions.items()}, sort_keys=True
            ),
            **{f"valid_{name}": value for name, value in attrs.get("valid", {}).items()},
            **{f"test_{name}": value for name, value in attrs.get("test", {}).items()},
            **_slice_columns(attrs.get("slices", {})),
            "best_epoch": attrs.get("best_epoch"),
            "epochs_run": attrs.get("epochs_run"),
            "train_seconds": attrs.get("train_seconds"),
            "eval_seconds": attrs.get("eval_seconds"),
            "peak_memory_mb": attrs.get("peak_memory_mb"),
            "device": attrs.get("device"),
            "fail_reason": attrs.get("fail_reason"),
            "prune_reason": attrs.get("prune_reason"),
            "duration_seconds": trial.duration.total_seconds() if trial.duration is not None else None,
        }
        if front is not None:
            row["pareto"] = trial.number in front
        rows.append(row)
    return pd.DataFrame(rows)


def config_key(spec: Mapping[str, Any]) -> str:
    """Short stable hash of a stored spec without its seed: equal for runs of one configuration under other seeds."""
    unseeded = {key: value for key, value in spec.items() if key != "seed"}
    return hashlib.sha1(json.dumps(unseeded, sort_keys=True).encode()).hexdigest()[:12]


def _slice_columns(slices: Mapping[str, Mapping[str, Mapping[str, float]]]) -> dict[str, float]:
    """``<split>_<slice>_<figure>`` -> value from a trial's ``slices`` attribute."""
    return {
        f"{split}_{name}_{figure}": value
        for split, pieces in slices.items()
        for name, summary in pieces.items()
        for figure, value in summary.items()
    }


def _choice(spec: Mapping[str, Any], axis: str) -> str | None:
    """The plugin chosen on ``axis``; None when the spec has none or the axis is inactive (a modal axis of an ID-only
    trial), so that per-axis analyses leave the trial out."""
    if not spec or (axis in MODAL_AXES and not spec.get("extractors")):
        return None
    return spec[axis]["name"]


def _auxiliaries(spec: Mapping[str, Any]) -> str:
    """Auxiliary losses joined by ``+``, ``none`` when the trial has none."""
    return "+".join(sorted(spec.get("auxiliaries", {}))) or "none"


def _extractors(spec: Mapping[str, Any]) -> str:
    """``modality:extractor`` pairs joined by commas, ``id-only`` when the trial uses no modality."""
    return ",".join(f"{m}:{c['name']}" for m, c in sorted(spec.get("extractors", {}).items())) or "id-only"


def ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Completed trials ranked by validation Recall@20 (selection never looks at test metrics)."""
    column = f"valid_{PRIMARY_METRIC}"
    if frame.empty or column not in frame:
        return frame.iloc[0:0]
    complete = frame[frame["state"] == "COMPLETE"]
    return complete.sort_values([column, "trial"], ascending=[False, True])


def format_leaderboard(frame: pd.DataFrame, top: int = 10) -> str:
    """Text table of the ``top`` best trials, validation metrics first and test beside them, plus state counts;
    with a ``pareto`` column (several objectives) also peak memory and whether each is on the Pareto front."""
    counts = frame["state"].value_counts().to_dict() if not frame.empty else {}
    header = "trials: " + (", ".join(f"{n} {state.lower()}" for state, n in sorted(counts.items())) or "none")
    best = ranked(frame).head(top)
    if best.empty:
        return header + "\nno completed trial yet"
    columns = ["trial", "label"]
    columns += [f"valid_{m}" for m in LEADERBOARD_METRICS[:2]] + [f"test_{m}" for m in LEADERBOARD_METRICS[:2]]
    columns += [column for column in SLICE_COLUMNS if column in best]
    columns += ["best_epoch", "train_seconds"]
    best = best.assign(best_epoch=best["best_epoch"].astype("Int64"))  # float once other trials lack it
    note = ""
    if "pareto" in best:
        columns += ["peak_memory_mb", "pareto"]
        best = best.assign(pareto=best["pareto"].map({True: "yes", False: "no"}))
        note = "; pareto: on the Pareto front of the study's objectives"
    table = best[columns].rename(
        columns={
            "valid_recall@20": "val R@20",
            "valid_ndcg@20": "val N@20",
            "test_recall@20": "test R@20",
            "test_ndcg@20": "test N@20",
            **SLICE_COLUMNS,
            "best_epoch": "epoch",
            "train_seconds": "train s",
            "peak_memory_mb": "peak MiB",
        }
    )
    text = table.to_string(index=False, float_format=lambda value: f"{value:.4f}")
    return f"{header} (ranked by validation {PRIMARY_METRIC}; test shown, never used to select{note})\n{text}"


def format_best(frame: pd.DataFrame, study: optuna.Study) -> str:
    """Everything stored about the best trial by validation Recall@20 (with several objectives, also its values and
    whether it is on the Pareto front)."""
    best = ranked(frame)
    if best.empty:
        return "no completed trial yet"
    trial = study.trials[int(best.iloc[0]["trial"])]
    attrs = trial.user_attrs
    lines = [f"best trial {trial.number}: {attrs['label']}", "spec:"]
    lines += ["  " + line for line in json.dumps(attrs["spec"], indent=2, sort_keys=True).splitlines()]
    lines.append("metric        valid     test")
    for metric in attrs["valid"]:
        lines.append(f"{metric:<12} {attrs['valid'][metric]:.4f}   {attrs['test'][metric]:.4f}")
    lines.append(
        f"best epoch {attrs['best_epoch']} of {attrs['epochs_run']}; train {attrs['train_seconds']:.1f}s, "
        f"eval {attrs['eval_seconds']:.1f}s, peak memory {attrs['peak_memory_mb']:.0f} MiB on {attrs['device']}"
    )
    if "pareto" in best:
        values = ", ".join(f"{name} {value:.4g}" for name, value in zip(stored_objectives(study), trial.values))
        lines.append(f"objectives: {values}; on the Pareto front: {'yes' if best.iloc[0]['pareto'] else 'no'}")
    return "\n".join(lines)
