"""A ``Report`` laid out as titled blocks of formatted tables, shared by every output format."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmsearch.study.objectives import OBJECTIVE_COLUMNS

from ._trials import PRIMARY, ranked_trials
from .choices import axes_summary
from .configs import config_name
from .evidence import MIN_ANCHORS, MIN_SEEDS, MIN_TRIALS
from .interactions import interaction_table
from .outcomes import STATES, failure_reasons, state_counts
from .pareto import COST_NAMES, pareto_front
from .report import SIGNIFICANCE_METRIC, SIGNIFICANCE_SPLIT, Report, ablatable, ablate_command
from .slices import slice_table
from .verdict import describe_verdict

SHOWN_VERDICT_COLUMNS = (
    "dataset", "axis", "winner", "runner_up", "effect", "ci_low", "ci_high", "p", "test_effect", "verdict", "basis",
    "anchors", "seeds", "trials",
)  # fmt: skip
"""The verdict columns a reader sees, in the report and the dashboard."""

INTERACTION = ("timing", "fusion")
COUNT_COLUMNS = {
    "trial",
    "trials",
    "pruned",
    "failed",
    "top",
    "runs",
    "n_users",
    "best_trial",
    "best_epoch",
    "choices",
    "anchors",
    "seeds",
}


@dataclass(frozen=True)
class Block:
    """One titled part of a rendered report: a key (``states``, ``axis:timing``, ...), lines of text and an optional
    table whose cells are already formatted as strings."""

    key: str
    title: str
    lines: list[str]
    table: pd.DataFrame | None = None


def report_blocks(report: Report) -> list[Block]:
    """The report as blocks, in reading order; every table formatted for display."""
    frame = report.frame
    blocks = [_study_block(report), _failures_block(frame), _leaderboard_block(frame, report.top)]
    if len(report.objectives) > 1:
        blocks.append(_objectives_front_block(report))
    blocks += [_controlled_block(report), *_controlled_choice_blocks(report)]
    if not report.slice_verdicts.empty:
        blocks.append(_controlled_slices_block(report))
    blocks.append(_observational_block(report))
    for axis in report.axes:
        table = axes_summary(frame, [axis]).drop(columns=["axis", "best_study"])
        lines = [
            f"observational: per {axis} choice, validation Recall@20 of completed trials in which the axis acts; "
            "win rate = share of those top-decile trials using the choice (compare with its share of all trials)"
        ]
        blocks.append(Block(f"axis:{axis}", f"Choices of {axis}", lines, format_table(table)))
    if all(axis in report.axes for axis in INTERACTION):
        table = interaction_table(frame, *INTERACTION)
        lines = [
            f"completed trials by {INTERACTION[0]} and {INTERACTION[1]}: count, best and median validation Recall@20"
        ]
        blocks.append(
            Block("interaction", f"Interaction {INTERACTION[0]} x {INTERACTION[1]}", lines, format_table(table))
        )
    blocks += _slice_blocks(frame, report.axes)
    blocks.append(_importance_block(report))
    blocks.append(_significance_block(report))
    blocks.append(_seeds_block(report.configs))
    for cost, name in COST_NAMES.items():
        front = pareto_front(frame, cost)
        table = format_table(front[["trial", "label", cost, PRIMARY]]) if not front.empty else None
        lines = [f"trials that no other trial beats on both validation Recall@20 and {name}"]
        if table is None:
            lines.append(f"no completed trial with its {name} recorded yet")
        blocks.append(Block(f"pareto:{cost}", f"Pareto front: quality vs {name}", lines, table))
    return blocks


def _slice_blocks(frame: pd.DataFrame, axes: list[str]) -> list[Block]:
    """Overall against slice test Recall@20 for the named models, then per choice of each searched axis."""
    blocks = []
    for by in ["preset", *axes]:
        table = slice_table(frame, by)
        if table.empty:
            continue
        lines = [
            f"mean test Recall@20 of completed trials per {by}, overall and on the slices of the test split "
            "(cold items: no training interaction; tail items: the last 20% of training interactions; sparse "
            "users: at or below the 20% quantile of training counts); n: held-out interactions behind a slice"
        ]
        title = "Slices of the named models" if by == "preset" else f"Slices by {by}"
        blocks.append(Block(f"slices:{by}", title, lines, format_table(table)))
    return blocks


def _study_block(report: Report) -> Block:
    counts = state_counts(report.frame)
    row = counts.iloc[0] if not counts.empty else pd.Series(0, index=[*STATES, "total"])
    data = report.dataset
    lines = [
        f"study {report.study} on dataset {data.get('name', '?')} "
        f"({data.get('users', '?')} users, {data.get('items', '?')} items, {data.get('interactions', '?')} "
        "interactions)",
        f"trials: {int(row['total'])} in all: {int(row['COMPLETE'])} complete, {int(row['PRUNED'])} pruned, "
        f"{int(row['FAIL'])} failed"
        + "".join(f", {int(row[state])} {state.lower()}" for state in ("RUNNING", "WAITING") if row[state]),
        "ranking uses validation Recall@20 only; test metrics are shown, never used to select",
    ]
    if len(report.objectives) > 1:
        lines.append(
            f"objectives: {', '.join(report.objectives)} (recalls maximised, time and memory minimised); "
            "pareto = on the Pareto front of these objectives"
        )
    return Block("states", "Study", lines)


def _failures_block(frame: pd.DataFrame) -> Block:
    reasons = failure_reasons(frame)
    if reasons.empty:
        return Block("failures", "Failures by reason", ["no failed trial"])
    lines = [
        f"failed trials: {int(reasons['trials'].sum())}, in {len(reasons)} group(s) of reasons (numbers shown as #)"
    ]
    return Block("failures", "Failures by reason", lines, format_table(reasons[["reason", "trials", "examples"]]))


def _leaderboard_block(frame: pd.DataFrame, top: int) -> Block:
    best = ranked_trials(frame).head(top)
    if best.empty:
        return Block("leaderboard", "Leaderboard", ["no completed trial yet"])
    columns = [
        "trial",
        "label",
        PRIMARY,
        "valid_ndcg@20",
        "test_recall@20",
        "test_ndcg@20",
        "best_epoch",
        "train_seconds",
    ]
    if "pareto" in best:
        columns += ["peak_memory_mb", "pareto"]
    return Block(
        "leaderboard",
        "Leaderboard",
        [f"the {len(best)} best trials by validation Recall@20"],
        format_table(best[columns]),
    )


def _objectives_front_block(report: Report) -> Block:
    front = ranked_trials(report.frame)
    front = front[front["pareto"].eq(True)] if not front.empty else front
    title = "Pareto front of the objectives"
    if front.empty:
        return Block("pareto", title, ["no completed trial yet"])
    columns = ["trial", "label", *(OBJECTIVE_COLUMNS[name] for name in report.objectives)]
    lines = [
        f"the {len(front)} completed trials that no other completed trial dominates on {', '.join(report.objectives)} "
        "(at least as good on each, better on one), best validation Recall@20 first"
    ]
    return Block("pareto", title, lines, format_table(front[columns]))


def _controlled_block(report: Report) -> Block:
    title = "Choices that win: controlled ablations"
    verdicts = report.verdicts[report.verdicts["kind"] == "controlled"]
    lines = [
        "each ablation varies one axis around fixed anchor configurations, everything else equal, under several "
        "seeds; effect = winner minus runner-up in validation Recall@20, seeds averaged within an anchor, with a 95% "
        "interval over anchors; p = paired t-test over anchors, Holm-corrected across every controlled comparison; "
        f"a verdict needs at least {MIN_ANCHORS} anchors and {MIN_SEEDS} seeds, and test must agree in direction",
        *(f"- {describe_verdict(row)}" for _, row in verdicts.iterrows()),
    ]
    missing = [axis for axis in report.axes if ablatable(axis) and axis not in set(verdicts["axis"])]
    if verdicts.empty:
        lines.append("no ablation of this study yet")
    lines += [
        f"no controlled verdict on {axis} yet; make one with: {ablate_command(report.study, axis)}" for axis in missing
    ]
    if verdicts.empty:
        return Block("controlled", title, lines)
    return Block("controlled", title, lines, format_table(verdicts[list(SHOWN_VERDICT_COLUMNS)]))


def _controlled_slices_block(report: Report) -> Block:
    verdicts = report.slice_verdicts
    lines = [
        "the same ablations measured on slices of the evaluation (cold items, tail items, sparse users, items without "
        "a modality): effect = winner minus runner-up in the slice's validation Recall@20, test must agree in "
        "direction; Holm-corrected within each slice",
        *(f"- on {row['slice']}: {describe_verdict(row)}" for _, row in verdicts.iterrows()),
    ]
    table = format_table(verdicts[["slice", *SHOWN_VERDICT_COLUMNS]])
    return Block("controlled:slices", "Choices that win on the slices: controlled ablations", lines, table)


def _controlled_choice_blocks(report: Report) -> list[Block]:
    blocks = []
    choices = report.choices[report.choices["kind"] == "controlled"]
    for (dataset, axis), group in choices.groupby(["dataset", "axis"], sort=False):
        lines = [
            f"on {dataset}: every {axis} choice against the best one ({group.loc[group['best'], 'choice'].iloc[0]}); "
            "ranks = anchors at each rank (1 = best within the anchor), effect = choice minus best"
        ]
        table = group[["choice", "mean", "test_mean", "mean_rank", "ranks", "effect", "ci_low", "ci_high", "p", "state",
                       "anchors", "seeds"]]  # fmt: skip
        blocks.append(Block(f"controlled:{axis}", f"Controlled: {axis} on {dataset}", lines, format_table(table)))
    return blocks


def _observational_block(report: Report) -> Block:
    title = "Choices that win: observational (from the search's trials)"
    verdicts = report.verdicts[report.verdicts["kind"] == "observational"]
    lines = [
        "observational: the search's trials differ in many axes at once and the sampler chose where to look, so these "
        "figures are not controlled; effect = difference of mean validation Recall@20 over the completed trials in "
        "which the axis acts, paired where trials differ in this axis alone, else confounded (Welch's t over "
        f"trials, at least {MIN_TRIALS} trials per choice); Holm-corrected across axes; test must agree in direction",
        *(f"- {describe_verdict(row)}" for _, row in verdicts.iterrows()),
    ]
    if verdicts.empty:
        return Block("observational", title, [*lines, "no axis with two completed choices yet"])
    return Block("observational", title, lines, format_table(verdicts[list(SHOWN_VERDICT_COLUMNS)]))


def _importance_block(report: Report) -> Block:
    if report.importance is None:
        return Block("importance", "Parameter importance", [report.notes["importance"]])
    table = report.importance
    lines = [
        f"PED-ANOVA over {int(table['trials'].iloc[0])} completed trials: how much each parameter's "
        f"distribution in the top {table['quantile'].iloc[0]:.0%} differs from all trials (sums to 1)"
    ]
    return Block("importance", "Parameter importance", lines, format_table(table[["param", "importance"]]))


def _significance_block(report: Report) -> Block:
    if "significance" in report.notes:
        return Block("significance", "Top configurations: paired tests", [report.notes["significance"]])
    names = {row["config"]: config_name(row) for _, row in report.configs.iterrows()}
    table = report.significance.assign(config=report.significance["config"].map(names))
    measure = f"{SIGNIFICANCE_SPLIT} {SIGNIFICANCE_METRIC}"
    lines = [
        f"each of the {len(table) + 1} best configurations (by mean validation Recall@20) against the best one, "
        f"{names[report.significance['reference'].iloc[0]]}, paired on per-user {measure} (averaged over a "
        "configuration's seeds); Holm-corrected across the comparisons; diff = configuration minus best",
    ]
    columns = ["config", "runs", "n_users", "mean", "reference_mean", "diff", "wilcoxon_p", "ttest_p",
               "wilcoxon_holm", "ttest_holm", "significant"]  # fmt: skip
    shown = format_table(table[columns]).rename(columns={"mean": measure, "reference_mean": f"best's {measure}"})
    return Block("significance", "Top configurations: paired tests", lines, shown)


def _seeds_block(configs: pd.DataFrame) -> Block:
    repeated = configs[configs["runs"] > 1]
    if repeated.empty:
        return Block(
            "seeds",
            "Configurations over seeds",
            [
                "every configuration ran once; mmsearch retrain TRIAL --study NAME --seeds 3 re-trains one under "
                "more seeds"
            ],
        )
    table = repeated.assign(name=repeated.apply(config_name, axis=1))[
        ["name", "runs", "seeds", "mean", "std", "mean_low", "mean_high", "test_mean", "min", "max"]
    ]
    return Block(
        "seeds",
        "Configurations over seeds",
        [
            "validation Recall@20 over a configuration's seeds (its trials and its re-trainings): mean, sample "
            "standard deviation and 95% t interval of the mean (mean_low, mean_high); test_mean = test Recall@20 "
            "over the same runs"
        ],
        format_table(table),
    )


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """Cells as strings: metrics with 4 decimals, counts as integers, p-values with 3 significant digits, seconds
    with two decimals, memory in whole MiB, flags as yes/no and missing values blank."""
    return pd.DataFrame(
        {column: [_cell(column, value) for value in table[column]] for column in table.columns},
        index=range(len(table)),
    )


def _cell(column: str, value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)) or column == "significant":
        return "yes" if value else "no"
    if column.endswith(("_p", "_holm")) or column in ("p", "p_raw"):
        return f"{value:.3g}"
    if column in ("effect", "ci_low", "ci_high", "test_effect"):
        return f"{value:+.4f}"
    if column in COUNT_COLUMNS or isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if column.endswith("seconds"):
            return f"{value:.2f}"
        return f"{value:.0f}" if column.endswith("_mb") else f"{value:.4f}"
    return str(value)
