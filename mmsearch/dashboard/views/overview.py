"""Overview: the studies, their datasets and trial counts, their ablations, the best trial per dataset, the filtered
trials."""

import pandas as pd
import streamlit as st

from mmsearch.analysis import PRIMARY, best_trials, ranked_trials, study_overview
from mmsearch.dashboard import data, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Studies")
for problem in view.catalogue.problems:
    st.warning(problem, icon=":material/warning:")
if not view.catalogue.studies:
    ui.nothing(f"No study in {view.source.describe()} yet. Start one with `mmsearch run --space spaces/quick.yaml`.")
    st.stop()

datasets = {ref.name: data.dataset(ref.location, ref.name) for ref in view.catalogue.studies}
overview = study_overview(view.trials, datasets)
st.caption(
    "Trials by state and the best trial of each study: best = validation Recall@20 (selection never looks at test "
    "metrics)."
)
ui.table(overview)

parts = [data.variants(ref.location, ref.name).assign(ablation_of=ref.name) for ref in view.catalogue.studies]
parts = [part for part in parts if not part.empty]
if parts:
    variants = pd.concat(parts, ignore_index=True)
    st.subheader("Ablations")
    st.caption(
        "Studies made by mmsearch ablate: one axis varied around anchor configurations of the study they ablate, "
        "under several seeds. Their controlled verdicts are on the Choices that win page."
    )
    ablations = pd.DataFrame(
        [
            {
                "study": name,
                "ablation_of": group["ablation_of"].iloc[0],
                "dataset": group["dataset"].iloc[0],
                "axis": group["axis"].iloc[0],
                "anchors": group["anchor"].nunique(),
                "choices": group["choice"].nunique(),
                "seeds": group["seed"].nunique(),
                "variants": len(group),
                "complete": int(group["state"].eq("COMPLETE").sum()),
                "reused": int(group["reused_from"].notna().sum()),
            }
            for name, group in variants.groupby("study", sort=True)
        ]
    )
    ui.table(ablations)

st.subheader("Best trial per dataset")
st.caption("Within the sidebar filters.")
best = best_trials(view.filtered, by="dataset")
if best.empty:
    ui.nothing("No completed trial matches the filters yet.")
else:
    columns = [
        "dataset",
        "study",
        "trial",
        "label",
        PRIMARY,
        "valid_ndcg@20",
        "test_recall@20",
        "test_ndcg@20",
        "train_seconds",
        "peak_memory_mb",
    ]
    ui.table(best[columns])

st.subheader(f"Trials ({len(view.filtered)} of {len(view.trials)} match the filters)")
st.caption("Completed trials first, best first. The CSV holds every column, spec and parameters included.")
completed = ranked_trials(view.filtered)
shown = pd.concat([completed, view.filtered.drop(index=completed.index)])
hidden = {"spec", "params", "distributions"}
ui.table(shown, download="mmsearch-trials", columns=[c for c in shown.columns if c not in hidden])
