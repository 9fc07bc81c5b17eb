import tracemalloc
from importlib.metadata import EntryPoint, entry_points

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from mmsearch_builtin.encoders.dualgnn import DualGNNEncoder
from mmsearch_builtin.encoders.lightgcn import LightGCNEncoder

from mmsearch.components import BuildContext
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.model.cooccurrence import cooccurrence_topk
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate

POINT = EntryPoint("dualgnn", "mmsearch_builtin.encoders.dualgnn:DualGNNEncoder", "mmsearch.encoders")
REGISTRY = Registry([] if entry_points(group=POINT.group, name=POINT.name) else [POINT])


def random_interactions(n_users, n_items, per_user, seed):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n_users), per_user)
    cols = np.concatenate([rng.choice(n_items, per_user, replace=False) for _ in range(n_users)])
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_users, n_items))


def brute_force(interactions, k):
    dense = interactions.toarray()
    counts = dense @ dense.T
    np.fill_diagonal(counts, 0)
    graph = np.zeros_like(counts)
    for user, row in enumerate(counts):
        order = sorted(np.flatnonzero(row), key=lambda other: (-row[other], other))[:k]
        graph[user, order] = row[order]
    return graph


def test_user_graph_equals_brute_force_for_any_chunk_size():
    interactions = random_interactions(30, 12, 3, seed=0)
    interactions.data[interactions.indptr[5] : interactions.indptr[6]] = 0  # stored zeros are no interactions
    expected = brute_force(interactions, 4)
    for chunk_bytes in (1, 48 * 40, 10**9):
        np.testing.assert_array_equal(cooccurrence_topk(interactions, 4, chunk_bytes=chunk_bytes).toarray(), expected)


def test_encoder_adds_the_softmax_weighted_user_graph_aggregation_to_lightgcn():
    dataset = tiny_dataset()
    ctx = BuildContext(dataset.n_users, dataset.n_items, 8, {}, dataset.train, torch.device("cpu"), 0)
    encoder = DualGNNEncoder(k=5, user_weight=0.3)
    counts = brute_force(dataset.train, 5)
    softmax = np.where(counts > 0, np.exp(counts - counts.max(axis=1, keepdims=True)), 0.0)
    softmax /= softmax.sum(axis=1, keepdims=True)
    graph = encoder.user_graph(ctx)
    np.testing.assert_allclose(graph.toarray(), softmax, rtol=1e-6)
    users = torch.randn(dataset.n_users, 8, requires_grad=True)
    items = torch.randn(dataset.n_items, 8)
    got_users, got_items = encoder.build(ctx, 8)(users, items)
    lightgcn_users, lightgcn_items = LightGCNEncoder(n_layers=2).build(ctx, 8)(users, items)
    torch.testing.assert_close(got_users, lightgcn_users + 0.3 * torch.tensor(graph.toarray()) @ lightgcn_users)
    torch.testing.assert_close(got_items, lightgcn_items)
    got_users.sum().backward()
    assert users.grad.abs().sum() > 0


def test_many_users_stay_within_the_chunk_budget():
    n_users, budget = 20_000, 8 * 2**20  # a dense users x users matrix would take 1.6 GB
    interactions = random_interactions(n_users, 5_000, 5, seed=1)
    tracemalloc.start()
    graph = cooccurrence_topk(interactions, 10, chunk_bytes=budget)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert graph.shape == (n_users, n_users) and graph.nnz <= 10 * n_users
    assert (np.diff(graph.indptr) == 10).mean() > 0.99  # almost every user has 10 co-occurring users
    assert peak < 4 * budget  # one chunk plus the O(nnz(R) + n k) inputs and result, far below n^2


@pytest.mark.parametrize("timing", ["early", "late"])
def test_trains_inside_a_recommender_through_the_registry(timing):
    dataset = tiny_dataset()
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided", {"standardize": True}) for m in ("image", "text")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("dualgnn", {"k": 5}),
        timing=ComponentSpec(timing),
        fusion=ComponentSpec("sum"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(embedding_dim=8, max_epochs=1, batch_size=128),
        seed=0,
    )
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), seed=0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(dataset.n_users, dataset.n_items, 8, dims, dataset.train, torch.device("cpu"), 0)
    model, objective = build_recommender(spec, ctx, features, REGISTRY)
    result = train_and_evaluate(model, objective, dataset, spec.train, ctx.device, 0)
    assert result.epochs_run == 1 and np.isfinite(result.curve[-1]["loss"])
