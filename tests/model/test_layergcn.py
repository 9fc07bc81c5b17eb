import pytest
import torch
from mmsearch_builtin.encoders._edge_dropout import EdgeSampler
from mmsearch_builtin.encoders.layergcn import LayerGCNEncoder
from mmsearch_builtin.encoders.lightgcn import normalized_interactions

from mmsearch.components import BuildContext
from mmsearch.testing import tiny_dataset


def context(dataset, dim=8):
    return BuildContext(dataset.n_users, dataset.n_items, dim, {}, dataset.train, torch.device("cpu"), 0)


def dense_reference(interactions, users, items, n_layers):
    """LayerGCN's forward written out densely: refined layers 1..L summed, the ego layer left out."""
    r = torch.tensor(interactions.toarray())
    adjacency = torch.block_diag(torch.zeros(len(users), len(users)), torch.zeros(len(items), len(items)))
    adjacency[: len(users), len(users) :] = r
    adjacency[len(users) :, : len(users)] = r.T
    ego = torch.cat([users, items])
    layer, total = ego, torch.zeros_like(ego)
    for _ in range(n_layers):
        layer = adjacency @ layer
        weights = (layer * ego).sum(-1) / (layer.norm(dim=-1) * ego.norm(dim=-1)).clamp_min(1e-8)
        layer = weights[:, None] * layer
        total = total + layer
    return total[: len(users)], total[len(users) :]


def test_layers_are_refined_against_the_ego_layer_and_summed_without_it():
    dataset = tiny_dataset()
    module = LayerGCNEncoder(n_layers=3, edge_dropout=0.0).build(context(dataset), 8).eval()
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    expected = dense_reference(normalized_interactions(dataset.train), users, items, 3)
    for got, want in zip(module(users, items), expected):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_training_epochs_alternate_degree_sensitive_and_uniform_pruning_and_evaluation_uses_the_full_graph():
    dataset = tiny_dataset()
    ctx = context(dataset)
    module = LayerGCNEncoder(n_layers=2, edge_dropout=0.3).build(ctx, 8).train()
    users = torch.randn(dataset.n_users, 8, requires_grad=True)
    items = torch.randn(dataset.n_items, 8)
    replay = EdgeSampler(ctx.train, 0.3, ctx.seed)
    for uniform in (False, True, False):
        module.new_epoch()
        expected = dense_reference(replay.sample(uniform), users.detach(), items, 2)
        for got, want in zip(module(users, items), expected):
            torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
    module(users, items)[0].sum().backward()
    assert users.grad.abs().sum() > 0
    module.eval()
    full = dense_reference(normalized_interactions(dataset.train), users.detach(), items, 2)
    torch.testing.assert_close(module(users, items)[0], full[0], rtol=1e-4, atol=1e-5)


def test_degree_pruning_never_draws_uniformly():
    dataset = tiny_dataset()
    ctx = context(dataset)
    module = LayerGCNEncoder(n_layers=1, edge_dropout=0.3, pruning="degree").build(ctx, 8).train()
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    replay = EdgeSampler(ctx.train, 0.3, ctx.seed)
    for _ in range(2):
        module.new_epoch()
        torch.testing.assert_close(module(users, items)[1], dense_reference(replay.sample(), users, items, 1)[1])


@pytest.mark.parametrize(
    ("params", "message"), [({"edge_dropout": 1.0}, "edge_dropout"), ({"pruning": "x"}, "pruning")]
)
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        LayerGCNEncoder(**params).build(context(tiny_dataset()), 8)
