"""Pareto front: validation quality against training time or peak memory."""

import streamlit as st

from mmsearch.analysis import COSTS, PRIMARY, pareto_front
from mmsearch.analysis.figures import metric_title, pareto_figure
from mmsearch.dashboard import state, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Pareto front")
st.caption(
    "Each point is a completed trial. On the front are the trials that no other trial beats on both validation "
    "Recall@20 and the cost: the best quality you can have for a given budget."
)
dataset = ui.pick_dataset(view)
if dataset is None:
    ui.nothing("No trial matches the filters yet.")
    st.stop()
cost = state.selectbox("Cost", list(COSTS), "cost", format_func=metric_title)
frame = view.filtered[view.filtered["dataset"] == dataset]
st.plotly_chart(pareto_figure(frame, cost))
front = pareto_front(frame, cost)
ui.table(
    front[["study", "trial", "label", cost, PRIMARY]] if not front.empty else front,
    download=f"mmsearch-pareto-{dataset}-{cost}",
)
