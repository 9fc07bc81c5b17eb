"""The late timing's per-user view weights and user-user graph (DRAGON's user modality weights and user graph)."""

import numpy as np
import torch

from mmsearch.components import BuildContext
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset

DIM = 8


def build(user_weights: bool, user_graph_k: int = 0):
    dataset = tiny_dataset()
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in ("image", "text")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lightgcn", {"n_layers": 1}),
        timing=ComponentSpec("late", {"with_id": False, "user_weights": user_weights, "user_graph_k": user_graph_k}),
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


def dense_user_graph(train, k):
    """Each user's k strongest co-occurrences (ties to the lower index), softmax of the counts over the row."""
    binary = (train.toarray() > 0).astype(np.float64)
    counts = binary @ binary.T
    np.fill_diagonal(counts, 0)
    graph = np.zeros_like(counts)
    for user, row in enumerate(counts):
        top = [other for other in np.argsort(-row, kind="stable")[:k] if row[other] > 0]
        if top:
            graph[user, top] = np.exp(row[top] - row[top].max()) / np.exp(row[top] - row[top].max()).sum()
    return torch.tensor(graph, dtype=torch.float32)


def test_user_graph_adds_the_softmax_weighted_co_occurring_users_to_the_fused_users():
    plain, with_graph = build(True), build(True, user_graph_k=3)
    with_graph.load_state_dict(plain.state_dict())
    fused, refined = plain(), with_graph()
    graph = dense_user_graph(tiny_dataset().train, 3)
    assert (graph > 0).sum(dim=1).max() == 3
    torch.testing.assert_close(refined.users, fused.users + graph @ fused.users, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(refined.items, fused.items)
