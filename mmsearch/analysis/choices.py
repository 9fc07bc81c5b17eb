"""Per design axis, how each choice does: best and spread of the ranking metric, share of the top trials."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._trials import AXIS_COLUMNS, PRIMARY, TOP_SHARE, complete_trials, ranked_trials, top_trials

SUMMARY_COLUMNS = (
    "choice", "trials", "pruned", "failed", "best", "q1", "median", "q3", "top", "win_rate", "share",
    "best_study", "best_trial",
)  # fmt: skip


def axis_summary(frame: pd.DataFrame, axis: str, metric: str = PRIMARY, top_share: float = TOP_SHARE) -> pd.DataFrame:
    """How each choice of one axis does over the trials of ``frame`` in which the axis acts (observational figures:
    the trials differ in other axes too).

    Args:
        frame: trials (``trials_frame`` columns), usually of one dataset.
        axis: the column holding the choice, e.g. ``timing`` or ``fusion``.
        metric: the column ranking trials.
        top_share: the share of best completed trials that makes the top (0.1: the top decile).

    Returns:
        One row per choice seen in any trial, best ``best`` first (choices without a completed trial last):
        ``choice``; ``trials``, the number of completed trials with a finite metric behind every figure of the row;
        ``pruned`` and ``failed`` counts; ``best``, ``q1``, ``median``, ``q3`` of the metric; ``top``, the number of
        top trials (of those in which the axis acts) that use the choice; ``win_rate``, ``top`` over the size of the
        top (the win rates of an axis sum to 1); ``share``, the choice's share of those completed trials (a win
        rate above its share means the choice is over-represented among the best); ``best_study`` and
        ``best_trial`` locate its best trial.
    """
    if frame.empty or axis not in frame:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    frame = frame[frame[axis].notna()]
    complete = ranked_trials(frame, metric)
    top = top_trials(frame, metric, top_share)
    rows = []
    for choice in sorted(frame[axis].dropna().unique()):
        mine = complete[complete[axis] == choice]
        values = mine[metric].astype(float)
        states = frame.loc[frame[axis] == choice, "state"]
        rows.append(
            {
                "choice": choice,
                "trials": len(mine),
                "pruned": int((states == "PRUNED").sum()),
                "failed": int((states == "FAIL").sum()),
                "best": values.max() if len(mine) else float("nan"),
                "q1": values.quantile(0.25) if len(mine) else float("nan"),
                "median": values.median() if len(mine) else float("nan"),
                "q3": values.quantile(0.75) if len(mine) else float("nan"),
                "top": int((top[axis] == choice).sum()),
                "win_rate": (top[axis] == choice).mean() if len(top) else float("nan"),
                "share": len(mine) / len(complete) if len(complete) else float("nan"),
                "best_study": mine["study"].iloc[0] if len(mine) else None,
                "best_trial": int(mine["trial"].iloc[0]) if len(mine) else None,
            }
        )
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return summary.sort_values(["best", "choice"], ascending=[False, True], na_position="last").reset_index(drop=True)


def axes_summary(
    frame: pd.DataFrame,
    axes: Sequence[str] = AXIS_COLUMNS,
    metric: str = PRIMARY,
    top_share: float = TOP_SHARE,
) -> pd.DataFrame:
    """``axis_summary`` of every axis present in ``frame``, stacked, with the axis name in a first column ``axis``."""
    parts = [axis_summary(frame, axis, metric, top_share).assign(axis=axis) for axis in axes if axis in frame]
    columns = ["axis", *SUMMARY_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def searched_axes(frame: pd.DataFrame, metric: str = PRIMARY) -> list[str]:
    """Axes on which the completed trials of ``frame`` used at least two choices (the axes a summary can rank)."""
    complete = complete_trials(frame, metric)
    return [axis for axis in AXIS_COLUMNS if axis in complete and complete[axis].nunique() >= 2]
