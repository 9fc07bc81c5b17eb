"""Importance: which searched parameters matter for reaching the top trials (PED-ANOVA), per study."""

import streamlit as st

from mmsearch.analysis import AnalysisError, param_importance
from mmsearch.analysis.figures import importance_figure
from mmsearch.dashboard import state, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Parameter importance")
st.caption(
    "Optuna's PED-ANOVA: how differently each parameter is distributed among the top trials (by validation "
    "Recall@20) than among all completed trials. Conditional parameters (those of one plugin) count only where they "
    "exist. Importances sum to 1; read them as a ranking, not as effect sizes."
)
study = ui.pick_study(view)
if study is None:
    ui.nothing("No trial matches the filters yet.")
    st.stop()
quantile = state.slider(
    "Top quantile", 0.05, 0.5, 0.1, 0.05, "quantile", help="share of the best trials that counts as the top"
)
try:
    importance = param_importance(view.filtered[view.filtered["study"] == study], target_quantile=quantile)
except AnalysisError as error:
    ui.nothing(f"{study}: {error}")
    st.stop()
st.plotly_chart(importance_figure(importance))
st.caption(
    f"{int(importance['trials'].iloc[0])} completed trials; top = best {importance['quantile'].iloc[0]:.0%} "
    "(raised where the study is too small to put two trials in the top)."
)
ui.table(importance, download=f"mmsearch-importance-{study}")
