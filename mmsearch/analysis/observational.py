"""Observational comparisons from a search's trials: each choice of an axis against the best one by mean validation
Recall@20, over the completed trials in which the axis acts.

A search's trials differ in many axes at once, and a sampler such as TPE concentrates where it found good values, so
these figures are observational. Where at least ``MIN_PAIRS`` pairs of trials differ in this axis alone (same spec
otherwise, seed included), the comparison is paired over them (``basis`` = ``pairs``); otherwise it compares the
choices' trials as two independent samples (Welch's t, ``basis`` = ``confounded``), which needs ``MIN_TRIALS``
completed trials of each.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._trials import PRIMARY, complete_trials
from .evidence import MIN_PAIRS, MIN_TRIALS, paired_interval, welch_interval
from .verdict import CHOICE_COLUMNS

TEST = "test_recall@20"
_SPEC_KEYS = {"extractors": ("extractors",), "auxiliaries": ("auxiliaries",)}


def observational_choices(frame: pd.DataFrame, axes: Sequence[str]) -> pd.DataFrame:
    """Choice rows (``verdict.CHOICE_COLUMNS``, ``kind`` = ``observational``) per dataset and axis of ``axes``,
    before ``verdict.settle``; axes with fewer than two choices in a dataset's completed trials are left out."""
    rows = []
    complete = complete_trials(frame, PRIMARY)
    for dataset, trials in complete.groupby("dataset", sort=True):
        for axis in axes:
            active = trials[trials[axis].notna()] if axis in trials else trials.iloc[0:0]
            if active[axis].nunique() < 2:
                continue
            rows += _axis_rows(dataset, axis, active)
    return pd.DataFrame(rows, columns=list(CHOICE_COLUMNS))


def _axis_rows(dataset: str, axis: str, trials: pd.DataFrame) -> list[dict]:
    valid = trials[PRIMARY].astype(float)
    test = pd.to_numeric(trials.get(TEST), errors="coerce")
    means = valid.groupby(trials[axis]).mean()
    best = means.sort_values(ascending=False, kind="stable").index[0]
    keys = trials["spec"].map(lambda text: _without(text, axis))
    rows = []
    for choice in sorted(means.index):
        mine, theirs = trials[axis] == choice, trials[axis] == best
        pairs = _pairs(keys, trials[axis], valid, test, choice, best)
        if choice == best:
            interval, test_effect, basis, enough = paired_interval(np.zeros(0)), math.nan, "", True
        elif len(pairs) >= MIN_PAIRS:
            interval = paired_interval(pairs["valid"].to_numpy())
            test_effect, basis, enough = float(pairs["test"].mean()), "pairs", True
        else:
            interval = welch_interval(valid[mine].to_numpy(), valid[theirs].to_numpy())
            test_effect = float(test[mine].mean() - test[theirs].mean())
            basis = "confounded"
            enough = int(mine.sum()) >= MIN_TRIALS and int(theirs.sum()) >= MIN_TRIALS
        rows.append(
            {
                "dataset": dataset,
                "axis": axis,
                "kind": "observational",
                "basis": basis,
                "choice": choice,
                "best": choice == best,
                "mean": float(means[choice]),
                "test_mean": float(test[mine].mean()),
                "mean_rank": math.nan,
                "ranks": "",
                "effect": 0.0 if choice == best else interval.effect,
                "ci_low": interval.low,
                "ci_high": interval.high,
                "p_raw": interval.p,
                "p": math.nan,
                "test_effect": test_effect,
                "seed_sd": math.nan,
                "anchors": 0,
                "seeds": int(trials.loc[mine, "seed"].nunique()) if "seed" in trials else 0,
                "trials": int(mine.sum()) + (0 if choice == best else int(theirs.sum())),
                "enough": enough,
                "state": "",
            }
        )
    return rows


def _pairs(
    keys: pd.Series, choices: pd.Series, valid: pd.Series, test: pd.Series, choice: str, best: str
) -> pd.DataFrame:
    """Per spec-without-the-axis that has both ``choice`` and ``best``: the mean difference choice minus best."""
    table = pd.DataFrame({"key": keys, "choice": choices, "valid": valid, "test": test})
    table = table[table["choice"].isin([choice, best])]
    means = table.groupby(["key", "choice"])[["valid", "test"]].mean().unstack("choice")
    if means.empty or choice == best:
        return pd.DataFrame(columns=["valid", "test"])
    means = means.dropna()
    return pd.DataFrame(
        {
            "valid": means[("valid", choice)] - means[("valid", best)],
            "test": means[("test", choice)] - means[("test", best)],
        }
    )


def _without(spec: str | None, axis: str) -> str | None:
    """The stored spec JSON without the entry that holds ``axis`` (trials equal on this key differ in ``axis``
    alone)."""
    if spec is None:
        return None
    raw = json.loads(spec)
    for key in _SPEC_KEYS.get(axis, (axis,)):
        raw.pop(key, None)
    return json.dumps(raw, sort_keys=True)
