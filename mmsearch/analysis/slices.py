"""Overall against slice figures (cold, tail, missing-modality items, sparse users) per choice or per named model."""

from __future__ import annotations

import pandas as pd

from ._trials import ranked_trials

SLICE_METRIC = "recall@20"
SPLIT = "test"


def slice_names(frame: pd.DataFrame) -> list[str]:
    """The slices the trials table holds figures for, in column order (``<split>_<slice>_interactions`` columns)."""
    prefix, suffix = f"{SPLIT}_", "_interactions"
    return [
        column[len(prefix) : -len(suffix)] for column in frame if column.startswith(prefix) and column.endswith(suffix)
    ]


def slice_table(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean test Recall@20 of the completed trials, overall and per slice, grouped by column ``by`` (an axis, or
    ``preset`` for the named models' baseline trials).

    Returns:
        One row per dataset and value of ``by``: ``trials``, ``overall`` and one column per slice (mean over the
        group's trials; NaN where the slice holds no interaction), with ``<slice> n``, the held-out interactions
        behind that slice's figure (the largest count in the group: every trial of a dataset sees the same split).
        Empty when no completed trial has ``by`` set or slice figures.
    """
    names = slice_names(frame)
    ranked = ranked_trials(frame)
    if ranked.empty or by not in ranked or not names:
        return pd.DataFrame()
    ranked = ranked[ranked[by].notna()]
    rows = []
    for (dataset, value), group in ranked.groupby(["dataset", by], sort=True, dropna=False):
        row = {"dataset": dataset, by: value, "trials": len(group), "overall": group[f"{SPLIT}_{SLICE_METRIC}"].mean()}
        for name in names:
            row[name] = pd.to_numeric(group[f"{SPLIT}_{name}_{SLICE_METRIC}"], errors="coerce").mean()
            count = pd.to_numeric(group[f"{SPLIT}_{name}_interactions"], errors="coerce").max()
            row[f"{name} n"] = int(count) if pd.notna(count) else 0
        rows.append(row)
    return pd.DataFrame(rows)
