"""Kept models: the K best trials' weights on disk, rebuilt from their spec, and their recommendations."""

import dataclasses

import numpy as np
import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmsearch.components import BuildContext
from mmsearch.errors import MMSearchError, StorageError
from mmsearch.eval import Evaluator
from mmsearch.eval.slices import dataset_slices
from mmsearch.model import build_recommender
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.study import RunOptions, load_kept_model, open_storage, recommend, run_study
from mmsearch.study.artifacts import KeptModel, ModelStore, load_model, model_path, models_dir, restore, save_model
from mmsearch.study.objective import per_user_vectors
from mmsearch.study.recommend import user_index
from mmsearch.testing import tiny_dataset, tiny_space
from mmsearch.train.trainer import score_all, train_and_evaluate

REGISTRY = Registry()
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A study of three trials on ``tiny_dataset()`` that kept the models of its two best; and its run directory."""
    run_dir = tmp_path_factory.mktemp("runs")
    space = parse_space(tiny_space(max_epochs=3, patience=2), REGISTRY)
    options = RunOptions("s", None, run_dir, 3, show_progress=False, keep_models=2)
    return run_study(tiny_dataset(), space, REGISTRY, CPU, options), run_dir


def mf_spec(config):
    return TrialSpec(
        extractors={},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("mf"),
        timing=ComponentSpec("early"),
        fusion=ComponentSpec("sum"),
        loss=ComponentSpec("bpr"),
        train=config,
        seed=0,
    )


def ranked(study):
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    return sorted(complete, key=lambda trial: (-trial.value, trial.number))


def test_the_best_trials_keep_the_weights_of_their_best_validation_epoch(kept):
    study, run_dir = kept
    best = ranked(study)[:2]
    files = sorted(path.name for path in (run_dir / "s" / "models").iterdir())
    assert files == sorted(f"trial-{trial.number}.pt" for trial in best)
    dataset = tiny_dataset()
    for trial in best:
        model = load_kept_model(study, trial.number, dataset, REGISTRY, CPU, run_dir)
        valid = Evaluator(dataset.train, dataset.valid, device=CPU).evaluate(score_all(model))
        assert valid.metrics == trial.user_attrs["valid"]


def test_the_kept_state_is_that_of_the_best_epoch_not_the_last():
    dataset = tiny_dataset()
    config = TrainConfig(embedding_dim=8, lr=0.5, batch_size=128, max_epochs=8, patience=8)
    spec = mf_spec(config)
    ctx = BuildContext(dataset.n_users, dataset.n_items, 8, {}, dataset.train, CPU, 0)
    model, objective = build_recommender(spec, ctx, {}, REGISTRY)
    result = train_and_evaluate(model, objective, dataset, config, CPU, 0, keep_best_state=True)
    assert result.best_epoch < result.epochs_run  # the validation metric fell after its best epoch
    evaluator = Evaluator(dataset.train, dataset.valid, device=CPU)
    assert evaluator.evaluate(score_all(model)).metrics != result.valid.metrics
    rebuilt, _ = build_recommender(spec, ctx, {}, REGISTRY)
    restore(rebuilt, KeptModel(spec, result.best_state))
    assert evaluator.evaluate(score_all(rebuilt)).metrics == result.valid.metrics


def test_a_kept_lattice_model_scores_as_at_its_best_epoch(tmp_path):
    """The learned graph's neighbours, re-found during training, are part of the kept state (its features are not)."""
    raw = tiny_space(max_epochs=3, patience=3, lr=0.05)
    raw["axes"] |= {"extractor": {"*": {"provided": {}}}, "encoder": {"lattice": {"k": 3, "refresh_every": 1}}}
    options = RunOptions("s", None, tmp_path, 1, show_progress=False, keep_models=1)
    study = run_study(tiny_dataset(), parse_space(raw, REGISTRY), REGISTRY, CPU, options)
    (trial,) = study.get_trials(states=(TrialState.COMPLETE,))
    assert not [name for name in load_model(models_dir(tmp_path, "s"), trial.number).state if "features" in name]
    dataset = tiny_dataset()
    scores = score_all(load_kept_model(study, trial.number, dataset, REGISTRY, CPU, tmp_path))
    slices = dataset_slices(dataset)
    valid, test = (
        Evaluator(dataset.train, split, device=CPU, slices=slices).evaluate(scores)
        for split in (dataset.valid, dataset.test)
    )
    assert valid.metrics == trial.user_attrs["valid"] and test.metrics == trial.user_attrs["test"]
    assert per_user_vectors(valid, test) == trial.user_attrs["per_user"]


def test_recommendations_exclude_training_items_and_follow_the_scores(kept):
    study, run_dir = kept
    dataset = tiny_dataset()
    model = load_kept_model(study, ranked(study)[0].number, dataset, REGISTRY, CPU, run_dir)
    items = recommend(model, dataset, user=5, k=10)
    seen = set(dataset.train[5].indices.tolist())
    assert [item.rank for item in items] == list(range(1, 11))
    assert not {item.index for item in items} & seen and all(item.item == item.index for item in items)
    with torch.no_grad():
        representations = model()
        scores = representations.items @ representations.users[5]
    assert [item.score for item in items] == pytest.approx(scores[[item.index for item in items]].tolist())
    assert [item.score for item in items] == sorted((item.score for item in items), reverse=True)
    assert len(recommend(model, dataset, user=5, k=1000)) == dataset.n_items - len(seen)
    with pytest.raises(MMSearchError, match="-k must be at least 1"):
        recommend(model, dataset, user=5, k=0)


def test_ids_of_the_source_files_name_users_and_items_when_the_dataset_keeps_them(kept):
    study, run_dir = kept
    dataset = tiny_dataset()
    mapped = dataclasses.replace(
        dataset, user_ids=np.array([f"u{i}" for i in range(dataset.n_users)]), item_ids=np.arange(dataset.n_items) + 100
    )
    assert user_index(mapped, "u7") == 7 and user_index(dataset, "7") == 7
    model = load_kept_model(study, ranked(study)[0].number, mapped, REGISTRY, CPU, run_dir)
    assert all(item.item == item.index + 100 for item in recommend(model, mapped, user=7, k=3))
    with pytest.raises(MMSearchError, match="user 'u99' is not a user id of tiny"):
        user_index(mapped, "u99")
    for user in ("60", "-1", "u7"):
        with pytest.raises(MMSearchError, match=f"user '{user}' is out of range: tiny has users 0..59"):
            user_index(dataset, user)


def test_unknown_trials_trials_without_a_kept_model_and_other_data_are_refused(kept):
    study, run_dir = kept
    dataset = tiny_dataset()
    with pytest.raises(StorageError, match=r"study 's' has no trial 9; its trials: 0\.\.2"):
        load_kept_model(study, 9, dataset, REGISTRY, CPU, run_dir)
    dropped = ranked(study)[-1].number
    with pytest.raises(StorageError, match=f"trial {dropped} has no kept model in .*--keep-models K"):
        load_kept_model(study, dropped, dataset, REGISTRY, CPU, run_dir)
    with pytest.raises(StorageError, match="study 's' was created on other data"):
        load_kept_model(study, ranked(study)[0].number, tiny_dataset(seed=9), REGISTRY, CPU, run_dir)


def test_model_store_keeps_the_best_files_and_leaves_those_of_running_trials(tmp_path):
    study = optuna.create_study(study_name="s", storage=open_storage(None, tmp_path, "s"), direction="maximize")
    store = ModelStore(tmp_path / "models", keep=2)
    spec = mf_spec(TrainConfig())
    state = {"weight": torch.ones(2)}
    running = study.ask()  # another worker's trial, still training, already wrote its file
    save_model(model_path(store.directory, running.number), running.number, spec, state)
    offered = []
    for value in (0.3, 0.5, 0.4, 0.1):
        trial = study.ask()
        offered.append(store.offer(study, trial.number, value, spec, state))
        study.tell(trial, value)
    assert offered == [True, True, True, False]
    assert sorted(path.name for path in store.directory.iterdir()) == ["trial-0.pt", "trial-2.pt", "trial-3.pt"]
