"""Analyses of stored studies: pure functions over the tidy trials table (``mmsearch.study.trials_frame``) and the
per-user metric table, returning DataFrames; ``figures`` turns them into plotly figures (needs plotly).

Every function reads the columns ``trials_frame`` produces (``study``, ``dataset``, ``trial``, ``state``, the axis
columns, ``valid_<metric>`` ...) and ranks trials by validation Recall@20 unless told otherwise; test metrics never
select anything. An analysis the data cannot support raises ``AnalysisError`` with a one-line reason.
"""

from ._trials import AXIS_COLUMNS, PRIMARY, TOP_SHARE, complete_trials, ranked_trials, top_trials
from .choices import axes_summary, axis_summary, searched_axes
from .configs import config_name, configurations
from .controlled import controlled_choices, rank_distribution
from .cross import cross_dataset_summary, cross_dataset_table
from .errors import AnalysisError
from .evidence import STATES, holm
from .filters import filter_trials
from .importance import param_importance
from .interactions import interaction_pivot, interaction_table
from .load import (
    PER_USER_METRICS,
    SPLITS,
    VARIANT_COLUMNS,
    curves_frame,
    fusion_weights_frame,
    per_user_frame,
    variants_frame,
)
from .observational import observational_choices
from .outcomes import best_trials, failure_reasons, reason_group, state_counts, study_overview
from .pareto import COSTS, pareto_front
from .render import FORMATS, render
from .report import Report, build_report
from .significance import PairedTest, config_significance, paired_test
from .sources import Catalogue, Source, StudyRef, find_studies, load_study, locate_study, open_location
from .verdict import CHOICE_COLUMNS, VERDICT_COLUMNS, describe_verdict, settle, verdict_rows

__all__ = [
    "AXIS_COLUMNS",
    "CHOICE_COLUMNS",
    "AnalysisError",
    "COSTS",
    "Catalogue",
    "FORMATS",
    "PER_USER_METRICS",
    "PRIMARY",
    "PairedTest",
    "Report",
    "SPLITS",
    "STATES",
    "Source",
    "StudyRef",
    "TOP_SHARE",
    "VARIANT_COLUMNS",
    "VERDICT_COLUMNS",
    "axes_summary",
    "axis_summary",
    "best_trials",
    "build_report",
    "complete_trials",
    "config_name",
    "config_significance",
    "configurations",
    "controlled_choices",
    "cross_dataset_summary",
    "cross_dataset_table",
    "describe_verdict",
    "curves_frame",
    "failure_reasons",
    "filter_trials",
    "find_studies",
    "fusion_weights_frame",
    "holm",
    "interaction_pivot",
    "interaction_table",
    "load_study",
    "observational_choices",
    "locate_study",
    "open_location",
    "paired_test",
    "param_importance",
    "pareto_front",
    "per_user_frame",
    "rank_distribution",
    "ranked_trials",
    "reason_group",
    "render",
    "searched_axes",
    "settle",
    "state_counts",
    "study_overview",
    "top_trials",
    "variants_frame",
    "verdict_rows",
]
