"""BM3's negative-free objective (the bootstrap loss), its predictor head and the encoder option BM3 uses."""

import optuna
import pytest
import torch
from mmsearch_builtin.encoders.lightgcn import LightGCNEncoder
from mmsearch_builtin.losses.bootstrap import BootstrapLoss
from torch.nn import functional

from mmsearch.components import BuildContext, Representations, TrainingBatch
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.presets import load_presets
from mmsearch.search.space import InactiveDraw, parse_space
from mmsearch.testing import tiny_dataset

DIM = 8


def context(dataset):
    return BuildContext(dataset.n_users, dataset.n_items, DIM, {}, dataset.train, torch.device("cpu"), 0)


def test_the_loss_is_bm3s_cosine_terms_plus_the_norm_penalty():
    torch.manual_seed(0)
    users, items = torch.randn(6, DIM), torch.randn(9, DIM)
    views = {"id": torch.randn(9, DIM), "image": torch.randn(9, DIM)}
    head = BootstrapLoss().head(context(tiny_dataset()))
    reps = Representations(
        head(users), head(items), views, source=(users, items), head_views={"image": head(views["image"])}
    )
    batch = TrainingBatch(torch.tensor([0, 2, 5]), torch.tensor([1, 1, 8]), torch.tensor([0, 0, 0]))
    module = BootstrapLoss(dropout=0.0, cl_weight=2.0, norm_weight=0.1).build(None)

    def distance(online, target):
        return 1 - functional.cosine_similarity(online, target, dim=-1).mean()

    u, i, p = batch.users, batch.positives, head(views["image"])[batch.positives]
    expected = (
        distance(head(users)[u], items[i])
        + distance(head(items)[i], users[u])
        + 2.0 * (distance(p, items[i]) + distance(p, views["image"][i]))
        + 0.1 * (users.norm() + items.norm()) / 9
    )
    torch.testing.assert_close(module(reps, batch), expected)


def test_targets_are_dropped_out_and_carry_no_gradient():
    torch.manual_seed(0)
    users = torch.randn(6, DIM, requires_grad=True)
    items = torch.randn(9, DIM, requires_grad=True)
    online_users, online_items = torch.randn(6, DIM, requires_grad=True), torch.randn(9, DIM, requires_grad=True)
    reps = Representations(online_users, online_items, {}, source=(users, items))
    batch = TrainingBatch(torch.tensor([0, 2, 5]), torch.tensor([1, 3, 8]), torch.tensor([0, 0, 0]))
    module = BootstrapLoss(dropout=0.5, norm_weight=0.0).build(None)
    assert module(reps, batch).item() != module(reps, batch).item()
    module(reps, batch).backward()
    assert users.grad is None and items.grad is None
    assert online_users.grad.abs().sum() > 0 and online_items.grad.abs().sum() > 0


def test_the_bm3_model_scores_through_its_predictor_and_items_keep_their_id_embedding():
    dataset = tiny_dataset()
    spec = load_presets()["bm3"].to_spec(sorted(dataset.modalities), {}, seed=0)
    registry = Registry()
    features = extract_features(dataset, dict(spec.extractors), registry, FeatureCache(), seed=0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(dataset.n_users, dataset.n_items, 64, dims, dataset.train, torch.device("cpu"), 0)
    model, _ = build_recommender(spec, ctx, features, registry)
    reps = model()
    torch.testing.assert_close(reps.users, model.head(reps.source[0]))
    torch.testing.assert_close(reps.items, model.head(reps.source[1]))
    assert sorted(reps.head_views) == sorted(dataset.modalities)
    ids = model.item_embedding.weight
    propagated = LightGCNEncoder(n_layers=1).build(ctx, 64)(model.timing.user_embedding.weight, ids)[1]
    torch.testing.assert_close(reps.source[1], propagated + ids)


def test_the_predictor_refuses_representations_wider_than_itself():
    head = BootstrapLoss().head(context(tiny_dataset()))
    with pytest.raises(ValueError, match="predictor is 8 wide but the representations are 16 wide"):
        head(torch.randn(3, 2 * DIM))


def test_a_space_prunes_bootstrap_with_a_widening_fusion():
    registry = Registry()
    raw = {
        "name": "t",
        "axes": {
            "extractor": {"*": {"provided": {}}},
            "transform": {"linear": {}},
            "encoder": {"lightgcn": {"n_layers": 2}},
            "timing": {"early": {}},
            "fusion": {"sum": {}, "concat": {}},
            "loss": {"bpr": {}, "bootstrap": {}},
        },
    }
    space = parse_space(raw, registry).for_dataset(tiny_dataset(), registry)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    drawn, pruned = set(), set()
    for _ in range(40):
        trial = study.ask()
        try:
            spec = space.suggest(trial, seed=0)
            drawn.add((spec.fusion.name, spec.loss.name))
        except InactiveDraw as error:
            pruned.add((trial.params["fusion"], trial.params["loss"]))
            assert "needs the embedding width" in str(error)
        study.tell(trial, 0.0)
    assert pruned == {("concat", "bootstrap")}
    assert drawn == {("sum", "bpr"), ("concat", "bpr"), ("sum", "bootstrap")}
