"""Everything ``mmsearch report`` says about one study, gathered once from the storage."""

from __future__ import annotations

from dataclasses import dataclass, field

import optuna
import pandas as pd

from mmsearch.study.leaderboard import trials_frame
from mmsearch.study.objectives import DEFAULT_OBJECTIVES
from mmsearch.study.settings import stored_objectives

from ._trials import ranked_trials
from .choices import searched_axes
from .configs import configurations
from .errors import AnalysisError
from .importance import param_importance
from .load import curves_frame, per_user_frame
from .significance import config_significance, verdict_significance
from .verdict import VERDICT_COLUMNS, axis_verdicts

SIGNIFICANCE_SPLIT = "test"
SIGNIFICANCE_METRIC = "recall@20"


@dataclass(frozen=True)
class Report:
    """The analyses of one study.

    Attributes:
        study: study name.
        dataset: the study's dataset summary (name, users, items, ...).
        frame: the trials table.
        axes: axes on which the completed trials used at least two choices.
        verdicts: per searched axis, winner against runner-up with the paired test (Holm across axes).
        importance: PED-ANOVA importance, or None with the reason in ``notes["importance"]``.
        significance: the top configurations against the best one.
        configs: every configuration with its mean and spread over seeds.
        curves: learning curves of the ``top`` best trials.
        notes: block key -> a line explaining a missing or partial analysis.
        objectives: the study's objectives (several: ``frame`` has the ``pareto`` column).
    """

    study: str
    dataset: dict
    frame: pd.DataFrame
    axes: list[str]
    verdicts: pd.DataFrame
    importance: pd.DataFrame | None
    significance: pd.DataFrame
    configs: pd.DataFrame
    curves: pd.DataFrame
    top: int
    notes: dict[str, str] = field(default_factory=dict)
    objectives: tuple[str, ...] = DEFAULT_OBJECTIVES


def build_report(study: optuna.Study, top: int = 10, compare: int = 5) -> Report:
    """Gather every analysis of ``study``; analyses the data cannot support leave a note instead of failing.

    Args:
        study: a loaded study.
        top: leaderboard rows and number of learning curves.
        compare: how many of the best configurations the paired tests compare.
    """
    frame = trials_frame(study)
    notes = {}
    axes = searched_axes(frame)
    parts = [axis_verdicts(frame, axis).assign(axis=axis) for axis in axes]
    verdicts = pd.concat(parts or [pd.DataFrame(columns=[*VERDICT_COLUMNS, "axis"])], ignore_index=True)
    configs = configurations(frame)
    best = list(configs["config"].head(compare))
    if len(best) < 2:
        notes["significance"] = "paired tests need at least two completed configurations"
    runs = frame.loc[frame["config"].isin(best), "trial"] if best else []
    numbers = {int(n) for n in [*runs, *verdicts["winner_trial"], *verdicts["runner_up_trial"]] if pd.notna(n)}
    per_user = per_user_frame(study, numbers, SIGNIFICANCE_SPLIT, SIGNIFICANCE_METRIC)
    verdicts = verdict_significance(verdicts, per_user)
    significance = config_significance(per_user, frame, best)
    try:
        importance = param_importance(frame)
    except AnalysisError as error:
        importance, notes["importance"] = None, str(error)
    ranked = ranked_trials(frame)
    curves = curves_frame(study, ranked["trial"].head(top) if not ranked.empty else [])
    dataset = dict(study.user_attrs.get("dataset", {}))
    return Report(
        study.study_name,
        dataset,
        frame,
        axes,
        verdicts,
        importance,
        significance,
        configs,
        curves,
        top,
        notes,
        stored_objectives(study),
    )
