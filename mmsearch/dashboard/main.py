"""The mmsearch dashboard: ``mmsearch dashboard`` (or ``streamlit run`` on this file with ``MMSEARCH_STORAGE`` /
``MMSEARCH_RUN_DIR`` set) serves it.

This entry script reads the studies, draws the sidebar filters (kept in the page address) and runs the chosen page.
It only ever reads the storage. Ablation studies (``mmsearch ablate``) are not searches: their trials stay out of the
trials table (they would pose as search trials); the Overview lists them under Ablations and their variants make the
controlled verdicts of the study they ablate, on the Choices that win and Compare datasets pages.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from mmsearch.analysis import AXIS_COLUMNS, Catalogue, Source, filter_trials
from mmsearch.dashboard import data, state
from mmsearch.dashboard.view import VIEW_KEY, View
from mmsearch.errors import MMSearchError

BASE_COLUMNS = ["study", "dataset", "trial", "state", "label", *AXIS_COLUMNS]
STATES = ["COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"]

st.set_page_config(page_title="mmsearch", page_icon=":material/insights:", layout="wide")
source = Source.from_environment(os.environ)
try:
    catalogue = data.catalogue(source.storage_url, str(source.run_dir))
    searches = [ref for ref in catalogue.studies if data.ablation_of(ref.location, ref.name) is None]
    catalogue = Catalogue(searches, catalogue.problems)
    frames = [frame for ref in searches if not (frame := data.trials(ref.location, ref.name)).empty]
except MMSearchError as error:
    st.error(f"Cannot read the studies of {source.describe()}: {error}")
    st.stop()
trials = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=BASE_COLUMNS)

with st.sidebar:
    st.caption(f"Studies from {source.describe()}, re-read every {data.TTL} s. Filters stay in the address: share it.")
    studies = state.multiselect("Studies", sorted(trials["study"].dropna().unique()), "studies")
    datasets = state.multiselect("Datasets", sorted(trials["dataset"].dropna().unique()), "datasets")
    states = state.multiselect("States", STATES, "states", help="trial states to keep (empty: all)")
    with st.expander("Axis choices"):
        choices = {
            axis: state.multiselect(axis, sorted(trials[axis].dropna().unique()), axis)
            for axis in AXIS_COLUMNS
            if axis in trials
        }
filtered = filter_trials(trials, studies, datasets, states, choices)

st.session_state[VIEW_KEY] = View(
    source, catalogue, trials, filtered, {ref.name: ref.location for ref in catalogue.studies}
)
page = st.navigation(
    [
        st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("views/choices.py", title="Choices that win", icon=":material/emoji_events:"),
        st.Page("views/configurations.py", title="Top configurations", icon=":material/leaderboard:"),
        st.Page("views/importance.py", title="Importance", icon=":material/tune:"),
        st.Page("views/pareto.py", title="Pareto front", icon=":material/scatter_plot:"),
        st.Page("views/slices.py", title="Slices", icon=":material/pie_chart:"),
        st.Page("views/trial.py", title="Trial detail", icon=":material/science:"),
        st.Page("views/compare.py", title="Compare datasets", icon=":material/compare_arrows:"),
        st.Page("views/failures.py", title="Failures & plugins", icon=":material/report:"),
    ]
)
page.run()
