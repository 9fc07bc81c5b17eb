"""mmsearch's early-termination rule for multi-objective studies, where Optuna's pruners do not apply."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence

from mmsearch.eval.metrics import PRIMARY_METRIC

WARMUP_EVALUATIONS = 5
"""Evaluations a trial always runs before the rule can stop it."""

MIN_COMPLETED = 3
"""Fewest comparable completed trials the rule needs to stop a trial."""

CURVE_METRIC = f"valid_{PRIMARY_METRIC}"
"""The key of a curve point that the rule reads (validation Recall@20)."""

Curve = Sequence[Mapping[str, float]]


def termination_reason(curve: Curve, completed: Iterable[Curve]) -> str | None:
    """Whether a running trial should stop, by its curve so far against the curves of completed trials.

    Let ``n`` be the number of evaluations in ``curve`` (one ``EpochReport.to_dict()`` per validation evaluation)
    and ``best(c, n)`` the highest validation Recall@20 among the first ``n`` evaluations of curve ``c`` (NaN values
    ignored). The trial stops when all of these hold:

    - ``n > WARMUP_EVALUATIONS`` (the first 5 evaluations always run);
    - at least ``MIN_COMPLETED`` (3) of the ``completed`` curves have at least ``n`` evaluations;
    - ``best(curve, n)`` is strictly below the median of ``best(c, n)`` over those completed curves.

    Returns:
        None to go on; else the reason, e.g. ``best valid recall@20 0.1000 after 6 evaluations is below the median
        0.2000 of 3 completed trials at that count``.
    """
    n = len(curve)
    if n <= WARMUP_EVALUATIONS:
        return None
    peers = [_best(other, n) for other in completed if len(other) >= n]
    if len(peers) < MIN_COMPLETED:
        return None
    own, median = _best(curve, n), statistics.median(peers)
    if not own < median:
        return None
    return (
        f"best valid {PRIMARY_METRIC} {own:.4f} after {n} evaluations is below the median {median:.4f} of "
        f"{len(peers)} completed trials at that count"
    )


def _best(curve: Curve, n: int) -> float:
    """The highest validation Recall@20 of the first ``n`` points of ``curve``; -inf when all are NaN."""
    return max((value for point in curve[:n] if not math.isnan(value := point[CURVE_METRIC])), default=-math.inf)
