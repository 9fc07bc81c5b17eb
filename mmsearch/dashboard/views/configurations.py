"""Top configurations: mean and spread over seeds, and paired tests of the best ones against the very best."""

import pandas as pd
import streamlit as st

from mmsearch.analysis import config_name, config_significance, configurations
from mmsearch.analysis.figures import configurations_figure
from mmsearch.dashboard import data, state, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Top configurations")
st.caption(
    "A configuration is a spec without its seed: its runs under several seeds (the search's trials and the seeds of "
    "mmsearch retrain) are grouped, and their mean, sample standard deviation and 95% interval of the mean "
    "(mean_low, mean_high) of validation Recall@20 shown. Configurations are ranked by that mean; "
    "mmsearch retrain TRIAL --study NAME --seeds 3 adds seeds to one."
)
dataset = ui.pick_dataset(view)
if dataset is None:
    ui.nothing("No trial matches the filters yet.")
    st.stop()
frame = view.filtered[view.filtered["dataset"] == dataset]
retrains = {
    key: summary
    for study in frame["study"].unique()
    for key, summary in data.retrains(view.locations[study], study).items()
}
configs = configurations(frame, retrains=retrains)
if configs.empty:
    ui.nothing(f"No completed trial on {dataset} yet.")
    st.stop()
top = state.slider("Configurations to compare", 2, 20, 5, 1, "k")
best = configs.head(top)
st.plotly_chart(configurations_figure(best))
ui.table(configs.drop(columns=["dataset"]), download=f"mmsearch-configurations-{dataset}")

st.subheader("Are the best ones really different?")
split, metric = ui.pick_paired_measure()
if len(best) < 2:
    ui.nothing("Paired tests need at least two completed configurations.")
    st.stop()
runs = frame[frame["config"].isin(best["config"]) & (frame["state"] == "COMPLETE")]
parts = [
    data.per_user(view.locations[study], study, tuple(sorted(int(t) for t in group["trial"])), split, metric)
    for study, group in runs.groupby("study")
]
per_user = pd.concat(parts, ignore_index=True)
tests = config_significance(per_user, frame, list(best["config"]))
names = {row["config"]: config_name(row) for _, row in best.iterrows()}
st.caption(
    f"Each configuration against the best one, {names[best['config'].iloc[0]]}, user by user on {split} {metric} "
    "(per-user values averaged over a configuration's seeds, re-trainings' included): Wilcoxon signed-rank and "
    "paired t-test, Holm-corrected across the comparisons; diff = configuration minus best; significant means "
    "Wilcoxon-Holm p < 0.05."
)
ui.table(
    tests.assign(config=tests["config"].map(names), reference=tests["reference"].map(names)),
    download=f"mmsearch-significance-{dataset}",
)
