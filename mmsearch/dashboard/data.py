"""Cached, read-only access to the stored studies.

Storages are opened once per location and kept (a journal is then read from where the last read stopped); every
table is cached for ``TTL`` seconds, so a running study shows up within seconds and a page never waits on a lock.
Every cached function receives all its inputs as arguments.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import optuna
import pandas as pd
import streamlit as st

from mmsearch.analysis import (
    VARIANT_COLUMNS,
    Catalogue,
    Source,
    StudyRef,
    curves_frame,
    find_studies,
    fusion_weights_frame,
    load_study,
    open_location,
    per_user_frame,
    variants_frame,
)
from mmsearch.registry import Registry
from mmsearch.study import trials_frame
from mmsearch.study.ablation import ABLATION_OF_ATTR, ablation_studies
from mmsearch.study.retrain import retrain_summaries

TTL = 5


@st.cache_resource(show_spinner=False)
def storage(location: str) -> optuna.storages.BaseStorage:
    """The open storage at ``location``, shared by every session."""
    return open_location(location)


def _study(location: str, name: str) -> optuna.Study:
    return load_study(StudyRef(name, location), storage(location))


@st.cache_data(ttl=TTL, show_spinner=False)
def catalogue(storage_url: str | None, run_dir: str) -> Catalogue:
    """The studies of the source."""
    return find_studies(Source(storage_url, Path(run_dir)))


@st.cache_data(ttl=TTL, show_spinner="reading trials...")
def trials(location: str, name: str) -> pd.DataFrame:
    """The trials table of one study."""
    return trials_frame(_study(location, name))


@st.cache_data(ttl=TTL, show_spinner=False)
def ablation_of(location: str, name: str) -> str | None:
    """The study that study ``name`` ablates (None for a search)."""
    return _study(location, name).user_attrs.get(ABLATION_OF_ATTR)


@st.cache_data(ttl=TTL, show_spinner=False)
def variants(location: str, name: str) -> pd.DataFrame:
    """The trained variants of every ablation of study ``name`` (``variants_frame``, stacked; empty without)."""
    names = ablation_studies(storage(location), name)
    parts = [variants_frame(_study(location, ablation)) for ablation in names]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(VARIANT_COLUMNS))


@st.cache_data(ttl=TTL, show_spinner=False)
def retrains(location: str, name: str) -> dict[tuple[str, int], dict]:
    """(study, trial) -> the summary ``mmsearch retrain`` stored for that trial of study ``name``."""
    return {(name, number): summary for number, summary in retrain_summaries(_study(location, name)).items()}


@st.cache_data(ttl=TTL, show_spinner=False)
def dataset(location: str, name: str) -> dict:
    """The dataset summary stored with a study (name, users, items, interactions, ...)."""
    return dict(_study(location, name).user_attrs.get("dataset", {}))


@st.cache_data(ttl=TTL, show_spinner=False)
def per_user(location: str, name: str, numbers: tuple[int, ...], split: str, metric: str) -> pd.DataFrame:
    """Per-user values of ``metric`` on ``split`` for the given trials (long table)."""
    return per_user_frame(_study(location, name), numbers, split, metric)


@st.cache_data(ttl=TTL, show_spinner=False)
def curves(location: str, name: str, numbers: tuple[int, ...]) -> pd.DataFrame:
    """Learning curves of the given trials."""
    return curves_frame(_study(location, name), numbers)


@st.cache_data(ttl=TTL, show_spinner=False)
def trial_record(location: str, name: str, number: int) -> dict:
    """Everything stored on one trial: ``state``, ``params``, ``attrs`` (user attributes without the encoded
    per-user vectors) and ``fusion_weights`` (a table)."""
    trial = next(t for t in _study(location, name).get_trials(deepcopy=False) if t.number == number)
    attrs = {key: value for key, value in trial.user_attrs.items() if key != "per_user"}
    return {
        "state": trial.state.name,
        "params": trial.params,
        "attrs": attrs,
        "fusion_weights": fusion_weights_frame(trial),
    }


@st.cache_data(ttl=60, show_spinner=False)
def plugins() -> pd.DataFrame:
    """Every registered plugin with its distribution, version and loading error (None when it loads)."""
    return pd.DataFrame([asdict(info) for info in Registry().describe()])
