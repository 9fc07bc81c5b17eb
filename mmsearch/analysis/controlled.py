"""Controlled comparisons from ablations (``mmsearch ablate``): ranks of the choices within each anchor and the
difference of each choice to the best one, seeds averaged within an anchor, with a 95% interval over anchors.

The variants table (``load.variants_frame``) has one row per trained variant: ``dataset``, ``axis``, ``anchor``,
``choice``, ``seed``, ``state``, ``valid`` and ``test`` (Recall@20 at the best-validation epoch).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .evidence import MIN_ANCHORS, MIN_SEEDS, paired_interval
from .verdict import CHOICE_COLUMNS, VERDICT_COLUMNS, settle, verdict_rows

RANK_COLUMNS = ("dataset", "axis", "choice", "rank", "anchors")
"""Rank distribution: how many anchors ranked ``choice`` at ``rank`` (1 = best; ties share the better rank)."""


def controlled_choices(variants: pd.DataFrame) -> pd.DataFrame:
    """Choice rows (``verdict.CHOICE_COLUMNS``, ``kind`` = ``controlled``, ``basis`` = ``anchors``) per dataset and
    axis, before ``verdict.settle``.

    Only anchors on which every choice completed at least one seed are used; within an anchor a choice's value is
    the mean over its completed seeds. The best choice has the highest mean over anchors; every other choice's
    ``effect`` is the mean over anchors of its difference to the best, with a t interval and test over anchors.
    ``seed_sd`` is the standard deviation over seeds of the same-seed difference, pooled over anchors. ``enough``
    needs ``MIN_ANCHORS`` anchors and ``MIN_SEEDS`` seeds of every choice on each.
    """
    rows = []
    if variants.empty:
        return pd.DataFrame(columns=list(CHOICE_COLUMNS))
    done = variants[(variants["state"] == "COMPLETE") & variants["valid"].notna()]
    for (dataset, axis), group in done.groupby(["dataset", "axis"], sort=True):
        choices = list(dict.fromkeys(variants.loc[variants["axis"] == axis, "choice"]))
        cells = group.groupby(["anchor", "choice"])
        valid = cells["valid"].mean().unstack("choice").reindex(columns=choices)
        test = cells["test"].mean().unstack("choice").reindex(columns=choices)
        seeds = cells["seed"].nunique().unstack("choice").reindex(columns=choices)
        anchors = valid.dropna().index
        valid, test, seeds = valid.loc[anchors], test.loc[anchors], seeds.loc[anchors]
        if len(anchors) == 0:
            continue
        means = valid.mean()
        best = means.idxmax()
        ranks = valid.rank(axis=1, ascending=False, method="min")
        enough = len(anchors) >= MIN_ANCHORS and int(seeds.min().min()) >= MIN_SEEDS
        for choice in choices:
            interval = paired_interval((valid[choice] - valid[best]).to_numpy())
            rows.append(
                {
                    "dataset": dataset,
                    "axis": axis,
                    "kind": "controlled",
                    "basis": "anchors",
                    "choice": choice,
                    "best": choice == best,
                    "mean": float(means[choice]),
                    "test_mean": float(test[choice].mean()),
                    "mean_rank": float(valid.rank(axis=1, ascending=False)[choice].mean()),
                    "ranks": " ".join(
                        f"{int(r)}:{int(n)}" for r, n in ranks[choice].value_counts().sort_index().items()
                    ),
                    "effect": interval.effect,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                    "p_raw": math.nan if choice == best else interval.p,
                    "p": math.nan,
                    "test_effect": float((test[choice] - test[best]).mean()),
                    "seed_sd": _seed_spread(group[group["anchor"].isin(anchors)], choice, best),
                    "anchors": len(anchors),
                    "seeds": int(seeds[choice].min()),
                    "trials": int(group["anchor"].isin(anchors).sum()),
                    "enough": enough,
                    "state": "",
                }
            )
    return pd.DataFrame(rows, columns=list(CHOICE_COLUMNS))


def rank_distribution(choices: pd.DataFrame) -> pd.DataFrame:
    """GraphGym's ranking analysis: per dataset, axis and choice of controlled choice rows, the number of anchors
    at each rank."""
    choices = choices[choices["kind"] == "controlled"]
    rows = [
        {"dataset": row.dataset, "axis": row.axis, "choice": row.choice, "rank": int(rank), "anchors": int(count)}
        for row in choices.itertuples()
        for rank, count in (part.split(":") for part in row.ranks.split())
    ]
    return pd.DataFrame(rows, columns=list(RANK_COLUMNS))


def _seed_spread(group: pd.DataFrame, choice: str, best: str) -> float:
    """Pooled standard deviation over seeds of ``choice`` minus ``best`` at the same anchor and seed (NaN without
    two seeds anywhere)."""
    if choice == best:
        return math.nan
    table = group[group["choice"].isin([choice, best])].pivot_table(
        index=["anchor", "seed"], columns="choice", values="valid"
    )
    if choice not in table or best not in table:
        return math.nan
    differences = (table[choice] - table[best]).dropna()
    spreads = [part.var(ddof=1) for _, part in differences.groupby(level="anchor") if len(part) > 1]
    return float(np.sqrt(np.mean(spreads))) if spreads else math.nan


def slice_choices(variants: pd.DataFrame) -> pd.DataFrame:
    """``controlled_choices`` measured on each slice of the evaluation instead of the whole split: the same anchors,
    variants and rules, with ``valid``/``test`` read from ``valid_<slice>``/``test_<slice>``; a ``slice`` column
    names it. Slices without validation figures (no interaction) give no rows."""
    names = [column[len("valid_") :] for column in variants.columns if column.startswith("valid_")]
    parts = [
        controlled_choices(
            variants.assign(valid=variants[f"valid_{name}"], test=variants.get(f"test_{name}", np.nan))
        ).assign(slice=name)
        for name in names
    ]
    parts = [part for part in parts if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*CHOICE_COLUMNS, "slice"])


def controlled_slice_verdicts(variants: pd.DataFrame) -> pd.DataFrame:
    """Verdict rows (``verdict.VERDICT_COLUMNS`` and ``slice``) of ``slice_choices``, each slice settled on its own
    (Holm correction within the slice)."""
    sliced = slice_choices(variants)
    parts = [
        verdict_rows(settle(part.drop(columns="slice"))).assign(slice=name)
        for name, part in sliced.groupby("slice", sort=False)
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*VERDICT_COLUMNS, "slice"])
