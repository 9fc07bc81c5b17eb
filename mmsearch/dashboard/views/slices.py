"""Slices: overall against cold-item, tail-item, missing-modality and sparse-user figures, per named model or choice."""

import streamlit as st

from mmsearch.analysis.figures import slices_figure
from mmsearch.analysis.slices import slice_table
from mmsearch.dashboard import state, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Slices")
st.caption(
    "Test Recall@20 of the completed trials, overall and on slices of the test split, ranked against the whole "
    "catalogue: cold items (no training interaction), tail items (those that make up the last 20% of training "
    "interactions), items without a modality's content, and sparse users (at or below the 20% quantile of "
    "training counts). A slice's figure counts the hits among its own held-out interactions; n says how many."
)
dataset = ui.pick_dataset(view)
if dataset is None:
    ui.nothing("No trial matches the filters yet.")
    st.stop()
frame = view.filtered[view.filtered["dataset"] == dataset]
axes = [axis for axis in ui.choice_axes(view, frame) if axis in frame]
by = state.selectbox("Group by", ["preset", *axes], "slices_by", help="named model (baseline trials) or axis")
table = slice_table(frame, by) if by in frame else slice_table(frame.iloc[0:0], by)
if table.empty:
    ui.nothing(f"No completed trial on {dataset} has both a {by} and slice figures.")
    st.stop()
st.plotly_chart(slices_figure(table, by))
ui.table(table.drop(columns=["dataset"]), download=f"mmsearch-slices-{dataset}-{by}")
