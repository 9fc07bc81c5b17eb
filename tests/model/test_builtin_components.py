import itertools

import numpy as np
import pytest
import torch
from mmsearch_builtin.encoders.lightgcn import normalized_interactions

from mmsearch.components import BuildContext
from mmsearch.data.dataset import Modality
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset

REGISTRY = Registry()


def build(encoder="lightgcn", timing="early", fusion="sum", modalities=("image", "text"), dim=8):
    dataset = tiny_dataset()
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in modalities},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec(encoder, {"n_layers": 2} if encoder == "lightgcn" else {}),
        timing=ComponentSpec(timing),
        fusion=ComponentSpec(fusion),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=dim),
        seed=0,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), seed=0)
    ctx = BuildContext(
        dataset.n_users,
        dataset.n_items,
        dim,
        {m: f.values.shape[1] for m, f in features.items()},
        dataset.train,
        torch.device("cpu"),
        0,
    )
    model, loss = build_recommender(spec, ctx, features, REGISTRY)
    return dataset, model, loss


@pytest.mark.parametrize(
    ("encoder", "timing", "fusion"), list(itertools.product(["mf", "lightgcn"], ["early", "late"], ["sum", "concat"]))
)
def test_every_combination_builds_scores_and_trains(encoder, timing, fusion):
    dataset, model, loss = build(encoder, timing, fusion)
    representations = model()
    width = 8 * 3 if fusion == "concat" else 8
    assert representations.users.shape == (dataset.n_users, width)
    assert representations.items.shape == (dataset.n_items, width)
    assert set(representations.item_views) == {"id", "image", "text"}
    users, items = torch.tensor([0, 1]), torch.tensor([2, 3])
    value = loss.primary(representations.score(users, items), representations.score(users, items.flip(0)))
    value.backward()
    assert model.item_embedding.weight.grad is not None and model.item_embedding.weight.grad.abs().sum() > 0
    for transform in model.transforms.values():
        assert transform.weight.grad.abs().sum() > 0


def test_same_seed_builds_the_same_model():
    first, second = build()[1], build()[1]
    for (name, a), (_, b) in zip(first.state_dict().items(), second.state_dict().items()):
        torch.testing.assert_close(a, b, msg=name)


def test_late_concat_scores_are_the_sum_of_per_view_scores():
    _, model, _ = build("mf", "late", "concat")
    representations = model()
    per_view = sum(
        model.timing.user_embeddings[view].weight[0] @ item[5] for view, item in representations.item_views.items()
    )
    torch.testing.assert_close(representations.score(torch.tensor([0]), torch.tensor([5]))[0], per_view)


def dense_adjacency(train):
    interactions = torch.tensor(normalized_interactions(train).toarray())
    n_users, n_items = interactions.shape
    return torch.cat(
        [
            torch.cat([torch.zeros(n_users, n_users), interactions], dim=1),
            torch.cat([interactions.T, torch.zeros(n_items, n_items)], dim=1),
        ]
    )


def test_lightgcn_matches_the_dense_formula_forward_and_backward():
    dataset, model, _ = build("lightgcn", "early", "sum", modalities=())
    users = model.timing.user_embedding.weight
    items = model.item_embedding.weight
    adjacency = dense_adjacency(dataset.train)
    layer0 = torch.cat([users, items])
    expected = (layer0 + adjacency @ layer0 + adjacency @ adjacency @ layer0) / 3
    weights = torch.randn_like(expected)
    (expected * weights).sum().backward()
    expected_grads = users.grad.clone(), items.grad.clone()
    users.grad = items.grad = None
    representations = model()
    torch.testing.assert_close(torch.cat([representations.users, representations.items]), expected)
    (torch.cat([representations.users, representations.items]) * weights).sum().backward()
    torch.testing.assert_close(users.grad, expected_grads[0])
    torch.testing.assert_close(items.grad, expected_grads[1])


def test_normalized_interactions_are_degree_scaled():
    dataset = tiny_dataset()
    interactions = normalized_interactions(dataset.train).toarray()
    user, item = 0, dataset.train[0].indices[0]
    user_degree, item_degree = dataset.train[user].sum(), dataset.train[:, item].sum()
    assert interactions[user, item] == pytest.approx(1 / np.sqrt(user_degree * item_degree))
    assert (interactions[dataset.train.toarray() == 0] == 0).all()


def test_bpr_equals_hand_computed_value():
    _, _, loss = build()
    pos, neg = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0])
    expected = -(np.log(1 / (1 + np.exp(-1.0))) + np.log(1 / (1 + np.exp(1.0)))) / 2
    assert loss.primary(pos, neg).item() == pytest.approx(expected, rel=1e-6)


def test_provided_extractor_standardises_and_fills_missing_with_zero():
    extractor = REGISTRY.get("extractor", "provided")(standardize=True)
    values = np.array([[1.0, 5.0], [3.0, 5.0], [100.0, 100.0]], dtype=np.float32)
    modality = Modality("image", features=values, present=np.array([True, True, False]))
    extracted = extractor.extract(modality, seed=0)
    np.testing.assert_allclose(extracted.values, [[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    assert extracted.present.tolist() == [True, True, False]


def test_triple_scores_equal_pairwise_scores():
    _, model, _ = build("lightgcn", "late", "concat")
    representations = model()
    users, pos, neg = torch.tensor([0, 3, 3]), torch.tensor([1, 2, 5]), torch.tensor([7, 0, 9])
    got_pos, got_neg = representations.triple_scores(users, pos, neg)
    torch.testing.assert_close(got_pos, representations.score(users, pos))
    torch.testing.assert_close(got_neg, representations.score(users, neg))


def test_l2_penalty_covers_id_embeddings_and_with_the_views_the_whole_item_vector():
    _, model, _ = build("mf", "early", "concat")
    views = model()
    users, pos, neg = torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([4, 2])
    user_part = model.timing.user_ego(users).pow(2).sum()
    id_part = model.item_embedding.weight[[2, 3, 4, 2]].pow(2).sum()
    modal_part = sum(views.item_views[m][[2, 3, 4, 2]].pow(2).sum() for m in ("image", "text"))
    torch.testing.assert_close(model.l2_penalty(users, pos, neg), 0.5 * (user_part + id_part) / 2)
    torch.testing.assert_close(model.l2_penalty(users, pos, neg, views), 0.5 * (user_part + id_part + modal_part) / 2)
    # early concat: the item vector is [id ; image ; text], so its squared norm is the sum of the views'
    torch.testing.assert_close(id_part + modal_part, views.items[[2, 3, 4, 2]].pow(2).sum())


def test_final_l2_penalty_acts_on_the_scored_representations():
    _, model, _ = build("lightgcn", "late", "concat")
    out = model()
    users, pos, neg = torch.tensor([0, 1, 1]), torch.tensor([2, 3, 5]), torch.tensor([4, 2, 0])
    expected = 0.5 * (out.users[users].pow(2).sum() + out.items[[2, 3, 5, 4, 2, 0]].pow(2).sum()) / 3
    torch.testing.assert_close(out.l2_penalty(users, pos, neg), expected)
    # after propagation the final rows differ from the layer-0 embeddings, so the two penalties differ
    assert not torch.isclose(out.l2_penalty(users, pos, neg), model.l2_penalty(users, pos, neg))
    out.l2_penalty(users, pos, neg).backward()
    assert model.item_embedding.weight.grad is not None and model.item_embedding.weight.grad.abs().sum() > 0
