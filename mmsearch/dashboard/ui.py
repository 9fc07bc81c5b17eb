"""Small building blocks shared by the pages: pickers synced with the address, tables with CSV export."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mmsearch.analysis import (
    PER_USER_METRICS,
    SPLITS,
    VARIANT_COLUMNS,
    controlled_choices,
    describe_verdict,
    observational_choices,
    searched_axes,
    settle,
    verdict_rows,
)
from mmsearch.analysis.layout import SHOWN_VERDICT_COLUMNS
from mmsearch.analysis.report import ablatable, ablate_command
from mmsearch.dashboard import data, state
from mmsearch.dashboard.view import View

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


def pick_verdict_axis(view: View, frame: pd.DataFrame, key: str = "axis", default: str = "timing") -> str | None:
    """An axis of ``choice_axes`` (address parameter ``key``)."""
    return state.selectbox("Axis", choice_axes(view, frame), key, default=default)


def pick_paired_measure() -> tuple[str, str]:
    """The split and per-user metric of paired tests (address parameters ``split`` and ``metric``)."""
    left, right = st.columns(2)
    with left:
        split = state.selectbox("Paired tests on split", list(SPLITS), "split")
    with right:
        metric = state.selectbox("Per-user metric", list(PER_USER_METRICS), "metric")
    return split, metric


def ablation_variants(view: View, frame: pd.DataFrame) -> pd.DataFrame:
    """The trained variants of every ablation of the studies of ``frame`` (``variants_frame``, stacked).

    Anchors drawn at random (``random:<i>``, not a trial of the study) are named after their ablation study, so that
    the random anchors of two studies on one dataset stay distinct units when their variants are pooled.
    """
    studies = sorted(frame["study"].dropna().unique()) if "study" in frame else []
    parts = [data.variants(view.locations[study], study) for study in studies if study in view.locations]
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=list(VARIANT_COLUMNS))
    variants = pd.concat(parts, ignore_index=True)
    anchor = variants["anchor"].astype(str)
    return variants.assign(anchor=anchor.where(anchor.str.contains("#"), variants["study"] + "/" + anchor))


def choice_axes(view: View, frame: pd.DataFrame) -> list[str]:
    """The axes a verdict can be asked about: those the completed trials of ``frame`` searched over (at least two
    choices), then those only an ablation of its studies varied (``train.lr``, ``extractor.image``, ...)."""
    axes = searched_axes(frame)
    ablated = ablation_variants(view, frame)["axis"].dropna().unique()
    return [*axes, *sorted(axis for axis in ablated if axis not in axes)]


def verdicts(view: View, frame: pd.DataFrame, axis: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Verdicts on ``axis`` for the studies of ``frame``: controlled verdict rows (from their ablations), controlled
    choice rows, and observational verdict rows; p-values Holm-corrected over the comparisons of each kind shown
    (every dataset of ``frame``)."""
    variants = ablation_variants(view, frame)
    variants = variants[variants["axis"] == axis]
    # one dataset at a time: a dataset's anchors count only with every choice of *its* ablation completed
    parts = [controlled_choices(group) for _, group in variants.groupby("dataset", sort=True)]
    parts = [part for part in parts if not part.empty]
    controlled = settle(pd.concat(parts, ignore_index=True) if parts else controlled_choices(variants.iloc[0:0]))
    # an axis only an ablation varied (``train.lr``, ...) is no column of the trials table: nothing to observe
    observed = settle(observational_choices(frame, [axis] if axis in frame else []))
    return verdict_rows(controlled), controlled, verdict_rows(observed)


def ablate_hint(study: str, axis: str) -> str:
    """The command that makes a controlled verdict on ``axis`` of ``study`` (for a combination column such as
    ``extractors``, the per-slot axis to ablate instead)."""
    if ablatable(axis) or "." in axis:
        return ablate_command(study, axis)
    slot = {"extractors": "extractor.<modality>", "auxiliaries": "auxiliary.<name>"}.get(axis, "<axis>")
    return ablate_command(study, slot)


def verdict_list(rows: pd.DataFrame, download: str) -> None:
    """Each verdict as a sentence, then the table of their figures."""
    for _, row in rows.iterrows():
        st.markdown(f"- {describe_verdict(row)}")
    table(rows[list(SHOWN_VERDICT_COLUMNS)], download=download)


def nothing(message: str) -> None:
    """Say why a section is empty."""
    st.info(message, icon=":material/info:")
