import numpy as np
import pytest
import scipy.sparse as sp
import torch
from mmsearch_builtin.encoders._edge_dropout import DegreeSensitiveEdgeSampler
from mmsearch_builtin.encoders.item_knn import ItemKNNEncoder
from mmsearch_builtin.encoders.lightgcn import LightGCNPropagation, normalized_interactions

from mmsearch.components import BuildContext
from mmsearch.model.sparse import SparseOperator
from mmsearch.testing import tiny_dataset


def context(dataset, dim=8):
    features = {name: modality.features for name, modality in dataset.modalities.items()}
    dims = {m: f.shape[1] for m, f in features.items()}
    return BuildContext(dataset.n_users, dataset.n_items, dim, dims, dataset.train, torch.device("cpu"), 0, features)


def hub_graph(n_users=40):
    """Every user has item 0 (degree n_users) and an item of their own (degree 1)."""
    rows = np.repeat(np.arange(n_users), 2)
    cols = np.ravel(np.column_stack([np.zeros(n_users, dtype=int), np.arange(1, n_users + 1)]))
    return sp.csr_matrix((np.ones(2 * n_users, dtype=np.float32), (rows, cols)), shape=(n_users, n_users + 1))


def test_sample_keeps_the_requested_number_of_training_edges_renormalised():
    train = tiny_dataset().train
    sample = DegreeSensitiveEdgeSampler(train, 0.3, seed=0).sample()
    assert sample.shape == train.shape and sample.nnz == int(train.nnz * 0.7)
    kept = sp.csr_matrix(sample > 0, dtype=np.float32)
    assert (kept.multiply(train) != kept).nnz == 0  # only training edges
    np.testing.assert_allclose(sample.toarray(), normalized_interactions(kept).toarray(), rtol=1e-6)


def test_sampling_prefers_low_degree_edges_as_freedoms_multinomial_draw_does():
    train, draws = hub_graph(), 200
    sampler = DegreeSensitiveEdgeSampler(train, 0.5, seed=1)
    kept = np.mean([sampler.sample().toarray()[:, 0] > 0 for _ in range(draws)])  # hub edges kept
    weights = torch.tensor(normalized_interactions(train).data)  # FREEDOM's call: multinomial over R_hat values
    hub, generator = torch.tensor(train.indices == 0), torch.Generator().manual_seed(0)
    reference = np.mean(
        [hub[torch.multinomial(weights, 40, generator=generator)].sum().item() / 40 for _ in range(draws)]
    )
    assert kept < 0.3  # a uniform draw keeps half of them
    assert kept == pytest.approx(reference, abs=0.03)


def test_training_forward_propagates_over_a_fresh_pruned_graph():
    dataset = tiny_dataset()
    ctx = context(dataset)
    module = ItemKNNEncoder(k=3, edge_dropout=0.4).build(ctx, 8).train()
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    first, second = module(users, items), module(users, items)
    replay = DegreeSensitiveEdgeSampler(ctx.train, 0.4, ctx.seed)
    for got in (first, second):
        pruned = LightGCNPropagation(SparseOperator(replay.sample(), ctx.device), 2)(users, items)
        torch.testing.assert_close(got[0], pruned[0])
        torch.testing.assert_close(got[1] - pruned[1], module.item_graph @ items)
    assert not torch.allclose(first[0], second[0])


def test_eval_mode_is_deterministic_and_uses_the_full_graph():
    dataset = tiny_dataset()
    ctx = context(dataset)
    full = ItemKNNEncoder(k=3).build(ctx, 8).eval()
    dropped = ItemKNNEncoder(k=3, edge_dropout=0.5).build(ctx, 8)
    users = torch.randn(dataset.n_users, 8, requires_grad=True)
    items = torch.randn(dataset.n_items, 8)
    training = dropped.train()(users, items)
    dropped.eval()
    expected = full(users, items)
    for _ in range(2):
        for got, want in zip(dropped(users, items), expected):
            torch.testing.assert_close(got, want)
    assert not torch.allclose(training[0], expected[0])
    training[0].sum().backward()
    assert users.grad.abs().sum() > 0


def test_edge_dropout_is_validated():
    with pytest.raises(ValueError, match="edge_dropout"):
        ItemKNNEncoder(edge_dropout=1.0).build(context(tiny_dataset()), 8)
