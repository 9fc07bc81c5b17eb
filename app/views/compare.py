"""Compare datasets: the same axis summary side by side for every dataset of the filtered trials."""

import state
import streamlit as st
import ui
from view import current_view

from mmsearch.analysis import cross_dataset_summary, cross_dataset_table
from mmsearch.analysis.figures import cross_dataset_figure

view = current_view()
st.title("Compare datasets")
st.caption(
    "Each dataset's own trials: best or median validation Recall@20 per choice, the number of completed trials "
    "behind it, and its win rate among that dataset's top-decile trials. A choice missing on a dataset was never "
    "completed there."
)
axis = ui.pick_axis(view.filtered)
if axis is None:
    ui.nothing("No axis has two choices with completed trials among the filtered trials yet.")
    st.stop()
st.subheader(f"Which {axis} wins on each dataset")
controlled, _, observed = ui.verdicts(view, view.filtered, axis)
if controlled.empty:
    ui.nothing(f"No controlled verdict on {axis} yet: the Choices that win page shows the command that makes one.")
else:
    ui.verdict_list(controlled, download=f"mmsearch-compare-controlled-{axis}")
st.markdown("**Observational** (from the search's trials, which differ in other axes too)")
ui.verdict_list(observed, download=f"mmsearch-compare-observational-{axis}")
st.caption("Details on the Choices that win page.")

st.subheader(f"Every {axis} choice side by side")
value = state.selectbox("Value", ["best", "median", "win_rate", "trials"], "value")
summary = cross_dataset_summary(view.filtered, axis)
st.plotly_chart(cross_dataset_figure(summary, axis, value))
for shown in (value, "trials") if value != "trials" else ("trials",):
    st.markdown(f"**{shown.replace('_', ' ')}** per {axis} choice (rows) and dataset (columns)")
    ui.table(cross_dataset_table(summary, shown).reset_index())
ui.table(summary.drop(columns=["best_study"]), download=f"mmsearch-compare-{axis}")
