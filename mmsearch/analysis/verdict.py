"""Verdicts: per dataset and axis, which choice wins, by how much, with what interval and on what evidence.

Two kinds, computed by ``controlled`` (an ablation: one axis varied around anchors, seeds averaged within each) and
``observational`` (a search's trials, which differ in many axes at once). Both produce *choice rows* (every choice
against the best one of its axis, by mean validation Recall@20); ``settle`` corrects their p-values (Holm, across
every comparison of the rows given) and gives each its state; ``verdict_rows`` sums each axis up in one row.

The verdict of an axis is its best choice (``winner``) against the choice whose comparison is weakest (``runner_up``:
the first of ``not enough evidence``, ``no detectable difference`` and ``loses``, ties broken by the closest mean):
the winner ``wins`` only when every other choice ``loses``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .evidence import ALPHA, LOSES, NO_DIFFERENCE, NOT_ENOUGH, WINS, Interval, choice_state, holm, state_text

CHOICE_COLUMNS = (
    "dataset", "axis", "kind", "basis", "choice", "best", "mean", "test_mean", "mean_rank", "ranks", "effect",
    "ci_low", "ci_high", "p_raw", "p", "test_effect", "seed_sd", "anchors", "seeds", "trials", "enough", "state",
)  # fmt: skip
"""Choice rows. ``effect`` = choice minus best (validation Recall@20, so <= 0), ``ci_low``/``ci_high`` its 95%
interval over the units, ``p_raw`` the two-sided t-test, ``p`` the same Holm-corrected, ``test_effect`` the same
difference on test; ``ranks`` the choice's rank counts over anchors (``1:4 2:1``, controlled only), ``seed_sd`` the
seed-to-seed spread of the difference within an anchor (controlled only); ``anchors``, ``seeds``, ``trials`` the
evidence; ``enough`` whether it meets the minimums; ``state`` from ``evidence.choice_state``; the best choice's
own row has no comparison and the state of its axis verdict."""

VERDICT_COLUMNS = (
    "dataset", "axis", "kind", "basis", "winner", "runner_up", "effect", "ci_low", "ci_high", "p", "test_effect",
    "state", "verdict", "seed_sd", "anchors", "seeds", "trials",
)  # fmt: skip
"""Verdict rows. ``effect`` = winner minus runner-up on validation Recall@20 with its interval, ``p`` Holm-corrected,
``test_effect`` the same on test, ``state`` one of ``evidence.STATES`` and ``verdict`` its readable form (with the
interval's reach for ``no detectable difference``); ``basis`` is ``anchors`` (controlled), ``pairs`` (trials that
differ in this axis only) or ``confounded`` (trials that differ in other axes too)."""

_WEAKNESS = {NOT_ENOUGH: 0, NO_DIFFERENCE: 1, LOSES: 2}


def settle(choices: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """``choices`` with ``p`` (Holm-corrected across every comparison in the table) and ``state`` filled in."""
    if choices.empty:
        return pd.DataFrame(columns=list(CHOICE_COLUMNS))
    table = choices.copy()
    compared = ~table["best"].astype(bool)
    table["p"] = np.nan
    table.loc[compared, "p"] = holm(table.loc[compared, "p_raw"].astype(float))
    table["state"] = [
        _against_best(choice_state(_interval(row), row.p, row.test_effect, bool(row.enough), alpha))
        if not row.best
        else ""
        for row in table.itertuples()
    ]
    for _, group in table.groupby(["dataset", "axis", "kind"], sort=False):
        best = group.index[group["best"].astype(bool)]
        runner = _runner_up(group[~group["best"].astype(bool)])
        table.loc[best, "state"] = NOT_ENOUGH if runner is None else _winner_state(runner["state"])
    return table[list(CHOICE_COLUMNS)]


def verdict_rows(choices: pd.DataFrame) -> pd.DataFrame:
    """One verdict row per dataset, axis and kind of settled ``choices`` (axes with one choice are left out)."""
    rows = []
    for (dataset, axis, kind), group in choices.groupby(["dataset", "axis", "kind"], sort=False):
        best = group[group["best"].astype(bool)].iloc[0]
        runner = _runner_up(group[~group["best"].astype(bool)])
        if runner is None:
            continue
        state = best["state"]
        rows.append(
            {
                "dataset": dataset,
                "axis": axis,
                "kind": kind,
                "basis": runner["basis"],
                "winner": best["choice"],
                "runner_up": runner["choice"],
                "effect": 0.0 - runner["effect"],  # 0.0 - x: no negative zero
                "ci_low": 0.0 - runner["ci_high"],
                "ci_high": 0.0 - runner["ci_low"],
                "p": runner["p"],
                "test_effect": 0.0 - runner["test_effect"],
                "state": state,
                "verdict": state_text(state, runner["ci_low"], runner["ci_high"]),
                "seed_sd": runner["seed_sd"],
                "anchors": runner["anchors"],
                "seeds": runner["seeds"],
                "trials": runner["trials"],
            }
        )
    return pd.DataFrame(rows, columns=list(VERDICT_COLUMNS))


def describe_verdict(row: pd.Series) -> str:
    """One sentence for a verdict row, e.g. ``controlled, on synth: fusion=concat wins over sum: +0.0120 validation
    Recall@20 [95% CI +0.0051, +0.0189], Holm p = 0.004, test +0.0100; 5 anchors x 3 seeds``."""
    evidence = (
        f"{int(row['anchors'])} anchors x {int(row['seeds'])} seeds, seed-to-seed spread {row['seed_sd']:.4f}"
        if row["kind"] == "controlled"
        else f"{int(row['trials'])} trials, {_basis_text(row['basis'])}"
    )
    interval = (
        f"[95% CI {row['ci_low']:+.4f}, {row['ci_high']:+.4f}]" if not math.isnan(row["ci_low"]) else "[no interval]"
    )
    p = f"Holm p = {row['p']:.3g}" if not math.isnan(row["p"]) else "no p-value (too few to test)"
    test = f"test {row['test_effect']:+.4f}" if not math.isnan(row["test_effect"]) else "no test figure"
    return (
        f"{row['kind']}, on {row['dataset']}: {row['axis']}={row['winner']} over {row['runner_up']}: "
        f"{row['verdict']}; {row['effect']:+.4f} validation Recall@20 {interval}, {p}, {test}; {evidence}"
    )


def _basis_text(basis: str) -> str:
    if basis == "pairs":
        return "paired where they differ in this axis only"
    return "confounded: the trials differ in other axes too"


def _runner_up(others: pd.DataFrame) -> pd.Series | None:
    """The weakest comparison among the non-best choices (see the module docstring)."""
    if others.empty:
        return None
    order = others.assign(
        _weak=others["state"].map(_WEAKNESS).fillna(0), _gap=-others["effect"].astype(float).fillna(math.inf)
    )
    return order.sort_values(["_weak", "_gap", "choice"], kind="stable").iloc[0]


def _interval(row: object) -> Interval:
    return Interval(row.effect, row.ci_low, row.ci_high, row.p_raw, 0)


def _against_best(state: str) -> str:
    """A choice ranked below the best by mean that still beats it in its paired units is a contradiction, not a
    win: ``not enough evidence``."""
    return NOT_ENOUGH if state == WINS else state


def _winner_state(runner_state: str) -> str:
    return WINS if runner_state == LOSES else runner_state
