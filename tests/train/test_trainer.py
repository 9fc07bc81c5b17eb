import math

import pytest
import torch

from mmsearch.components import BuildContext
from mmsearch.errors import TrialFailure
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate

REGISTRY = Registry()


SUM = ComponentSpec("sum")


def build(dataset, config, seed=0, encoder="lightgcn", fusion=SUM, modalities=()):
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in modalities},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec(encoder),
        timing=ComponentSpec("late" if modalities else "early"),
        fusion=fusion,
        loss=ComponentSpec("bpr"),
        train=config,
        seed=seed,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), seed)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    cpu = torch.device("cpu")
    ctx = BuildContext(dataset.n_users, dataset.n_items, config.embedding_dim, dims, dataset.train, cpu, seed)
    return build_recommender(spec, ctx, features, REGISTRY)


def train(dataset, config, seed=0, encoder="lightgcn", callback=None):
    model, objective = build(dataset, config, seed, encoder)
    return train_and_evaluate(model, objective, dataset, config, torch.device("cpu"), seed, callback), model


def test_training_learns_and_reports_test_at_the_best_validation_epoch():
    dataset = tiny_dataset(n_users=120, n_items=60, per_user=12)
    seen = []
    result, _ = train(
        dataset, TrainConfig(embedding_dim=16, lr=0.02, batch_size=256, max_epochs=30, patience=5), callback=seen.append
    )
    assert len(result.curve) == result.epochs_run == len(seen)
    best = max(seen, key=lambda report: (report.valid["recall@20"], -report.epoch))
    assert result.best_epoch == best.epoch
    assert result.valid.metrics == pytest.approx({name: best.valid[name] for name in result.valid.metrics})
    tail = result.valid.slices["tail_items"].metrics["recall@20"]
    assert best.valid["tail_items_recall@20"] == pytest.approx(tail)  # each slice's Recall@20 is reported too
    assert result.curve[0]["loss"] > result.curve[-1]["loss"]
    untrained, _ = train(dataset, TrainConfig(embedding_dim=16, lr=1e-9, max_epochs=1, batch_size=256))
    assert result.valid.metrics["recall@20"] > untrained.valid.metrics["recall@20"] + 0.05
    assert set(result.test.per_user) >= {"recall@20", "ndcg@20"}
    assert result.train_seconds > 0 and result.eval_seconds > 0


def test_early_stopping_stops_after_patience_evaluations_without_improvement():
    dataset = tiny_dataset()
    result, _ = train(dataset, TrainConfig(embedding_dim=8, lr=1e-9, max_epochs=50, patience=3, batch_size=512))
    assert result.epochs_run == result.best_epoch + 3


def test_same_seed_gives_the_same_metrics_on_cpu():
    dataset = tiny_dataset()
    config = TrainConfig(embedding_dim=8, lr=0.01, max_epochs=4, batch_size=128)
    first, _ = train(dataset, config, seed=3)
    second, _ = train(dataset, config, seed=3)
    assert first.valid.metrics == second.valid.metrics and first.test.metrics == second.test.metrics


def test_nan_loss_fails_the_trial_with_a_reason():
    dataset = tiny_dataset()
    with pytest.raises(TrialFailure, match="loss became nan at epoch 1"):
        train(dataset, TrainConfig(embedding_dim=8, lr=math.inf, max_epochs=3, batch_size=64))


@pytest.mark.parametrize("mode", ["global", "per_entity"])
def test_fusion_weights_are_those_of_the_best_validation_epoch(mode):
    dataset = tiny_dataset()
    config = TrainConfig(embedding_dim=8, lr=0.05, batch_size=128, max_epochs=40, patience=3)
    fusion = ComponentSpec("attentive_sum", {"mode": mode})
    model, objective = build(dataset, config, fusion=fusion, modalities=("image", "text"))
    seen = {}

    def record(report):
        seen[report.epoch] = model.fusion_weights()

    result = train_and_evaluate(model, objective, dataset, config, torch.device("cpu"), 0, record)
    assert result.best_epoch < result.epochs_run  # stopped early: the last weights are not the best epoch's
    assert set(result.best_fusion_weights) == {"timing.user_fusion", "timing.item_fusion"}
    assert result.best_fusion_weights == seen[result.best_epoch]
    assert result.best_fusion_weights != seen[result.epochs_run]
