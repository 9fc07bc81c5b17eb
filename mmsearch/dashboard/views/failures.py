"""Failures & plugins: trial outcomes by state, failures grouped by reason, pruned trials and broken plugins."""

import streamlit as st

from mmsearch.analysis import failure_reasons, state_counts
from mmsearch.analysis.figures import failures_figure, states_figure
from mmsearch.dashboard import data, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Failures & plugins")
frame = view.filtered
counts = state_counts(frame)
st.plotly_chart(states_figure(counts))
ui.table(counts.reset_index())

st.subheader("Failed trials by reason")
reasons = failure_reasons(frame)
if reasons.empty:
    ui.nothing("No failed trial among the filtered trials.")
else:
    st.caption("Reasons are grouped with their numbers replaced by #; example is the first full reason of a group.")
    st.plotly_chart(failures_figure(reasons))
    ui.table(reasons, download="mmsearch-failures")
    failed = frame[frame["state"] == "FAIL"]
    with st.expander(f"The {len(failed)} failed trials"):
        ui.table(failed[["study", "trial", "label", "fail_reason"]])

pruned = frame[frame["state"] == "PRUNED"] if not frame.empty else frame
st.subheader(f"Pruned trials: {len(pruned)}")
if not pruned.empty:
    st.caption("Stopped early because their validation Recall@20 fell behind the median of earlier trials.")
    ui.table(pruned[["study", "trial", "label", "epochs_run"]])

st.subheader("Plugins")
plugins = data.plugins()
broken = plugins[plugins["error"].notna()]
if broken.empty:
    st.success(f"All {len(plugins)} registered plugins load.", icon=":material/check_circle:")
else:
    st.error(f"{len(broken)} of {len(plugins)} registered plugins are broken.", icon=":material/error:")
    ui.table(broken[["kind", "name", "distribution", "version", "error"]])
with st.expander("Every registered plugin"):
    ui.table(plugins)
