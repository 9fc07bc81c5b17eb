"""Everything ``mmsearch report`` says about one study, gathered once from the storage."""

from __future__ import annotations

from dataclasses import dataclass, field

import optuna
import pandas as pd

from mmsearch.search.spec import AXES
from mmsearch.study.ablation import ablation_studies
from mmsearch.study.leaderboard import trials_frame
from mmsearch.study.objectives import DEFAULT_OBJECTIVES
from mmsearch.study.retrain import retrain_summaries
from mmsearch.study.settings import stored_objectives

from ._trials import ranked_trials
from .choices import searched_axes
from .configs import configurations
from .controlled import controlled_choices, controlled_slice_verdicts, rank_distribution
from .errors import AnalysisError
from .importance import param_importance
from .load import VARIANT_COLUMNS, curves_frame, per_user_frame, variants_frame
from .observational import observational_choices
from .significance import config_significance
from .verdict import settle, verdict_rows

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
        verdicts: per axis and kind (controlled first, then observational), the verdict rows
            (``verdict.VERDICT_COLUMNS``).
        slice_verdicts: the controlled verdicts measured on each slice of the evaluation (verdict rows and ``slice``;
            Holm correction within each slice).
        choices: the settled choice rows behind them (``verdict.CHOICE_COLUMNS``), both kinds.
        ranks: the rank distribution of the controlled choices over anchors (``controlled.RANK_COLUMNS``).
        ablations: the names of the study's ablation studies.
        variants: their trained variants (``load.variants_frame``).
        importance: PED-ANOVA importance, or None with the reason in ``notes["importance"]``.
        significance: the top configurations against the best one.
        configs: every configuration with its mean, spread and interval over seeds (re-trainings included).
        curves: learning curves of the ``top`` best trials.
        notes: block key -> a line explaining a missing or partial analysis.
        objectives: the study's objectives (several: ``frame`` has the ``pareto`` column).
    """

    study: str
    dataset: dict
    frame: pd.DataFrame
    axes: list[str]
    verdicts: pd.DataFrame
    slice_verdicts: pd.DataFrame
    choices: pd.DataFrame
    ranks: pd.DataFrame
    ablations: list[str]
    variants: pd.DataFrame
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
    ablations = ablation_studies(study._storage, study.study_name)
    parts = [variants_frame(optuna.load_study(study_name=name, storage=study._storage)) for name in ablations]
    variants = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(VARIANT_COLUMNS))
    controlled = settle(controlled_choices(variants))
    observational = settle(observational_choices(frame, axes))
    choices = pd.concat([controlled, observational], ignore_index=True)
    verdicts = pd.concat([verdict_rows(controlled), verdict_rows(observational)], ignore_index=True)
    slice_verdicts = controlled_slice_verdicts(variants)
    retrains = {(study.study_name, number): summary for number, summary in retrain_summaries(study).items()}
    configs = configurations(frame, retrains=retrains)
    best = list(configs["config"].head(compare))
    if len(best) < 2:
        notes["significance"] = "paired tests need at least two completed configurations"
    runs = frame.loc[frame["config"].isin(best), "trial"] if best else []
    per_user = per_user_frame(study, {int(n) for n in runs}, SIGNIFICANCE_SPLIT, SIGNIFICANCE_METRIC)
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
        slice_verdicts,
        choices,
        rank_distribution(controlled),
        ablations,
        variants,
        importance,
        significance,
        configs,
        curves,
        top,
        notes,
        stored_objectives(study),
    )


def ablate_command(study: str, axis: str) -> str:
    """The ``mmsearch ablate`` command that makes a controlled verdict on ``axis`` of ``study``."""
    return f"mmsearch ablate --study {study} --axis {axis} --anchors top:3 --seeds 3 --data <the study's data>"


def ablatable(axis: str) -> bool:
    """Whether ``mmsearch ablate`` takes ``axis`` as named in the trials table (``extractors`` and ``auxiliaries``
    are combinations there: ablate ``extractor.<modality>`` or ``auxiliary.<name>`` instead)."""
    return axis in AXES
