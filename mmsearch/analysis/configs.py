"""Configurations (a spec without its seed): mean, spread and 95% interval over the seeds each configuration ran
with, counting the seeds of ``mmsearch retrain`` beside the search's own trials."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ._trials import PRIMARY, ranked_trials
from .evidence import paired_interval

CONFIG_COLUMNS = (
    "dataset", "config", "label", "runs", "seeds", "mean", "std", "mean_low", "mean_high", "min", "max", "test_mean",
    "best_study", "best_trial",
)  # fmt: skip

TEST = "test_recall@20"


def configurations(
    frame: pd.DataFrame, metric: str = PRIMARY, retrains: Mapping[tuple[str, int], Mapping[str, Any]] | None = None
) -> pd.DataFrame:
    """Completed trials grouped by dataset and ``config`` (the spec's hash without its seed).

    Args:
        frame: trials table.
        metric: ``valid_recall@20`` (default) or another ``valid_``/``test_`` column that re-trainings record.
        retrains: (study, trial) -> the summary ``mmsearch retrain`` stored for that trial (``retrain_summaries``):
            its seeds join the configuration's runs; a seed that a trial of the configuration already ran counts
            once.

    Returns:
        One row per configuration and dataset: ``label``; ``runs`` (distinct seeds run); ``seeds`` (comma-joined);
        ``mean``, ``std`` (sample standard deviation, NaN for a single run), ``mean_low``/``mean_high`` (95% t interval
        of the mean over seeds, NaN for a single run), ``min`` and ``max`` of the metric; ``test_mean`` (test
        Recall@20 over the same runs); ``best_study``/``best_trial`` (its best trial). Ranked by ``mean`` within
        each dataset, datasets in name order.
    """
    ranked = ranked_trials(frame, metric)
    if ranked.empty or "config" not in ranked:
        return pd.DataFrame(columns=list(CONFIG_COLUMNS))
    runs = ranked.assign(value=ranked[metric].astype(float), test=pd.to_numeric(ranked.get(TEST), errors="coerce"))
    runs = runs[["dataset", "config", "label", "study", "trial", "seed", "value", "test"]]
    extra = [
        {**trial, "seed": seed, "value": value, "test": test}
        for (study, number), summary in (retrains or {}).items()
        for trial in runs[(runs["study"] == study) & (runs["trial"] == number)].to_dict(orient="records")[:1]
        for seed, value, test in zip(
            summary["seeds"], summary["per_seed"].get(metric, []), summary["per_seed"].get(TEST, [])
        )
    ]
    if extra:
        runs = pd.concat([runs, pd.DataFrame(extra)], ignore_index=True)
    runs = runs.drop_duplicates(["dataset", "config", "seed"], keep="first")
    rows = []
    for (dataset, config), group in runs.groupby(["dataset", "config"], sort=False, dropna=False):
        values = group["value"].astype(float)
        interval = paired_interval(values.to_numpy())
        rows.append(
            {
                "dataset": dataset,
                "config": config,
                "label": group["label"].iloc[0],
                "runs": len(group),
                "seeds": ",".join(str(int(seed)) for seed in sorted(group["seed"].dropna().unique())),
                "mean": values.mean(),
                "std": values.std(ddof=1) if len(group) > 1 else float("nan"),
                "mean_low": interval.low,
                "mean_high": interval.high,
                "min": values.min(),
                "max": values.max(),
                "test_mean": group["test"].mean(),
                "best_study": group["study"].iloc[0],
                "best_trial": int(group["trial"].iloc[0]),
            }
        )
    table = pd.DataFrame(rows, columns=list(CONFIG_COLUMNS))
    return table.sort_values(["dataset", "mean", "config"], ascending=[True, False, True], ignore_index=True)


def config_name(row: pd.Series) -> str:
    """Readable, unique name of a configuration row: its label and its best run (``label (study#trial)``)."""
    return f"{row['label']} ({row['best_study']}#{row['best_trial']})"
