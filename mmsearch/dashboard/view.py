"""What every page works on: the studies found and their trials, before and after the sidebar's filters."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from mmsearch.analysis import Catalogue, Source

VIEW_KEY = "mmsearch_view"


@dataclass(frozen=True)
class View:
    """The state the entry script hands to the page it runs.

    Attributes:
        source: where the studies come from.
        catalogue: the studies found (and unreadable storages).
        trials: the trials table of every study.
        filtered: ``trials`` after the sidebar filters.
        locations: study name -> storage location.
    """

    source: Source
    catalogue: Catalogue
    trials: pd.DataFrame
    filtered: pd.DataFrame
    locations: dict[str, str]


def current_view() -> View:
    """The view the entry script stored for this run."""
    return st.session_state[VIEW_KEY]
