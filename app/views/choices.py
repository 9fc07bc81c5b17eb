"""Choices that win: per axis and dataset, the controlled verdict of the study's ablations (effect, interval, state,
evidence, rank distribution), then the observational view of the search's trials, each choice's spread and the
interaction of two axes."""

import state
import streamlit as st
import ui
from view import current_view

from mmsearch.analysis import cross_dataset_summary, interaction_table, rank_distribution, searched_axes
from mmsearch.analysis.figures import choice_figure, interaction_figure, rank_figure
from mmsearch.analysis.report import ablatable, ablate_command

view = current_view()
st.title("Choices that win")
frame = view.filtered
axis = ui.pick_axis(frame)
if axis is None:
    ui.nothing("No axis has two choices with completed trials among the filtered trials yet.")
    st.stop()

controlled, choices, observed = ui.verdicts(view, frame, axis)
st.subheader(f"Which {axis} wins: controlled ablations")
st.caption(
    "An ablation varies one axis around fixed anchor configurations, everything else equal, under several seeds. "
    "Effect = winner minus runner-up in validation Recall@20, seeds averaged within an anchor, with a 95% interval "
    "over anchors; p = paired t-test over anchors, Holm-corrected; wins needs the interval to exclude zero after the "
    "correction and test to agree in direction."
)
if controlled.empty:
    ui.nothing(f"No ablation of {axis} yet for the filtered studies. Make one (the dashboard only reads):")
    for study in sorted(frame["study"].dropna().unique()):
        st.code(ablate_command(study, axis) if ablatable(axis) else f"mmsearch ablate --study {study} --axis ...")
else:
    ui.verdict_list(controlled, download=f"mmsearch-controlled-{axis}")
    ui.table(choices.drop(columns=["kind", "basis", "best", "enough"]), download=f"mmsearch-controlled-choices-{axis}")
    ranks = rank_distribution(choices)
    st.plotly_chart(rank_figure(ranks, axis))

st.subheader(f"Which {axis} wins: observational (from the search's trials)")
st.caption(
    "Observational: the search's trials differ in many axes at once and the sampler chose where to look. Paired "
    "where trials differ in this axis alone, else confounded (Welch's t over trials); Holm-corrected across datasets."
)
if observed.empty:
    ui.nothing(f"No dataset has two {axis} choices with completed trials in which the axis acts.")
else:
    ui.verdict_list(observed, download=f"mmsearch-observational-{axis}")

st.subheader(f"Every {axis} choice, per dataset")
st.caption(
    "trials = completed trials behind each figure; best / quartiles of validation Recall@20; win rate = share of the "
    "dataset's top-decile trials that use the choice (compare it with share, the choice's share of all trials)."
)
summary = cross_dataset_summary(frame, axis)
ui.table(summary.drop(columns=["best_study"]), download=f"mmsearch-choices-{axis}")
for dataset, trials in frame.groupby("dataset"):
    if axis in trials and trials[axis].notna().any():
        title = f"{dataset}: validation Recall@20 by {axis}"
        st.plotly_chart(choice_figure(trials, axis).update_layout(title=title))
    else:
        st.markdown(f"On {dataset}, {axis} acts in no trial (e.g. every trial is ID-only).")

st.subheader("Interaction of two axes")
axes = searched_axes(frame)
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
