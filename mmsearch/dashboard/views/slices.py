"""Slices: overall against cold-item, tail-item, missing-modality and sparse-user figures, per named model or choice."""

import streamlit as st

from mmsearch.analysis import describe_verdict
from mmsearch.analysis.controlled import controlled_slice_verdicts
from mmsearch.analysis.figures import slices_figure
from mmsearch.analysis.layout import SHOWN_VERDICT_COLUMNS
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
table = slice_table(frame, by)
if table.empty:
    ui.nothing(f"No completed trial on {dataset} has both a {by} and slice figures.")
else:
    st.plotly_chart(slices_figure(table, by))
    ui.table(table.drop(columns=["dataset"]), download=f"mmsearch-slices-{dataset}-{by}")

st.subheader("Which choice wins on the slices: controlled ablations")
variants = ui.ablation_variants(view, frame)
verdicts = controlled_slice_verdicts(variants[variants["dataset"] == dataset])
if verdicts.empty:
    ui.nothing(
        f"No ablation of these studies on {dataset} yet: every mmsearch ablate --study NAME --axis AXIS is measured "
        "on the slices too."
    )
    st.stop()
st.caption(
    "The ablations' verdicts on each slice's validation Recall@20 (test must agree in direction), Holm-corrected "
    "within each slice."
)
for _, row in verdicts.iterrows():
    st.markdown(f"- on {row['slice']}: {describe_verdict(row)}")
ui.table(verdicts[["slice", *SHOWN_VERDICT_COLUMNS]], download=f"mmsearch-slice-verdicts-{dataset}")
