"""Re-training a stored trial from its spec alone, under several seeds."""

import numpy as np
import optuna
import pytest
import torch

from mmsearch.errors import MMSearchError, StorageError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, open_storage, retrain_summaries, retrain_trial, run_study
from mmsearch.study import retrain as retrain_module
from mmsearch.study.retrain import format_retraining
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A finished study of two trials on ``tiny_dataset()`` and its run directory."""
    run_dir = tmp_path_factory.mktemp("runs")
    space = parse_space(tiny_space(max_epochs=3, patience=2), REGISTRY)
    study = run_study(tiny_dataset(), space, REGISTRY, CPU, RunOptions("s", None, run_dir, 2, show_progress=False))
    return study, run_dir


def test_retraining_reproduces_the_trial_under_its_seed_and_summarises_every_seed(stored):
    study, run_dir = stored
    trial = study.trials[1]
    retraining = retrain_trial(study, 1, tiny_dataset(), REGISTRY, CPU, run_dir, seeds=3)
    seed = trial.user_attrs["seed"]
    first = retraining.runs[0]
    assert first.seed == seed  # same spec and seed on the CPU: the very same metrics
    assert first.valid.metrics == trial.user_attrs["valid"] and first.test.metrics == trial.user_attrs["test"]
    summary = retraining.summary()
    assert summary["seeds"] == [seed, seed + 1, seed + 2]
    assert set(summary["mean"]) == {"valid_recall@20", "valid_ndcg@20", "test_recall@20", "test_ndcg@20"}
    values = summary["per_seed"]["test_ndcg@20"]
    assert values[0] == trial.user_attrs["test"]["ndcg@20"]
    assert summary["mean"]["test_ndcg@20"] == pytest.approx(np.mean(values))
    assert summary["std"]["test_ndcg@20"] == pytest.approx(np.std(values, ddof=1))
    reloaded = optuna.load_study(study_name="s", storage=open_storage(None, run_dir, "s"))
    assert retrain_summaries(reloaded) == {1: summary}
    with np.load(run_dir / "s" / "retrain-1.npz") as vectors:
        assert list(vectors["seeds"]) == summary["seeds"]
        assert vectors["test_recall@20"].shape == (3, len(vectors["test_users"]))
        means = vectors["test_recall@20"].mean(axis=1)
        np.testing.assert_allclose(means, summary["per_seed"]["test_recall@20"], rtol=1e-5)
    slices = summary["slices"]
    stored_slices = trial.user_attrs["slices"]["test"]
    held = [name for name, figures in stored_slices.items() if figures["interactions"]]
    assert held and {f"test_{name}_recall@20" for name in held} <= set(slices["mean"])
    for name in held:
        assert slices["per_seed"][f"test_{name}_recall@20"][0] == stored_slices[name]["recall@20"]
    lines = format_retraining(retraining).splitlines()
    assert lines[6].startswith("test recall@20 by slice: ") and lines[6].count("±") == len(held)
    assert lines[1].split() == ["seed", "val", "recall@20", "val", "ndcg@20", "test", "recall@20", "test", "ndcg@20"]
    assert [line.split()[0] for line in lines[2:5]] == [str(seed), str(seed + 1), str(seed + 2)]
    assert lines[5].startswith("mean ± std") and lines[5].count("±") == 5


def test_retraining_refuses_other_data_unknown_trials_and_no_seeds(stored):
    study, run_dir = stored
    with pytest.raises(StorageError, match=r"study 's' was created on other data \(tiny, fingerprint \w+; given tiny"):
        retrain_trial(study, 0, tiny_dataset(seed=9), REGISTRY, CPU, run_dir)
    with pytest.raises(StorageError, match=r"study 's' has no trial 7; its trials: 0\.\.1"):
        retrain_trial(study, 7, tiny_dataset(), REGISTRY, CPU, run_dir)
    with pytest.raises(MMSearchError, match="--seeds must be at least 1, got 0"):
        retrain_trial(study, 0, tiny_dataset(), REGISTRY, CPU, run_dir, seeds=0)


def test_retraining_runs_with_the_cpu_threads_the_trial_ran_with(stored, monkeypatch):
    study, run_dir = stored
    trial = study.trials[0]
    assert trial.user_attrs["worker"]["threads"] == torch.get_num_threads()
    recorded = []
    real = retrain_module.execute_spec

    def spy(*args, **kwargs):
        recorded.append(torch.get_num_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(retrain_module, "execute_spec", spy)
    before = torch.get_num_threads()
    monkeypatch.setitem(trial.user_attrs["worker"], "threads", before + 1)  # as if it ran with one thread more
    monkeypatch.setattr(retrain_module, "find_trial", lambda *_: trial)
    retrain_trial(study, 0, tiny_dataset(), REGISTRY, CPU, run_dir, seeds=2)
    assert recorded == [before + 1, before + 1] and torch.get_num_threads() == before
