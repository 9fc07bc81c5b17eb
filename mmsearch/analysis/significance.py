"""Paired significance between models on per-user metrics: Wilcoxon signed-rank and paired t-test, Holm-corrected.

Per-user metrics come as a long table ``per_user`` with columns ``study``, ``trial``, ``seed``, ``user`` and ``value``
(one metric of one split, e.g. test Recall@20, per run: a trial or one seed of its re-training; see
``load.per_user_frame``). Two models are paired on the users both were evaluated on.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .evidence import ALPHA, holm

TEST_COLUMNS = ("n_users", "mean", "reference_mean", "diff", "wilcoxon_p", "ttest_p")


@dataclass(frozen=True)
class PairedTest:
    """Outcome of comparing model A with a reference model B on the same users.

    Attributes:
        n_users: users evaluated by both.
        mean, reference_mean: mean per-user metric of A and of B over those users.
        diff: ``mean - reference_mean``.
        wilcoxon_p: two-sided Wilcoxon signed-rank p-value (users with a zero difference dropped); 1.0 when every
            difference is zero; NaN with fewer than two users.
        ttest_p: two-sided paired t-test p-value; 1.0 when every difference is zero and 0.0 when every difference
            is the same non-zero number (up to 1e-12); NaN with fewer than two users.
    """

    n_users: int
    mean: float
    reference_mean: float
    diff: float
    wilcoxon_p: float
    ttest_p: float


def paired_test(values: pd.Series, reference: pd.Series) -> PairedTest:
    """Compare two per-user metric series indexed by user id (users missing from either side are left out)."""
    pairs = pd.concat([values.rename("a"), reference.rename("b")], axis=1, join="inner").dropna()
    a, b = pairs["a"].to_numpy(float), pairs["b"].to_numpy(float)
    if len(pairs) < 2:
        nan = float("nan")
        return PairedTest(len(pairs), *(_mean(a), _mean(b), _mean(a) - _mean(b)), nan, nan)
    difference = a - b
    if not difference.any():
        wilcoxon_p = ttest_p = 1.0
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            wilcoxon_p = float(stats.wilcoxon(a, b).pvalue)
            constant = np.allclose(difference, difference[0], rtol=0.0, atol=1e-12)
            ttest_p = 0.0 if constant else float(stats.ttest_rel(a, b).pvalue)
    return PairedTest(len(pairs), a.mean(), b.mean(), a.mean() - b.mean(), wilcoxon_p, ttest_p)


def config_significance(
    per_user: pd.DataFrame, frame: pd.DataFrame, configs: Sequence[str], alpha: float = ALPHA
) -> pd.DataFrame:
    """Each configuration against the first one (the reference), Holm-corrected across the comparisons.

    A configuration's per-user value is the mean over its distinct seeds that have per-user vectors in ``per_user``
    (its trials' and their re-trainings'; a seed run twice counts once, as in ``configurations``).

    Args:
        per_user: long per-user table (``study``, ``trial``, ``seed``, ``user``, ``value``).
        frame: trials table with ``study``, ``trial`` and ``config``, mapping runs to configurations.
        configs: configuration keys, the reference first (usually the best by validation).
        alpha: significance level applied to the Holm-adjusted Wilcoxon p-value.

    Returns:
        One row per configuration after the first: ``config``, ``reference``, ``runs`` (seeds averaged), the
        ``PairedTest`` fields, ``wilcoxon_holm``, ``ttest_holm`` and ``significant`` (``wilcoxon_holm < alpha``).
    """
    columns = ["config", "reference", "runs", *TEST_COLUMNS, "wilcoxon_holm", "ttest_holm", "significant"]
    if len(configs) < 2:
        return pd.DataFrame(columns=columns)
    runs = frame[["study", "trial", "config"]].merge(per_user, on=["study", "trial"])
    runs = runs[runs["config"].isin(configs)].drop_duplicates(["config", "seed", "user"], keep="first")
    matrix = runs.groupby(["user", "config"])["value"].mean().unstack("config")
    counts = runs.groupby("config")["seed"].nunique() if not runs.empty else pd.Series(dtype=int)
    reference = configs[0]
    empty = pd.Series(dtype=float)
    rows = []
    for config in configs[1:]:
        test = paired_test(matrix.get(config, empty), matrix.get(reference, empty))
        rows.append({"config": config, "reference": reference, "runs": int(counts.get(config, 0)), **asdict(test)})
    return _with_holm(pd.DataFrame(rows), alpha)[columns]


def _with_holm(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    if table.empty:
        return table.assign(wilcoxon_holm=[], ttest_holm=[], significant=[])
    return table.assign(
        wilcoxon_holm=holm(table["wilcoxon_p"]),
        ttest_holm=holm(table["ttest_p"]),
        significant=lambda t: t["wilcoxon_holm"] < alpha,
    )


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")
