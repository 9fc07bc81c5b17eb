"""Reading back what a study stored: a trial and its spec by number, and the dataset the study was made on."""

from __future__ import annotations

import optuna

from mmsearch.data.dataset import Dataset
from mmsearch.errors import StorageError
from mmsearch.search.spec import TrialSpec


def check_dataset(study: optuna.Study, dataset: Dataset) -> None:
    """Refuse a dataset other than the one the study was created on (compared by ``Dataset.fingerprint``).

    Raises:
        StorageError: the fingerprints differ, or the study recorded no dataset.
    """
    stored = study.user_attrs.get("dataset")
    if stored is None:
        raise StorageError(f"study '{study.study_name}' recorded no dataset; it was never run")
    if stored["fingerprint"] != dataset.fingerprint():
        raise StorageError(
            f"study '{study.study_name}' was created on other data ({stored['name']}, fingerprint "
            f"{stored['fingerprint']}; given {dataset.name}, fingerprint {dataset.fingerprint()}); pass the same --data"
        )


def find_trial(study: optuna.Study, number: int) -> optuna.trial.FrozenTrial:
    """The trial ``number`` of the study.

    Raises:
        StorageError: the study has no such trial.
    """
    trials = study.get_trials(deepcopy=False)
    if not 0 <= number < len(trials):
        known = f"0..{len(trials) - 1}" if trials else "none yet"
        raise StorageError(f"study '{study.study_name}' has no trial {number}; its trials: {known}")
    return trials[number]


def stored_spec(trial: optuna.trial.FrozenTrial) -> TrialSpec:
    """The ``TrialSpec`` stored on ``trial``.

    Raises:
        StorageError: the trial stored no spec (it failed, or is still starting, before recording one).
    """
    if "spec" not in trial.user_attrs:
        raise StorageError(f"trial {trial.number} ({trial.state.name}) has no stored spec to rebuild it from")
    return TrialSpec.from_dict(trial.user_attrs["spec"])
