"""The statistics behind a verdict: an effect with its 95% confidence interval and p-value over independent units,
and the state a corrected p-value, the direction on test and the amount of evidence earn.

Units are what replicates a comparison: anchors of a controlled ablation (seeds averaged within each), pairs of
trials that differ in one axis only, or single trials of a search. Users are never units: every user of one model
shares its training run, so their spread says nothing about another run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
"""Significance level of the Holm-corrected p-value."""

WINS = "wins"
LOSES = "loses"
NO_DIFFERENCE = "no detectable difference"
NOT_ENOUGH = "not enough evidence"
STATES = (WINS, LOSES, NO_DIFFERENCE, NOT_ENOUGH)

MIN_ANCHORS = 3
"""Controlled: fewest anchors (each with every choice completed) behind a verdict."""
MIN_SEEDS = 2
"""Controlled: fewest seeds per anchor and choice behind a verdict."""
MIN_TRIALS = 5
"""Observational: fewest completed trials per choice behind a verdict from unpaired trials."""
MIN_PAIRS = 3
"""Observational: fewest pairs of trials that differ only in the axis for a paired verdict."""


@dataclass(frozen=True)
class Interval:
    """A difference ``effect`` (choice minus reference) with its 95% confidence interval and two-sided p-value.

    ``low``/``high``/``p`` are NaN when the units cannot give them (fewer than two units); ``p`` is 1.0 when every
    unit difference is zero and 0.0 when they are all the same non-zero value.
    """

    effect: float
    low: float
    high: float
    p: float
    units: int


def paired_interval(differences: np.ndarray) -> Interval:
    """One-sample t interval and test of the mean of per-unit differences ``differences`` [n]."""
    values = np.asarray(differences, dtype=float)
    n = len(values)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(values.mean())
    if n < 2:
        return Interval(mean, math.nan, math.nan, math.nan, n)
    spread = float(values.std(ddof=1))
    if spread <= 1e-12 * max(1.0, abs(mean)):
        return Interval(mean, mean, mean, 1.0 if mean == 0 else 0.0, n)
    half = stats.t.ppf(0.975, n - 1) * spread / math.sqrt(n)
    p = float(2 * stats.t.sf(abs(mean) / (spread / math.sqrt(n)), n - 1))
    return Interval(mean, mean - half, mean + half, p, n)


def welch_interval(values: np.ndarray, reference: np.ndarray) -> Interval:
    """Welch's t interval and test of ``mean(values) - mean(reference)`` for two independent samples."""
    a, b = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    units = len(a) + len(b)
    if len(a) == 0 or len(b) == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, units)
    effect = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return Interval(effect, math.nan, math.nan, math.nan, units)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se <= 1e-12:
        return Interval(effect, effect, effect, 1.0 if effect == 0 else 0.0, units)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * se
    return Interval(effect, effect - half, effect + half, float(2 * stats.t.sf(abs(effect) / se, df)), units)


def choice_state(interval: Interval, p_holm: float, test_effect: float, enough: bool, alpha: float = ALPHA) -> str:
    """The state of a choice against a reference, from its validation ``interval``.

    ``wins``/``loses`` when the corrected p-value is below ``alpha`` and the test difference has the same sign;
    ``no detectable difference`` when the uncorrected interval contains zero; ``not enough evidence`` below the
    minimums, without a p-value, when test disagrees in direction, or when the difference is significant only
    before the correction for multiple comparisons.
    """
    if not enough or math.isnan(p_holm):
        return NOT_ENOUGH
    if p_holm >= alpha:
        return NO_DIFFERENCE if interval.low <= 0 <= interval.high else NOT_ENOUGH
    effect = interval.effect
    if math.isnan(test_effect) or np.sign(test_effect) != np.sign(effect) or effect == 0:
        return NOT_ENOUGH
    return WINS if effect > 0 else LOSES


def state_text(state: str, low: float, high: float) -> str:
    """The state as a reader sees it: ``no detectable difference (within ±0.0031)`` names the interval's reach."""
    if state != NO_DIFFERENCE or math.isnan(low) or math.isnan(high):
        return state
    return f"{state} (within ±{max(abs(low), abs(high)):.4f})"


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values, in the input order; NaN entries stay NaN and do not count as tests.

    With the ``m`` valid p-values sorted ascending, the ``i``-th (1-based) becomes
    ``max_{j <= i} min(1, (m - j + 1) * p_(j))``.
    """
    values = np.asarray(pvalues, dtype=float)
    adjusted = np.full(values.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(values))
    order = valid[np.argsort(values[valid], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * values[index]))
        adjusted[index] = running
    return adjusted
