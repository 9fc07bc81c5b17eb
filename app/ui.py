"""Small building blocks shared by the pages: pickers synced with the address, tables with CSV export."""

from __future__ import annotations

import data
import pandas as pd
import state
import streamlit as st
from view import View

from mmsearch.analysis import (
    PER_USER_METRICS,
    SPLITS,
    controlled_choices,
    describe_verdict,
    observational_choices,
    searched_axes,
    settle,
    verdict_rows,
)
from mmsearch.analysis.layout import SHOWN_VERDICT_COLUMNS

PERCENT_COLUMNS = {"win_rate", "share", "quantile"}
METRIC_COLUMNS = {
    "best", "q1", "median", "q3", "mean", "std", "min", "max", "winner_best", "runner_up_best", "winner_median",
    "runner_up_median", "margin", "median_margin", "diff", "reference_mean", "importance", "validation", "test",
    "weight", "effect", "ci_low", "ci_high", "test_effect", "test_mean", "mean_low", "mean_high", "seed_sd",
    "mean_rank",
}  # fmt: skip


def number_format(column: str) -> str | None:
    """The display format of a numeric column, by its name (None: Streamlit's default)."""
    if column in PERCENT_COLUMNS:
        return "percent"
    if column.endswith(("_p", "_holm")) or column in ("p", "p_raw"):
        return "%.3g"
    if column.endswith("seconds"):
        return "%.2f"
    if column.endswith("_mb"):
        return "%.0f"
    if column in METRIC_COLUMNS or column.startswith(("valid_", "test_")):
        return "%.4f"
    return None


def table(frame: pd.DataFrame, download: str | None = None, columns: list[str] | None = None) -> None:
    """Show ``frame`` without its index (only ``columns`` when given), numbers formatted by ``number_format``; with
    ``download`` (a file stem), add a button that exports the whole frame as CSV."""
    config = {
        column: st.column_config.NumberColumn(format=fmt)
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column]) and (fmt := number_format(str(column)))
    }
    st.dataframe(frame, hide_index=True, column_order=columns, column_config=config or None)
    if download:
        st.download_button(
            "Download CSV",
            frame.to_csv(index=False).encode(),
            file_name=f"{download}.csv",
            mime="text/csv",
            key=f"download_{download}",
            icon=":material/download:",
        )


def pick_dataset(view: View, key: str = "dataset") -> str | None:
    """A dataset of the filtered trials (address parameter ``key``)."""
    return state.selectbox("Dataset", sorted(view.filtered["dataset"].dropna().unique()), key)


def pick_study(view: View, key: str = "study") -> str | None:
    """A study of the filtered trials (address parameter ``key``)."""
    return state.selectbox("Study", sorted(view.filtered["study"].dropna().unique()), key)


def pick_axis(frame: pd.DataFrame, key: str = "axis", label: str = "Axis", default: str = "timing") -> str | None:
    """An axis on which the completed trials of ``frame`` used at least two choices (address parameter ``key``)."""
    return state.selectbox(label, searched_axes(frame), key, default=default)


def pick_paired_measure() -> tuple[str, str]:
    """The split and per-user metric of paired tests (address parameters ``split`` and ``metric``)."""
    left, right = st.columns(2)
    with left:
        split = state.selectbox("Paired tests on split", list(SPLITS), "split")
    with right:
        metric = state.selectbox("Per-user metric", list(PER_USER_METRICS), "metric")
    return split, metric


def verdicts(view: View, frame: pd.DataFrame, axis: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Verdicts on ``axis`` for the studies of ``frame``: controlled verdict rows (from their ablations), controlled
    choice rows, and observational verdict rows; p-values Holm-corrected over the comparisons of each kind shown."""
    studies = sorted(frame["study"].dropna().unique())
    parts = [data.variants(view.locations[study], study) for study in studies]
    variants = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    variants = variants[variants["axis"] == axis] if not variants.empty else variants
    controlled = settle(controlled_choices(variants))
    observed = settle(observational_choices(frame, [axis]))
    return verdict_rows(controlled), controlled, verdict_rows(observed)


def verdict_list(rows: pd.DataFrame, download: str) -> None:
    """Each verdict as a sentence, then the table of their figures."""
    for _, row in rows.iterrows():
        st.markdown(f"- {describe_verdict(row)}")
    table(rows[list(SHOWN_VERDICT_COLUMNS)], download=download)


def nothing(message: str) -> None:
    """Say why a section is empty."""
    st.info(message, icon=":material/info:")
