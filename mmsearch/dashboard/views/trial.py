"""Trial detail: spec, metrics, learning curves, per-user metric histogram and attentive fusion weights."""

import pandas as pd
import streamlit as st

from mmsearch.analysis import PER_USER_METRICS, SPLITS, ranked_trials
from mmsearch.analysis.figures import curves_figure, fusion_weights_figure, metric_title, per_user_figure
from mmsearch.dashboard import data, state, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Trial detail")
study = ui.pick_study(view)
if study is None:
    ui.nothing("No trial matches the filters yet.")
    st.stop()
trials = view.filtered[view.filtered["study"] == study]
ranked = ranked_trials(trials)
numbers = [int(n) for n in ranked["trial"]] + sorted(int(n) for n in trials["trial"] if n not in set(ranked["trial"]))
labels = trials.set_index("trial")["label"].to_dict()
states = trials.set_index("trial")["state"].to_dict()
number = state.selectbox(
    "Trial (completed ones best first)",
    numbers,
    "trial",
    format_func=lambda n: f"#{n} {states[n].lower()}  {labels.get(n) or ''}",
)
location = view.locations[study]
record = data.trial_record(location, study, number)
attrs = record["attrs"]
st.subheader(f"{study} #{number}: {attrs.get('label', 'no spec recorded')}")
st.caption(f"state {record['state'].lower()}, seed {attrs.get('seed')}, device {attrs.get('device')}")
if attrs.get("fail_reason"):
    st.error(f"Failed: {attrs['fail_reason']}", icon=":material/error:")

if "valid" in attrs:
    metrics = pd.DataFrame({"validation": attrs["valid"], "test": attrs.get("test", {})}).rename_axis("metric")
    left, right = st.columns([1, 2])
    with left:
        ui.table(metrics.reset_index())
        st.caption(
            f"best epoch {attrs.get('best_epoch')} of {attrs.get('epochs_run')}; train "
            f"{attrs.get('train_seconds', 0):.1f} s, eval {attrs.get('eval_seconds', 0):.1f} s; peak memory "
            f"{attrs.get('peak_memory_mb', 0):.0f} MiB"
        )
    with right:
        st.caption("Spec (with the seed, it fully determines the model)")
        st.json(attrs.get("spec", {}), expanded=2)
else:
    st.json(attrs.get("spec", {}), expanded=2)

others = state.multiselect(
    "Compare the curves with",
    [n for n in numbers if n != number],
    "with",
    format_func=lambda n: f"#{n}",
    placeholder="other trials of the study",
)
curves = data.curves(location, study, (number, *others))
if curves.empty:
    ui.nothing("This trial recorded no evaluation.")
else:
    columns = [c for c in curves.columns if c.startswith("valid_") or c == "loss"]
    metric = state.selectbox("Curve", columns, "curve", default="valid_recall@20", format_func=metric_title)
    st.plotly_chart(curves_figure(curves, metric))

if record["state"] == "COMPLETE":
    left, right = st.columns(2)
    with left:
        split = state.selectbox("Split", list(SPLITS), "split")
    with right:
        user_metric = state.selectbox("Per-user metric", list(PER_USER_METRICS), "metric")
    per_user = data.per_user(location, study, (number,), split, user_metric)
    st.plotly_chart(per_user_figure(per_user, f"{split} {user_metric}"))

weights = record["fusion_weights"]
if not weights.empty:
    st.plotly_chart(fusion_weights_figure(weights))
    ui.table(weights)

with st.expander("Parameters, package versions and plugin origins"):
    st.json({"params": record["params"], "versions": attrs.get("versions"), "plugins": attrs.get("plugins")})
