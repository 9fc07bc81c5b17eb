"""Plotly figures of the analysis tables (no Streamlit here: the dashboard and the HTML report both use them).

Each function takes the table the matching analysis function returns (or the trials table) and returns a
``plotly.graph_objects.Figure``; an empty table gives an empty figure with its title, never an error.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ._trials import PRIMARY, complete_trials
from .configs import config_name
from .interactions import interaction_pivot
from .pareto import COST_NAMES, pareto_front

_NAMES = {"recall": "Recall", "ndcg": "NDCG", "precision": "Precision", "map": "MAP"}
_SPLITS = {"valid": "validation", "test": "test"}


def metric_title(column: str) -> str:
    """Readable name of a metric column: ``valid_recall@20`` -> ``validation Recall@20``."""
    split, _, metric = column.partition("_")
    if split not in _SPLITS or "@" not in metric:
        return COST_NAMES.get(column, column.replace("_", " "))
    kind, _, k = metric.partition("@")
    return f"{_SPLITS[split]} {_NAMES.get(kind, kind)}@{k}"


def _layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    figure.update_layout(
        title=title, height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10}, template="plotly_white"
    )
    return figure


def choice_figure(frame: pd.DataFrame, axis: str, metric: str = PRIMARY) -> go.Figure:
    """Box and points of ``metric`` per choice of ``axis`` over completed trials where the axis is active (a modal
    axis of an ID-only trial is not); each label carries its ``n``."""
    complete = complete_trials(frame, metric)
    if axis in complete:
        complete = complete[complete[axis].notna()]
    if complete.empty or axis not in complete:
        return _layout(go.Figure(), f"{metric_title(metric)} by {axis}: no completed trial")
    counts = complete[axis].value_counts()
    shown = complete.assign(choice=complete[axis].map(lambda c: f"{c} (n={counts[c]})"))
    order = shown.groupby("choice")[metric].max().sort_values(ascending=False).index.tolist()
    figure = px.box(
        shown,
        x="choice",
        y=metric,
        points="all",
        hover_data=["study", "trial", "label"],
        category_orders={"choice": order},
        labels={"choice": axis, metric: metric_title(metric)},
    )
    return _layout(figure, f"{metric_title(metric)} by {axis} (completed trials)")


def cross_dataset_figure(summary: pd.DataFrame, axis: str, value: str = "best") -> go.Figure:
    """Grouped bars of ``value`` per dataset and choice, from ``cross_dataset_summary``; hover shows ``trials``."""
    shown = summary[summary["trials"] > 0] if not summary.empty else summary
    if shown.empty:
        return _layout(go.Figure(), f"{axis} across datasets: no completed trial")
    figure = px.bar(
        shown,
        x="dataset",
        y=value,
        color="choice",
        barmode="group",
        text="trials",
        hover_data=["trials", "median", "win_rate"],
        labels={"choice": axis, value: value.replace("_", " ")},
    )
    figure.update_traces(texttemplate="n=%{text}", textposition="outside")
    return _layout(figure, f"{value.replace('_', ' ')} per {axis} choice and dataset (bars labelled with trials)")


def interaction_figure(table: pd.DataFrame, rows: str, columns: str, value: str = "median") -> go.Figure:
    """Heatmap of ``value`` for each pair of choices, from ``interaction_table``; cells show the value and ``n``."""
    if table.empty:
        return _layout(go.Figure(), f"{rows} x {columns}: no completed trial")
    values = interaction_pivot(table, rows, columns, value)
    counts = interaction_pivot(table, rows, columns, "trials")
    text = [
        [f"{v:.4f}<br>n={int(n)}" if pd.notna(v) else "" for v, n in zip(value_row, count_row)]
        for value_row, count_row in zip(values.to_numpy(), counts.fillna(0).to_numpy())
    ]
    figure = go.Figure(
        go.Heatmap(
            z=values.to_numpy(),
            x=[str(c) for c in values.columns],
            y=[str(i) for i in values.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            colorbar={"title": value},
        )
    )
    figure.update_xaxes(title=columns)
    figure.update_yaxes(title=rows)
    return _layout(figure, f"{value} {metric_title(PRIMARY)}: {rows} x {columns}")


def importance_figure(importance: pd.DataFrame) -> go.Figure:
    """Horizontal bars of ``param_importance``, most important on top."""
    if importance.empty:
        return _layout(go.Figure(), "parameter importance: nothing to show")
    ordered = importance.iloc[::-1]
    figure = px.bar(ordered, x="importance", y="param", orientation="h", labels={"param": "parameter"})
    height = max(300, 28 * len(importance) + 100)
    return _layout(figure, "PED-ANOVA importance for reaching the top trials", height)


def pareto_figure(frame: pd.DataFrame, cost: str = "train_seconds", metric: str = PRIMARY) -> go.Figure:
    """Every completed trial as a point (``cost`` across, ``metric`` up) with the Pareto front drawn as a line."""
    complete = complete_trials(frame, metric)
    if complete.empty or cost not in complete:
        return _layout(go.Figure(), f"{metric_title(metric)} vs {metric_title(cost)}: no completed trial")
    figure = px.scatter(
        complete,
        x=cost,
        y=metric,
        color="encoder" if "encoder" in complete else None,
        symbol="timing" if "timing" in complete else None,
        hover_data=["study", "trial", "label"],
        labels={cost: metric_title(cost), metric: metric_title(metric)},
    )
    front = pareto_front(complete, cost, metric)
    figure.add_trace(
        go.Scatter(
            x=front[cost],
            y=front[metric],
            mode="lines",
            line={"shape": "hv", "color": "black", "dash": "dot"},
            name="Pareto front",
        )
    )
    return _layout(figure, f"{metric_title(metric)} vs {metric_title(cost)} ({len(front)} trials on the front)")


def curves_figure(curves: pd.DataFrame, metric: str = PRIMARY) -> go.Figure:
    """One line per trial of ``metric`` (a ``curves_frame`` column, e.g. ``valid_recall@20`` or ``loss``) by epoch."""
    if curves.empty or metric not in curves:
        return _layout(go.Figure(), f"{metric_title(metric)} by epoch: no evaluation recorded")
    shown = curves.assign(run=curves["study"] + "#" + curves["trial"].astype(str))
    figure = px.line(
        shown,
        x="epoch",
        y=metric,
        color="run",
        markers=True,
        hover_data=["label"],
        labels={metric: metric_title(metric), "run": "trial"},
    )
    return _layout(figure, f"{metric_title(metric)} by epoch")


def per_user_figure(per_user: pd.DataFrame, title: str) -> go.Figure:
    """Histogram of per-user values (a ``per_user_frame``), one colour per trial when several."""
    if per_user.empty:
        return _layout(go.Figure(), f"{title}: no per-user vectors stored")
    shown = per_user.assign(run=per_user["study"] + "#" + per_user["trial"].astype(str))
    figure = px.histogram(shown, x="value", color="run", barmode="overlay", nbins=20, labels={"value": title})
    return _layout(figure, f"{title} per user ({shown['user'].nunique()} users)")


def fusion_weights_figure(weights: pd.DataFrame) -> go.Figure:
    """Bars of the learned view weights of each attentive fusion module (a ``fusion_weights_frame``)."""
    if weights.empty:
        return _layout(go.Figure(), "fusion weights: this trial has no attentive fusion")
    figure = px.bar(weights, x="view", y="weight", color="module", barmode="group")
    return _layout(figure, "learned view weights of attentive fusions")


def failures_figure(reasons: pd.DataFrame) -> go.Figure:
    """Horizontal bars of failed trials per reason group (a ``failure_reasons`` table)."""
    if reasons.empty:
        return _layout(go.Figure(), "no failed trial")
    shown = reasons.assign(short=reasons["reason"].str.slice(0, 80)).iloc[::-1]
    figure = px.bar(shown, x="trials", y="short", orientation="h", hover_data=["example"], labels={"short": "reason"})
    return _layout(figure, "failed trials by reason", max(260, 40 * len(reasons) + 100))


def states_figure(counts: pd.DataFrame) -> go.Figure:
    """Stacked bars of trials per state for each study (a ``state_counts`` table)."""
    if counts.empty:
        return _layout(go.Figure(), "no trial yet")
    long = counts.drop(columns="total").reset_index().melt(id_vars="study", var_name="state", value_name="trials")
    figure = px.bar(long[long["trials"] > 0], x="study", y="trials", color="state")
    return _layout(figure, "trials by state")


def configurations_figure(configs: pd.DataFrame, metric: str = PRIMARY) -> go.Figure:
    """Mean ``metric`` of configurations with the standard deviation over seeds as error bars (a
    ``configurations`` table, usually its first rows).
    """
    if configs.empty:
        return _layout(go.Figure(), "no completed configuration")
    shown = configs.assign(name=configs.apply(config_name, axis=1))
    figure = px.bar(
        shown.iloc[::-1],
        x="mean",
        y="name",
        error_x="std",
        orientation="h",
        hover_data=["runs", "seeds"],
        labels={"mean": f"mean {metric_title(metric)}", "name": "configuration"},
    )
    height = max(300, 32 * len(configs) + 100)
    return _layout(figure, f"mean {metric_title(metric)} over seeds (bars: one std)", height)


def rank_figure(ranks: pd.DataFrame, axis: str) -> go.Figure:
    """GraphGym's rank distribution of one axis: per choice, stacked bars of the anchors at each rank (1 = best
    within the anchor), from ``controlled.rank_distribution``."""
    shown = ranks[ranks["axis"] == axis].assign(rank=lambda t: t["rank"].astype(str))
    figure = px.bar(
        shown,
        x="choice",
        y="anchors",
        color="rank",
        barmode="stack",
        category_orders={"rank": sorted(shown["rank"].unique(), key=int)},
    )
    return _layout(figure, f"rank of each {axis} choice within its anchors (1 = best)")


def slices_figure(table: pd.DataFrame, by: str) -> go.Figure:
    """Grouped bars of test Recall@20, overall and per slice, for each value of ``by`` (``slices.slice_table``)."""
    if table.empty or by not in table:
        return _layout(go.Figure(), f"test Recall@20 by slice and {by}: no completed trial with slice figures")
    measures = ["overall", *(column for column in table.columns if f"{column} n" in table.columns)]
    long = table.melt(id_vars=[by], value_vars=measures, var_name="slice", value_name="recall")
    figure = px.bar(long, x=by, y="recall", color="slice", barmode="group", labels={"recall": "test Recall@20"})
    return _layout(figure, f"test Recall@20 overall and on the slices, by {by}")
