"""Studies: storage, the objective, the runner, the leaderboard, re-training and kept models."""

from .budget import counted_trials
from .leaderboard import format_best, format_leaderboard, ranked, trials_frame
from .recommend import load_kept_model, recommend
from .retrain import retrain_summaries, retrain_trial
from .runner import RunOptions, join_study, run_study, study_settings
from .settings import StudySettings
from .storage import open_storage, study_dir

__all__ = [
    "RunOptions",
    "StudySettings",
    "counted_trials",
    "format_best",
    "format_leaderboard",
    "join_study",
    "load_kept_model",
    "open_storage",
    "ranked",
    "recommend",
    "retrain_summaries",
    "retrain_trial",
    "run_study",
    "study_dir",
    "study_settings",
    "trials_frame",
]
