import os
import subprocess
import uuid

import optuna
import pytest
import torch
from optuna.trial import TrialState

import mmsearch.study.objective as objective
import mmsearch.study.reaper as reaper
import mmsearch.study.runner as runner
from mmsearch.errors import MMSearchError, SpaceError, StorageError
from mmsearch.model import FeatureCache
from mmsearch.registry import Registry
from mmsearch.search.presets import load_presets
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, counted_trials, format_leaderboard, open_storage, run_study, trials_frame
from mmsearch.study.progress import Progress
from mmsearch.study.vectors import decode_array
from mmsearch.testing import tiny_dataset

REGISTRY = Registry()
CPU = torch.device("cpu")
SPACE = {
    "name": "tiny",
    "axes": {
        "extractor": {"*": {"provided": {}, "off": {}}},
        "transform": {"linear": {}},
        "encoder": {"mf": {}, "lightgcn": {"n_layers": {"int": {"low": 1, "high": 2}}}},
        "timing": {"early": {}, "late": {}},
        "fusion": {"sum": {}, "concat": {}},
        "loss": {"bpr": {}},
    },
    "train": {
        "embedding_dim": 8,
        "lr": {"float": {"low": 0.005, "high": 0.05, "log": True}},
        "max_epochs": 4,
        "batch_size": 128,
        "patience": 2,
    },
}


def options(tmp_path, n_trials, **changes):
    values = dict(study_name="s", storage_url=None, run_dir=tmp_path, n_trials=n_trials, show_progress=False)
    return RunOptions(**{**values, **changes})


def space(**train):
    return parse_space({**SPACE, "train": {**SPACE["train"], **train}}, REGISTRY)


def test_study_stores_everything_a_trial_produced_and_resumes(tmp_path):
    dataset = tiny_dataset()
    study = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 3))
    assert counted_trials(study) == 3
    assert (tmp_path / "s" / "journal.log").exists() and (tmp_path / "s" / "space.yaml").exists()
    trial = study.trials[0]
    attrs = trial.user_attrs
    assert trial.state == TrialState.COMPLETE
    assert trial.value == attrs["valid"]["recall@20"]
    assert set(attrs["test"]) == set(attrs["valid"]) and len(attrs["test"]) == 8
    assert {
        "spec",
        "curve",
        "train_seconds",
        "eval_seconds",
        "peak_memory_mb",
        "device",
        "seed",
        "versions",
        "plugins",
        "best_epoch",
    } <= set(attrs)
    assert (
        attrs["versions"]["torch"] == torch.__version__.split("+")[0] or attrs["versions"]["torch"] == torch.__version__
    )
    assert attrs["plugins"]["encoder:" + attrs["spec"]["encoder"]["name"]].startswith("mmsearch ")
    users = decode_array(attrs["per_user"]["test_users"])
    recall = decode_array(attrs["per_user"]["test_recall@20"])
    assert len(users) == len(recall) == dataset.n_users
    assert recall.mean() == pytest.approx(attrs["test"]["recall@20"], rel=1e-5)
    for split in ("valid", "test"):
        summaries = attrs["slices"][split]
        assert {"cold_items", "tail_items", "sparse_users"} <= set(summaries)
        assert summaries["tail_items"]["users"] > 0
        for name, summary in summaries.items():
            slice_users = decode_array(attrs["per_user"][f"{split}_{name}_users"])
            slice_recall = decode_array(attrs["per_user"][f"{split}_{name}_recall@20"])
            assert len(slice_users) == len(slice_recall) == summary["users"] <= summary["interactions"]
            if summary["users"]:
                assert slice_recall.mean() == pytest.approx(summary["recall@20"], rel=1e-5)
    assert study.user_attrs["dataset"]["fingerprint"] == dataset.fingerprint()

    resumed = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 5))
    assert counted_trials(resumed) == 5 and [t.number for t in resumed.trials] == [0, 1, 2, 3, 4]
    assert run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 5)).trials[-1].number == 4


def test_resuming_with_another_space_or_dataset_is_refused(tmp_path):
    dataset = tiny_dataset()
    run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 1))
    with pytest.raises(StorageError, match=r"was created with another resolved space \(differs in: train;"):
        run_study(dataset, space(max_epochs=5), REGISTRY, CPU, options(tmp_path, 2))
    with pytest.raises(StorageError, match="was created on other data"):
        run_study(tiny_dataset(seed=9), space(), REGISTRY, CPU, options(tmp_path, 2))


def test_failed_trials_keep_their_reason_and_the_search_goes_on(tmp_path):
    dataset = tiny_dataset()
    study = run_study(dataset, space(lr=1e30), REGISTRY, CPU, options(tmp_path, 2))
    frame = trials_frame(study)
    assert list(frame["state"]) == ["FAIL", "FAIL"]
    assert all(reason.startswith("TrialFailure: loss became") for reason in frame["fail_reason"])
    assert "2 fail" in format_leaderboard(frame)


def test_interrupted_trial_is_recorded_and_not_counted(tmp_path, monkeypatch):
    dataset = tiny_dataset()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(objective, "execute_spec", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 2))
    monkeypatch.undo()
    study = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 2))
    states = [(t.state, t.user_attrs.get("fail_reason")) for t in study.trials]
    assert states[0] == (TrialState.FAIL, "interrupted")
    assert [state for state, _ in states[1:]] == [TrialState.COMPLETE, TrialState.COMPLETE]


def test_running_trial_of_a_dead_local_worker_is_failed_on_resume(tmp_path):
    dataset = tiny_dataset()
    study = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 1))
    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = study.ask()
    orphan.set_user_attr("worker", {"host": os.uname().nodename, "pid": dead.pid})
    resumed = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 2))
    orphan_trial = resumed.trials[orphan.number]
    assert orphan_trial.state == TrialState.FAIL
    assert orphan_trial.user_attrs["fail_reason"] == f"worker {dead.pid} died"
    assert counted_trials(resumed) == 2


def test_postgresql_storage(tmp_path):
    url = "postgresql://postgres@127.0.0.1:5432/test"  # no driver named: psycopg 3 is used
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    dataset = tiny_dataset()
    try:
        study = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 2, storage_url=url, study_name=name))
        assert counted_trials(study) == 2
        reloaded = optuna.load_study(study_name=name, storage=open_storage(url, tmp_path, name))
        assert reloaded.trials[1].user_attrs["test"] == study.trials[1].user_attrs["test"]
    finally:
        optuna.delete_study(study_name=name, storage=open_storage(url, tmp_path, name))


def test_bad_storage_urls_are_one_line_errors(tmp_path):
    with pytest.raises(StorageError, match="unsupported storage 'mysql://x'"):
        open_storage("mysql://x", tmp_path, "s")
    with pytest.raises(StorageError, match="SQLite cannot be shared by several workers"):
        open_storage(f"sqlite:///{tmp_path}/db.sqlite", tmp_path, "s", workers=2)
    with pytest.raises(StorageError, match="cannot open storage 'postgresql://nobody:\\*\\*\\*@127.0.0.1:1/none'"):
        open_storage("postgresql://nobody:secret@127.0.0.1:1/none", tmp_path, "s")


def test_running_trial_that_never_recorded_its_worker_is_failed_once_old(tmp_path, monkeypatch):
    dataset = tiny_dataset()
    study = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 1))
    fresh = study.ask()
    run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 1))
    assert study.trials[fresh.number].state == TrialState.RUNNING  # may still be starting: left alone
    monkeypatch.setattr(reaper, "ORPHAN_SECONDS", 0)
    resumed = run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 1))
    assert resumed.trials[fresh.number].state == TrialState.FAIL
    assert resumed.trials[fresh.number].user_attrs["fail_reason"] == "its worker died before recording itself"


def test_learned_fusion_weights_are_stored_per_view(tmp_path):
    raw = {
        **SPACE,
        "axes": {
            **SPACE["axes"],
            "extractor": {"*": {"provided": {}}},
            "timing": {"late": {}},
            "fusion": {"attentive_sum": {"mode": "global"}},
        },
    }
    study = run_study(tiny_dataset(), parse_space(raw, REGISTRY), REGISTRY, CPU, options(tmp_path, 1))
    weights = study.trials[0].user_attrs["fusion_weights"]
    assert set(weights) == {"timing.user_fusion", "timing.item_fusion"}
    for per_view in weights.values():
        assert set(per_view) == {"id", "image", "text"}
        assert sum(per_view.values()) == pytest.approx(1.0)
        assert len(set(per_view.values())) > 1  # moved away from the uniform start during training


def test_baseline_presets_are_enqueued_once_and_run_as_specified(tmp_path):
    raw = {**SPACE, "baselines": ["bpr_mf", "vbpr", "freedom"]}
    dataset = tiny_dataset()
    study = run_study(dataset, parse_space(raw, REGISTRY), REGISTRY, CPU, options(tmp_path, 4))
    presets = [t.user_attrs.get("preset") for t in study.trials]
    assert presets == ["bpr_mf", "vbpr", "freedom", None]
    specs = [t.user_attrs["spec"] for t in study.trials]
    assert specs[0]["encoder"]["name"] == "mf" and specs[0]["extractors"] == {}
    assert specs[1]["fusion"]["name"] == "concat" and set(specs[1]["extractors"]) == {"image", "text"}
    assert specs[2]["encoder"] == {
        "name": "item_knn",
        "params": {
            "n_layers": 2,
            "item_layers": 1,
            "k": 10,
            "self_loops": True,
            "image_weight": 0.1,
            "edge_dropout": 0.8,
        },
    }
    assert specs[2]["fusion"]["name"] == "id_view" and set(specs[2]["auxiliaries"]) == {"modal_bpr"}
    assert specs[0]["train"]["max_epochs"] == SPACE["train"]["max_epochs"]  # the space's fixed budget
    assert study.trials[1].user_attrs["label"].startswith("[vbpr] mf|early|concat")
    resumed = run_study(dataset, parse_space(raw, REGISTRY), REGISTRY, CPU, options(tmp_path, 5))
    assert [t.user_attrs.get("preset") for t in resumed.trials] == [*presets, None]


def test_unknown_preset_is_a_space_error():
    with pytest.raises(SpaceError, match=f"unknown preset 'ncf'; available: {', '.join(sorted(load_presets()))}$"):
        parse_space({**SPACE, "baselines": ["ncf"]}, REGISTRY)


@pytest.mark.parametrize("sampler", ["random", "bruteforce", "gp"])
def test_every_sampler_runs_a_study(tmp_path, sampler):
    raw = {**SPACE, "axes": {**SPACE["axes"], "extractor": {"*": {"provided": {"standardize": False, "pca_dim": 0}}},
                    "encoder": {"mf": {}}, "timing": {"early": {}, "late": {"user_weights": False, "user_graph_k": 0}}},
           "train": {**SPACE["train"], "lr": 0.01}}  # fmt: skip
    study = run_study(tiny_dataset(), parse_space(raw, REGISTRY), REGISTRY, CPU, options(tmp_path, 3, sampler=sampler))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3
    if sampler == "bruteforce":  # timing x fusion: four combinations, none repeated
        combos = [(t.params["timing"], t.params["fusion"]) for t in study.trials]
        assert len(set(combos)) == 3


def test_unknown_sampler_is_refused():
    with pytest.raises(MMSearchError, match="unknown sampler 'cmaes'"):
        runner.make_sampler("cmaes", 0)


def test_an_id_only_draw_of_a_modal_encoder_is_a_pruned_trial_with_its_reason():
    raw = {
        **SPACE,
        "axes": {**SPACE["axes"], "extractor": {"*": {"off": {}, "provided": {}}}, "encoder": {"item_knn": {}}},
    }
    dataset = tiny_dataset()
    space = parse_space(raw, REGISTRY).for_dataset(dataset, REGISTRY)
    trial_objective = objective.Objective(space, dataset, REGISTRY, CPU, 0, FeatureCache(), Progress(1, enabled=False))
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial({"extractor.image": "off", "extractor.text": "off"})
    study.optimize(trial_objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert study.trials[0].user_attrs["prune_reason"] == (
        "encoder 'item_knn' needs modal features and the trial drew no modality"
    )
