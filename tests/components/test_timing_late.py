"""The late timing's per-user view weights (DRAGON's user modality weights)."""

import torch

from mmsearch.components import BuildContext
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset

DIM = 8


def build(user_weights: bool):
    dataset = tiny_dataset()
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in ("image", "text")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lightgcn", {"n_layers": 1}),
        timing=ComponentSpec("late", {"with_id": False, "user_weights": user_weights}),
        fusion=ComponentSpec("concat"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=DIM),
        seed=0,
    )
    registry = Registry()
    features = extract_features(dataset, dict(spec.extractors), registry, FeatureCache(), seed=0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(dataset.n_users, dataset.n_items, DIM, dims, dataset.train, torch.device("cpu"), 0)
    torch.manual_seed(0)
    return build_recommender(spec, ctx, features, registry)[0]


def test_user_weights_start_uniform_and_scale_only_that_users_view():
    weighted, plain = build(True), build(False)
    weights = weighted.timing.user_weights
    assert weights.shape == (tiny_dataset().n_users, 2)
    assert torch.all(weights == 0.5)
    assert plain.timing.user_weights is None
    plain.load_state_dict({k: v for k, v in weighted.state_dict().items() if k != "timing.user_weights"})
    before, unweighted = weighted(), plain()
    torch.testing.assert_close(before.users, 0.5 * unweighted.users)
    torch.testing.assert_close(before.items, unweighted.items)
    with torch.no_grad():
        weights[3, 0] = 0.0
    after = weighted()
    assert torch.all(after.users[3, :DIM] == 0) and torch.any(after.users[3, DIM:] != 0)
    torch.testing.assert_close(after.users[3, DIM:], before.users[3, DIM:])
    others = torch.arange(len(after.users)) != 3
    torch.testing.assert_close(after.users[others], before.users[others])


def test_user_weights_are_trained():
    model = build(True)
    out = model()
    (out.users[:5] @ out.items.T).sum().backward()
    grad = model.timing.user_weights.grad
    assert torch.all(grad[:5] != 0) and torch.all(grad[5:] == 0)
