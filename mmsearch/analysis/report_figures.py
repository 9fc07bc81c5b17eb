"""The figures of an HTML report, keyed like the report's blocks."""

from __future__ import annotations

import plotly.graph_objects as go

from .figures import (
    choice_figure,
    configurations_figure,
    curves_figure,
    failures_figure,
    importance_figure,
    interaction_figure,
    pareto_figure,
    rank_figure,
    states_figure,
)
from .interactions import interaction_table
from .layout import INTERACTION
from .outcomes import failure_reasons, state_counts
from .pareto import COSTS
from .report import Report


def report_figures(report: Report) -> dict[str, list[go.Figure]]:
    """Block key -> the figures shown under that block (blocks without a figure are absent)."""
    frame = report.frame
    figures = {
        "states": [states_figure(state_counts(frame))],
        "leaderboard": [curves_figure(report.curves)],
        "seeds": [configurations_figure(report.configs.head(report.top))],
        **{f"axis:{axis}": [choice_figure(frame, axis)] for axis in report.axes},
        **{f"controlled:{axis}": [rank_figure(report.ranks, axis)] for axis in report.ranks["axis"].unique()},
        **{f"pareto:{cost}": [pareto_figure(frame, cost)] for cost in COSTS},
    }
    reasons = failure_reasons(frame)
    if not reasons.empty:
        figures["failures"] = [failures_figure(reasons)]
    if all(axis in report.axes for axis in INTERACTION):
        figures["interaction"] = [interaction_figure(interaction_table(frame, *INTERACTION), *INTERACTION)]
    if report.importance is not None:
        figures["importance"] = [importance_figure(report.importance)]
    return figures
