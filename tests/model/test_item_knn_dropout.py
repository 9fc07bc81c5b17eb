import numpy as np
import pytest
import scipy.sparse as sp
import torch
from mmsearch_builtin.encoders._edge_dropout import EdgeSampler
from mmsearch_builtin.encoders.item_knn import ItemKNNEncoder
from mmsearch_builtin.encoders.lightgcn import LightGCNPropagation, normalized_interactions

from mmsearch.components import BuildContext
from mmsearch.model import FeatureCache
from mmsearch.model.sparse import SparseOperator
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.study.execute import build_model
from mmsearch.testing import tiny_dataset
from mmsearch.train.sampler import NegativeSampler
from mmsearch.train.trainer import make_optimizer, train_epoch


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
    sample = EdgeSampler(train, 0.3, seed=0).sample()
    assert sample.shape == train.shape and sample.nnz == int(train.nnz * 0.7)
    kept = sp.csr_matrix(sample > 0, dtype=np.float32)
    assert (kept.multiply(train) != kept).nnz == 0  # only training edges
    np.testing.assert_allclose(sample.toarray(), normalized_interactions(kept).toarray(), rtol=1e-6)


def test_sampling_prefers_low_degree_edges_as_freedoms_multinomial_draw_does():
    train, draws = hub_graph(), 200
    sampler = EdgeSampler(train, 0.5, seed=1)
    kept = np.mean([sampler.sample().toarray()[:, 0] > 0 for _ in range(draws)])  # hub edges kept
    weights = torch.tensor(normalized_interactions(train).data)  # FREEDOM's call: multinomial over R_hat values
    hub, generator = torch.tensor(train.indices == 0), torch.Generator().manual_seed(0)
    reference = np.mean(
        [hub[torch.multinomial(weights, 40, generator=generator)].sum().item() / 40 for _ in range(draws)]
    )
    assert kept < 0.3  # a uniform draw keeps half of them
    assert kept == pytest.approx(reference, abs=0.03)


def test_a_uniform_draw_keeps_hub_edges_as_often_as_any_other():
    sampler = EdgeSampler(hub_graph(), 0.5, seed=3)
    kept = np.mean([sampler.sample(uniform=True).toarray()[:, 0] > 0 for _ in range(200)])
    assert kept == pytest.approx(0.5, abs=0.05)


def test_each_epoch_propagates_over_its_own_pruned_graph():
    dataset = tiny_dataset()
    ctx = context(dataset)
    module = ItemKNNEncoder(k=3, edge_dropout=0.4).build(ctx, 8).train()
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    replay = EdgeSampler(ctx.train, 0.4, ctx.seed)
    epochs = []
    for _ in range(2):
        module.new_epoch()
        within = module(users, items), module(users, items)
        pruned = LightGCNPropagation(SparseOperator(replay.sample(), ctx.device), 2)(users, items)
        for got in within:
            torch.testing.assert_close(got[0], pruned[0])
            torch.testing.assert_close(got[1] - pruned[1], module.item_graph @ items)
        epochs.append(within[0])
    assert not torch.allclose(epochs[0][0], epochs[1][0])


def test_the_trainer_draws_one_pruned_graph_per_epoch_not_per_batch():
    dataset = tiny_dataset()
    spec = TrialSpec(
        extractors={m: ComponentSpec("provided") for m in dataset.modalities},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("item_knn", {"k": 3, "edge_dropout": 0.5}),
        timing=ComponentSpec("early"),
        fusion=ComponentSpec("sum"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(batch_size=16),
        seed=0,
    )
    model, objective, _ = build_model(spec, dataset, Registry(), torch.device("cpu"), FeatureCache(None))
    encoder = model.timing.encoder
    draws = []
    sample = encoder.sampler.sample
    encoder.sampler.sample = lambda: draws.append(1) or sample()
    sampler = NegativeSampler(dataset.train, 1, seed=0)
    optimizer = make_optimizer([model, objective], spec.train)
    for _ in range(3):
        train_epoch(model, objective, sampler, optimizer, spec.train, torch.device("cpu"))
    assert dataset.train.nnz > 2 * spec.train.batch_size  # several batches per epoch
    assert len(draws) == 3


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
