"""Choices that win: per axis and dataset, the controlled verdict of the studies' ablations (effect, interval, state,
evidence, rank distribution) or the command that makes one, then the observational view of the search's trials,
each choice's spread and the interaction of two axes."""

import streamlit as st

from mmsearch.analysis import (
    PRIMARY,
    complete_trials,
    cross_dataset_summary,
    interaction_table,
    rank_distribution,
    searched_axes,
)
from mmsearch.analysis.evidence import MIN_ANCHORS, MIN_SEEDS
from mmsearch.analysis.figures import choice_figure, interaction_figure, rank_figure
from mmsearch.dashboard import state, ui
from mmsearch.dashboard.view import current_view

CHOICE_ROW_COLUMNS = ["choice", "mean", "test_mean", "mean_rank", "ranks", "effect", "ci_low", "ci_high", "p", "state",
                      "anchors", "seeds", "seed_sd", "trials"]  # fmt: skip


def acts_nowhere(trials, axis: str) -> bool:
    """Whether ``axis`` is a column of the trials table that no trial of ``trials`` sets (e.g. all ID-only)."""
    return axis in trials and not trials[axis].notna().any()


view = current_view()
st.title("Choices that win")
frame = view.filtered
axis = ui.pick_verdict_axis(view, frame)
if axis is None:
    ui.nothing("No axis has two choices with completed trials among the filtered trials, and no ablation yet.")
    st.stop()

controlled, choices, observed = ui.verdicts(view, frame, axis)
variants = ui.ablation_variants(view, frame)
variants = variants[variants["axis"] == axis]
ranks = rank_distribution(choices)
datasets = sorted(frame["dataset"].dropna().unique())

st.subheader(f"Which {axis} wins: controlled ablations")
st.caption(
    "An ablation (mmsearch ablate) varies one axis around fixed anchor configurations, everything else equal, under "
    "several seeds. Effect = winner minus runner-up in validation Recall@20, seeds averaged within an anchor, with a "
    "95% interval over anchors; p = paired t-test over anchors, Holm-corrected across every controlled comparison "
    f"shown; a verdict needs at least {MIN_ANCHORS} anchors and {MIN_SEEDS} seeds, and test must agree in direction."
)
for dataset in datasets:
    trials = frame[frame["dataset"] == dataset]
    studies = sorted(trials["study"].dropna().unique())
    verdicts = controlled[controlled["dataset"] == dataset]
    made = variants[variants["dataset"] == dataset]
    st.markdown(f"**{dataset}**")
    if not verdicts.empty:
        ui.verdict_list(verdicts, download=f"mmsearch-controlled-{axis}-{dataset}")
        rows = choices[choices["dataset"] == dataset]
        best = rows.loc[rows["best"].astype(bool), "choice"].iloc[0]
        st.caption(
            f"Every {axis} choice against the best one ({best}): ranks = anchors at each rank (1 = best within the "
            "anchor), effect = choice minus best, seed_sd = seed-to-seed spread of that difference within an anchor."
        )
        ui.table(rows[CHOICE_ROW_COLUMNS], download=f"mmsearch-controlled-choices-{axis}-{dataset}")
        figure = rank_figure(ranks[ranks["dataset"] == dataset], axis)
        st.plotly_chart(figure.update_layout(title=f"{dataset}: rank of each {axis} choice within its anchors"))
    elif not made.empty:
        complete = int((made["state"] == "COMPLETE").sum())
        st.markdown(
            f"On {dataset}, the ablation of {axis} has {complete} of {len(made)} variants completed and no anchor on "
            "which every choice completed yet, so no verdict. Running the same command again resumes it:"
        )
        for study in studies:
            st.code(ui.ablate_hint(study, axis), language="bash")
    elif acts_nowhere(trials, axis):
        st.markdown(f"On {dataset}, {axis} acts in no trial (e.g. every trial is ID-only): there is nothing to ablate.")
    else:
        ui.nothing(f"No ablation of {axis} on {dataset} yet, so no controlled verdict. Make one (read-only here):")
        for study in studies:
            st.code(ui.ablate_hint(study, axis), language="bash")

st.subheader(f"Which {axis} wins: observational (from the search's trials)")
st.caption(
    "Observational, not controlled: the search's trials differ in other axes too and the sampler chose where to "
    "look, so a difference may come from what goes with a choice. Paired where trials differ in this axis alone, "
    "else confounded (Welch's t over trials); Holm-corrected across the datasets shown; test must agree in direction."
)
if not observed.empty:
    ui.verdict_list(observed, download=f"mmsearch-observational-{axis}")
for dataset in datasets:
    if dataset in set(observed["dataset"]):
        continue
    trials = frame[frame["dataset"] == dataset]
    if axis not in trials:
        st.markdown(f"On {dataset}, {axis} is not a searched axis: the search's trials say nothing about it.")
    elif acts_nowhere(trials, axis):
        st.markdown(f"On {dataset}, {axis} acts in no trial (e.g. every trial is ID-only).")
    else:
        st.markdown(f"On {dataset}, fewer than two {axis} choices have completed trials in which the axis acts.")

if axis in frame:
    st.subheader(f"Every {axis} choice, per dataset (observational)")
    st.caption(
        "trials = completed trials behind each figure; best / quartiles of validation Recall@20; win rate = share of "
        "the dataset's top-decile trials that use the choice (compare it with share, the choice's share of all "
        "trials)."
    )
    summary = cross_dataset_summary(frame, axis)
    ui.table(summary.drop(columns=["best_study"]), download=f"mmsearch-choices-{axis}")
    for dataset, trials in frame.groupby("dataset"):
        complete = complete_trials(trials, PRIMARY)
        if acts_nowhere(trials, axis):
            st.markdown(f"On {dataset}, {axis} acts in no trial (e.g. every trial is ID-only).")
        elif complete.empty or not complete[axis].notna().any():
            st.markdown(f"On {dataset}, no completed trial in which {axis} acts yet.")
        else:
            title = f"{dataset}: validation Recall@20 by {axis}"
            st.plotly_chart(choice_figure(trials, axis).update_layout(title=title))

st.subheader("Interaction of two axes")
axes = searched_axes(frame)
if len(axes) < 2:
    ui.nothing("The interaction needs two axes with two completed choices each among the filtered trials.")
    st.stop()
left, right = st.columns(2)
with left:
    rows = state.selectbox("Rows", axes, "rows", default="timing")
with right:
    columns = state.selectbox("Columns", axes, "cols", default="fusion")
if rows == columns:
    ui.nothing("Pick two different axes.")
else:
    value = state.selectbox("Cell value", ["median", "best", "trials"], "cell")
    for dataset, trials in frame.groupby("dataset"):
        table = interaction_table(trials, rows, columns)
        figure = interaction_figure(table, rows, columns, value)
        shown = "completed trials" if value == "trials" else f"{value} validation Recall@20"
        st.plotly_chart(figure.update_layout(title=f"{dataset}: {shown}, {rows} x {columns}"))
