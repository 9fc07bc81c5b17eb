"""Compare datasets: per dataset, the controlled and observational verdicts on an axis, then the same axis summary
side by side for every dataset of the filtered trials."""

import streamlit as st

from mmsearch.analysis import cross_dataset_summary, cross_dataset_table, describe_verdict
from mmsearch.analysis.figures import cross_dataset_figure
from mmsearch.analysis.layout import SHOWN_VERDICT_COLUMNS
from mmsearch.dashboard import state, ui
from mmsearch.dashboard.view import current_view

view = current_view()
st.title("Compare datasets")
st.caption(
    "Each dataset's own trials: best or median validation Recall@20 per choice, the number of completed trials "
    "behind it, and its win rate among that dataset's top-decile trials. A choice missing on a dataset was never "
    "completed there."
)
axis = ui.pick_verdict_axis(view, view.filtered)
if axis is None:
    ui.nothing("No axis has two choices with completed trials among the filtered trials, and no ablation yet.")
    st.stop()
st.subheader(f"Which {axis} wins on each dataset")
st.caption(
    "Controlled: from the studies' ablations (one axis varied around fixed anchors, everything else equal, several "
    "seeds). Observational: from the search's trials, which differ in other axes too (confounded unless paired). "
    "Holm-corrected across the datasets shown, per kind; the Choices that win page has the figures and the "
    "command that makes a missing ablation."
)
controlled, _, observed = ui.verdicts(view, view.filtered, axis)
for dataset in sorted(view.filtered["dataset"].dropna().unique()):
    st.markdown(f"**{dataset}**")
    lines = [
        f"- {describe_verdict(row)}"
        for verdicts in (controlled, observed)
        for _, row in verdicts[verdicts["dataset"] == dataset].iterrows()
    ]
    if controlled[controlled["dataset"] == dataset].empty:
        lines.insert(0, f"- controlled, on {dataset}: no ablation verdict on {axis} yet")
    if observed[observed["dataset"] == dataset].empty:
        why = (
            "fewer than two choices with completed trials in which it acts"
            if axis in view.filtered
            else "not a searched axis"
        )
        lines.append(f"- observational, on {dataset}: no verdict on {axis} ({why})")
    st.markdown("\n".join(lines))
for kind, verdicts in (("controlled", controlled), ("observational", observed)):
    if not verdicts.empty:
        st.markdown(f"**{kind.capitalize()} verdicts**")
        ui.table(verdicts[list(SHOWN_VERDICT_COLUMNS)], download=f"mmsearch-compare-{kind}-{axis}")

st.subheader(f"Every {axis} choice side by side")
summary = cross_dataset_summary(view.filtered, axis)
if summary.empty or not (summary["trials"] > 0).any():
    ui.nothing(f"No completed trial in which {axis} acts among the filtered trials (an ablation-only axis?).")
    st.stop()
value = state.selectbox("Value", ["best", "median", "win_rate", "trials"], "value")
st.plotly_chart(cross_dataset_figure(summary, axis, value))
for shown in (value, "trials") if value != "trials" else ("trials",):
    st.markdown(f"**{shown.replace('_', ' ')}** per {axis} choice (rows) and dataset (columns)")
    ui.table(cross_dataset_table(summary, shown).reset_index())
ui.table(summary.drop(columns=["best_study"]), download=f"mmsearch-compare-{axis}")
