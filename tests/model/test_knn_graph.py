import tracemalloc

import numpy as np
import torch

from mmsearch.components import BuildContext
from mmsearch.model.knn import knn_graph, symmetric_normalize
from mmsearch.registry import Registry
from mmsearch.testing import tiny_dataset


def brute_force(features, k):
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    dense = np.zeros_like(similarity)
    for row in range(len(features)):
        order = sorted(range(len(features)), key=lambda col: (-similarity[row, col], col))[:k]
        dense[row, order] = 1.0
    return dense


def test_equals_brute_force_for_any_chunk_size():
    features = np.random.default_rng(0).normal(size=(37, 5)).astype(np.float32)
    expected = brute_force(features, k=4)
    for chunk_bytes in (4 * 37, 4 * 37 * 5, 10**9):
        np.testing.assert_array_equal(knn_graph(features, 4, chunk_bytes=chunk_bytes).toarray(), expected)


def test_items_without_content_have_no_edges():
    features = np.random.default_rng(1).normal(size=(10, 3)).astype(np.float32)
    features[[2, 7]] = 0.0
    graph = knn_graph(features, 3).toarray()
    assert graph[[2, 7]].sum() == 0 and graph[:, [2, 7]].sum() == 0
    assert (graph.sum(axis=1)[[0, 1, 3, 4, 5, 6, 8, 9]] == 3).all()


def test_large_catalogue_stays_within_the_chunk_budget():
    n, budget = 20_000, 8 * 2**20  # dense similarities would take 1.6 GB
    features = np.random.default_rng(2).normal(size=(n, 8)).astype(np.float32)
    tracemalloc.start()
    graph = knn_graph(features, 5, chunk_bytes=budget)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert graph.shape == (n, n) and graph.nnz == 5 * n
    assert peak < 8 * budget  # a few chunk-sized temporaries plus the O(n k) result, far below n^2


def test_symmetric_normalization():
    graph = symmetric_normalize(np.array([[0, 1, 1], [1, 0, 0], [0, 0, 0]], dtype=np.float32)).toarray()
    np.testing.assert_allclose(graph, [[0, 1 / np.sqrt(2), 0], [1 / np.sqrt(2), 0, 0], [0, 0, 0]], rtol=1e-6)


def test_item_knn_encoder_adds_item_graph_convolution_to_lightgcn():
    dataset = tiny_dataset()
    features = {name: modality.features for name, modality in dataset.modalities.items()}
    ctx = BuildContext(
        dataset.n_users,
        dataset.n_items,
        8,
        {m: f.shape[1] for m, f in features.items()},
        dataset.train,
        torch.device("cpu"),
        0,
        features,
    )
    registry = Registry()
    encoder = registry.get("encoder", "item_knn")(n_layers=2, item_layers=1, k=3, image_weight=0.25)
    graph = encoder.item_graph(ctx).toarray()
    image, text = (symmetric_normalize(knn_graph(features[m], 3)).toarray() for m in ("image", "text"))
    np.testing.assert_allclose(graph, 0.25 * image + 0.75 * text, rtol=1e-6)
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    lightgcn = registry.get("encoder", "lightgcn")(n_layers=2).build(ctx, 8)
    got_users, got_items = encoder.build(ctx, 8)(users, items)
    expected_users, expected_items = lightgcn(users, items)
    torch.testing.assert_close(got_users, expected_users)
    torch.testing.assert_close(got_items, expected_items + torch.tensor(graph) @ items)


def test_self_loops_count_among_the_k_and_weights_are_the_cosines():
    features = np.random.default_rng(3).normal(size=(12, 4)).astype(np.float32)
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = unit @ unit.T
    graph = knn_graph(features, 3, self_loops=True, weighted=True).toarray()
    for row in range(12):
        expected = np.argsort(-similarity[row], kind="stable")[:3]
        assert row in expected
        np.testing.assert_allclose(graph[row, expected], similarity[row, expected], rtol=1e-5)
        assert np.count_nonzero(graph[row]) == 3
    binary = knn_graph(features, 3, self_loops=True).toarray()
    np.testing.assert_array_equal(binary, (graph != 0).astype(np.float32))
