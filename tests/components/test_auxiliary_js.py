import math

import pytest
import torch
from mmsearch_builtin.auxiliaries._contrast import info_nce, jensen_shannon
from mmsearch_builtin.auxiliaries.feature_cl import FeatureContrastAuxiliary
from mmsearch_builtin.auxiliaries.infonce import InfoNCEAuxiliary

from mmsearch.components import BuildContext, Representations, TrainingBatch
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate


def softplus(x):
    return math.log(1 + math.exp(x))


def test_js_equals_hand_computed_value_on_two_by_two_scores():
    anchors = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    positives = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    r = 1 / math.sqrt(2)  # cosine scores: s00 = 1, s01 = 0, s10 = s11 = r
    expected = (softplus(0.0) + softplus(r)) / 2 + (softplus(-1.0) + softplus(-r)) / 2
    assert jensen_shannon(anchors, positives, temperature=1.0).item() == pytest.approx(expected, rel=1e-6)
    halved = (softplus(0.0) + softplus(2 * r)) / 2 + (softplus(-2.0) + softplus(-2 * r)) / 2
    assert jensen_shannon(anchors, positives, temperature=0.5).item() == pytest.approx(halved, rel=1e-6)


def test_js_without_negatives_is_its_positive_term():
    row = torch.tensor([[3.0, 4.0]])
    assert jensen_shannon(row, row, temperature=0.5).item() == pytest.approx(softplus(-2.0), rel=1e-6)


def random_representations(ctx, views=("id", "image", "text")):
    generator = torch.Generator().manual_seed(1)
    item_views = {v: torch.randn(ctx.n_items, 8, generator=generator).requires_grad_() for v in views}
    return Representations(torch.zeros(ctx.n_users, 8), torch.zeros(ctx.n_items, 8), item_views)


BATCH = TrainingBatch(torch.tensor([0, 1, 2, 3]), torch.tensor([3, 1, 3, 5]), torch.tensor([0, 0, 0, 0]))
ITEMS = torch.tensor([1, 3, 5])


def test_feature_cl_js_is_the_weighted_mean_over_view_pairs_and_reaches_the_views(ctx):
    module = FeatureContrastAuxiliary(weight=0.5, estimator="js", pairs="modal_id").build(ctx, ["id", "image", "text"])
    reps = random_representations(ctx)
    views = {name: view[ITEMS] for name, view in reps.item_views.items()}
    expected = (jensen_shannon(views["id"], views["image"], 0.2) + jensen_shannon(views["id"], views["text"], 0.2)) / 2
    loss = module(reps, BATCH)
    assert loss.item() == pytest.approx(0.5 * expected.item(), rel=1e-6)
    assert module.last_terms == {"js": pytest.approx(expected.item(), rel=1e-6)}
    loss.backward()
    for view in reps.item_views.values():
        rows = view.grad.abs().sum(dim=1)
        assert (rows[ITEMS] > 0).all() and rows.sum() == rows[ITEMS].sum()


def test_infonce_name_is_feature_cl_with_the_infonce_estimator(ctx):
    reps = random_representations(ctx)
    views = {name: view[ITEMS] for name, view in reps.item_views.items()}
    expected = torch.stack([info_nce(views[a], views[b], 0.3) for a, b in [("id", "image"), ("id", "text")]]).mean()
    old = InfoNCEAuxiliary(weight=1.0, temperature=0.3, pairs="modal_id").build(ctx, ["id", "image", "text"])
    assert old(reps, BATCH).item() == pytest.approx(expected.item(), rel=1e-6)
    assert set(InfoNCEAuxiliary.search_space()) == {"weight", "temperature", "pairs"}
    assert InfoNCEAuxiliary.hyperparameters()["views"] == "modal"
    assert set(FeatureContrastAuxiliary.search_space()) == set(FeatureContrastAuxiliary.hyperparameters())


def test_unknown_estimator_is_a_clear_error(ctx):
    with pytest.raises(ValueError, match="unknown estimator 'jsd'; choose one of infonce, js"):
        FeatureContrastAuxiliary(estimator="jsd").build(ctx, ["id"])


REGISTRY = Registry()


def test_js_between_modal_views_falls_during_training():
    dataset = tiny_dataset(n_users=60, n_items=40, per_user=8)
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in ("image", "text")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("mf"),
        timing=ComponentSpec("late"),
        fusion=ComponentSpec("concat"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=16, lr=0.01, batch_size=256, max_epochs=8, patience=50),
        seed=0,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), 0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(dataset.n_users, dataset.n_items, 16, dims, dataset.train, torch.device("cpu"), 0)
    model, objective = build_recommender(spec, ctx, features, REGISTRY)
    module = FeatureContrastAuxiliary(weight=1.0, estimator="js").build(ctx, model.views)
    objective.auxiliaries["feature_cl"] = module
    users, items = (torch.from_numpy(a.astype("int64")) for a in dataset.train.nonzero())
    batch = TrainingBatch(users, items, items.flip(0))
    before = module(model(), batch).item()
    train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    assert module(model(), batch).item() < 0.9 * before
