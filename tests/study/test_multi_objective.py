"""Studies with several objectives: validation Recall@20 against training seconds and peak memory."""

import optuna
import pytest
import torch
from optuna.study import StudyDirection
from optuna.trial import TrialState

import mmsearch.study.runner as runner
from mmsearch.analysis import build_report, render
from mmsearch.data.cold_split import split_cold_items
from mmsearch.errors import MMSearchError, StorageError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import (
    RunOptions,
    format_best,
    format_leaderboard,
    join_study,
    ranked,
    run_study,
    study_settings,
    trials_frame,
)
from mmsearch.study.objectives import objective_names
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()
CPU = torch.device("cpu")
ALL = ("recall", "time", "memory")


def options(tmp_path, n_trials, **changes):
    values = dict(study_name="mo", storage_url=None, run_dir=tmp_path, n_trials=n_trials, show_progress=False)
    return RunOptions(**{**values, **changes})


def small_space(**train):
    """Only ``train.lr`` and the extractors' settings are searched: trials differ in nothing else."""
    raw = tiny_space(**{"max_epochs": 3, "patience": 3, **train})
    fixed = {"encoder": {"mf": {}}, "timing": {"early": {}}, "fusion": {"sum": {}}}
    raw["axes"] = {**raw["axes"], **fixed, "extractor": {"*": {"provided": {"standardize": True, "pca_dim": 64}}}}
    return parse_space(raw, REGISTRY)


def test_a_three_objective_study_stores_three_values_and_marks_its_pareto_front(tmp_path):
    study = run_study(tiny_dataset(), small_space(), REGISTRY, CPU, options(tmp_path, 3, objectives=ALL, keep_models=1))
    assert study.directions == [StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE, StudyDirection.MINIMIZE]
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3
    for trial in study.trials:
        attrs = trial.user_attrs
        assert trial.values == [attrs["valid"]["recall@20"], attrs["train_seconds"], attrs["peak_memory_mb"]]
    assert study_settings(None, tmp_path, "mo").objectives == ALL
    assert len(list((tmp_path / "mo" / "models").glob("trial-*.pt"))) == 1

    frame = trials_frame(study)
    assert set(frame.loc[frame["pareto"], "trial"]) == {t.number for t in study.best_trials}
    board = format_leaderboard(frame)
    assert "pareto: on the Pareto front of the study's objectives" in board and "peak MiB" in board
    best = ranked(frame).iloc[0]  # with tied recall, a faster trial may dominate it
    assert f"on the Pareto front: {'yes' if best['pareto'] else 'no'}" in format_best(frame, study)
    report = render(build_report(study), "text")
    assert "objectives: recall, time, memory" in report and "Pareto front of the objectives" in report


def test_a_single_objective_study_has_no_pareto_column(tmp_path):
    study = run_study(tiny_dataset(), small_space(), REGISTRY, CPU, options(tmp_path, 1))
    assert len(study.directions) == 1 and "pareto" not in trials_frame(study)
    assert "pareto" not in format_leaderboard(trials_frame(study))


def test_a_poor_trial_is_stopped_by_the_termination_rule(tmp_path):
    dataset, space = tiny_dataset(), small_space(max_epochs=7, patience=7, lr={"float": {"low": 1e-6, "high": 0.05}})
    study = run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 0, objectives=ALL))  # records the study
    for lr in (0.05, 0.05, 0.05, 1e-6):  # three that learn, then one that cannot
        study.enqueue_trial({"train.lr": lr})
    study = run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 4, objectives=ALL))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3 + [TrialState.PRUNED]
    stopped = study.trials[3]
    assert len(stopped.user_attrs["curve"]) == 6  # after the warm-up of five evaluations
    assert stopped.user_attrs["prune_reason"].startswith("best valid recall@20 0.")
    assert "below the median" in stopped.user_attrs["prune_reason"]
    assert trials_frame(study)["prune_reason"].iloc[3] == stopped.user_attrs["prune_reason"]


@pytest.mark.parametrize("pruner", ["median", "hyperband"])
def test_optuna_pruners_are_refused_with_several_objectives(tmp_path, pruner):
    with pytest.raises(MMSearchError, match=f"--pruner {pruner} cannot prune a study with several objectives"):
        run_study(tiny_dataset(), small_space(), REGISTRY, CPU, options(tmp_path, 1, objectives=ALL, pruner=pruner))
    assert not (tmp_path / "mo").exists()


def test_gp_is_refused_with_several_objectives_on_an_optuna_without_it(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "GP_MULTI_OBJECTIVE", False)
    with pytest.raises(MMSearchError, match=r"--sampler gp needs Optuna 4\.4 or newer for several objectives"):
        run_study(tiny_dataset(), small_space(), REGISTRY, CPU, options(tmp_path, 1, objectives=ALL, sampler="gp"))


@pytest.mark.parametrize("sampler", ["random", "bruteforce", "gp"])
def test_other_samplers_run_a_multi_objective_study(tmp_path, sampler):
    if sampler == "gp" and not runner.GP_MULTI_OBJECTIVE:
        pytest.skip(f"Optuna {optuna.__version__} has no multi-objective GP sampler")
    space = small_space(lr={"choice": [0.02, 0.05]})  # discrete, for brute force
    study = run_study(tiny_dataset(), space, REGISTRY, CPU, options(tmp_path, 2, objectives=ALL, sampler=sampler))
    assert [len(t.values) for t in study.trials] == [3, 3]


def test_resuming_or_joining_with_other_objectives_is_refused(tmp_path):
    dataset, space = tiny_dataset(), small_space()
    run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 1, objectives=("recall", "time")))
    with pytest.raises(StorageError, match="created with --objectives recall,time, not recall,time,memory;"):
        run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 1, objectives=ALL))
    with pytest.raises(StorageError, match="created with --objectives recall,time, not recall;"):
        run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 1))
    with pytest.raises(StorageError, match="created with --objectives recall,time, not recall;"):
        join_study(dataset, REGISTRY, CPU, options(tmp_path, 1))
    run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 1, objectives=("recall", "time")))
    assert study_settings(None, tmp_path, "mo").objectives == ("recall", "time")


def test_a_study_made_before_objectives_were_recorded_optimises_recall(tmp_path):
    dataset, space = tiny_dataset(), small_space()
    study = run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 1))
    study.set_user_attr("search", {"seed": 0, "sampler": "tpe", "pruner": "none"})  # as stored before
    assert study_settings(None, tmp_path, "mo").objectives == ("recall",)
    assert len(run_study(dataset, space, REGISTRY, CPU, options(tmp_path, 2)).trials) == 2


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["recall"], ("recall",)),
        (["recall", "memory", "time"], ALL),
        (["time", "recall"], ("recall", "time")),
        (["cold_recall"], ("cold_recall",)),
        (["time", "tail_recall", "recall"], ("recall", "tail_recall", "time")),
    ],
)
def test_objective_names_keep_the_fixed_order(names, expected):
    assert objective_names(names) == expected


@pytest.mark.parametrize("names", [[], ["time"], ["memory", "time"], ["recall", "recall"], ["recall", "speed"]])
def test_bad_objective_names_are_refused(names):
    with pytest.raises(MMSearchError, match="give at least one of recall, cold_recall, tail_recall, then any of"):
        objective_names(names)


def test_slice_objectives_are_the_slices_validation_recall(tmp_path):
    dataset = tiny_dataset()
    study = run_study(dataset, small_space(), REGISTRY, CPU, options(tmp_path, 2, objectives=("tail_recall",)))
    assert study.direction == StudyDirection.MAXIMIZE
    for trial in study.trials:
        tail = trial.user_attrs["slices"]["valid"]["tail_items"]["recall@20"]
        assert trial.value == tail != trial.user_attrs["valid"]["recall@20"]
        assert [point["valid_tail_items_recall@20"] for point in trial.user_attrs["curve"]]
    # the tiny data's validation split holds no cold item: the objective cannot be measured, said before any trial
    with pytest.raises(MMSearchError, match="--objectives cold_recall: the validation split of tiny holds no"):
        run_study(
            dataset, small_space(), REGISTRY, CPU, options(tmp_path, 1, study_name="c", objectives=("cold_recall",))
        )
    cold = split_cold_items(dataset, 0.3, seed=0)
    study = run_study(
        cold, small_space(), REGISTRY, CPU, options(tmp_path, 2, study_name="c", objectives=("cold_recall", "time"))
    )
    for trial in study.trials:
        attrs = trial.user_attrs
        assert trial.values == [attrs["slices"]["valid"]["cold_items"]["recall@20"], attrs["train_seconds"]]
        assert trial.values[0] == attrs["valid"]["recall@20"]  # every validation item of this split is cold
