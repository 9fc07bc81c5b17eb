"""Two small real studies for the dashboard tests, made once per session.

``alpha`` (dataset ``tiny-a``): trial 0 enqueued with a learning rate far out of the space (its loss diverges: a
failure), ten sampled trials that complete (enough for parameter importance), and one pruned trial told by hand.
``beta`` (dataset ``tiny-b``): three completed trials, so that datasets can be compared, its best one re-trained
under 2 seeds (``mmsearch retrain``). ``alpha--ablate-fusion``:
the ablation of ``fusion`` around alpha's 3 best configurations under 2 seeds.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from pathlib import Path

import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, run_study
from mmsearch.study.ablation import open_ablation, plan_ablation, run_ablation
from mmsearch.study.retrain import retrain_trial
from mmsearch.study.storage import journal_path, open_storage
from mmsearch.testing import tiny_dataset, tiny_space

APP = Path(__file__).resolve().parents[2] / "app" / "main.py"
SPACE = tiny_space(fusions=("sum", "attentive_sum"), max_epochs=2)


def _study(run_dir: Path, name: str, dataset_name: str, seed: int, trials: int, failures: int) -> optuna.Study:
    registry = Registry()
    study = optuna.create_study(study_name=name, storage=open_storage(None, run_dir, name), direction="maximize")
    for _ in range(failures):
        study.enqueue_trial({"train.lr": 1.0e300})
    dataset = dataclasses.replace(tiny_dataset(n_users=40, seed=seed), name=dataset_name)
    options = RunOptions(study_name=name, storage_url=None, run_dir=run_dir, n_trials=trials, show_progress=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Fixed parameter train.lr")
        run_study(dataset, parse_space(SPACE, registry), registry, torch.device("cpu"), options)
    return study


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest runs the app as ``__main__``; the real one comes back, so that later spawned workers start cleanly."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def app_entry() -> Path:
    """The dashboard's entry script."""
    return APP


@pytest.fixture(scope="session")
def dashboard_runs(tmp_path_factory) -> Path:
    """The run folder holding ``alpha`` and ``beta``."""
    run_dir = tmp_path_factory.mktemp("dashboard") / "runs"
    alpha = _study(run_dir, "alpha", "tiny-a", seed=0, trials=11, failures=1)
    pruned = alpha.ask()
    pruned.set_user_attr("curve", [{"epoch": 1, "loss": 0.7, "valid_recall@20": 0.1}])
    alpha.tell(pruned, state=TrialState.PRUNED)
    beta = _study(run_dir, "beta", "tiny-b", seed=1, trials=3, failures=0)
    _ablate(run_dir, alpha, "fusion")
    data = dataclasses.replace(tiny_dataset(n_users=40, seed=1), name="tiny-b")
    retrain_trial(beta, beta.best_trial.number, data, Registry(), torch.device("cpu"), run_dir, seeds=2)
    return run_dir


def _ablate(run_dir: Path, study: optuna.Study, axis: str) -> None:
    """The ablation of ``axis`` around the 3 best configurations of ``study`` under 2 seeds."""
    registry = Registry()
    dataset = dataclasses.replace(tiny_dataset(n_users=40, seed=0), name="tiny-a")
    space = parse_space(study.user_attrs["space"], registry).for_dataset(dataset, registry)
    plan = plan_ablation(study, space, registry, axis, "top:3", 2)
    url = str(journal_path(None, run_dir, study.study_name))
    options = RunOptions(plan.name, url, run_dir, len(plan.variants), show_progress=False)
    ablation, space, _ = open_ablation(study, plan, dataset, registry, options)
    run_ablation(ablation, space, dataset, registry, torch.device("cpu"), options)
