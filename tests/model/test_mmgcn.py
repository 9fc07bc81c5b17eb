import pytest
import torch
from mmsearch_builtin.encoders.mmgcn import MMGCNEncoder
from torch.nn import functional

from mmsearch.components import BuildContext
from mmsearch.testing import tiny_dataset


def context(dataset, dim=8):
    return BuildContext(dataset.n_users, dataset.n_items, dim, {}, dataset.train, torch.device("cpu"), 0)


def dense_reference(module, train, users, items, concat):
    """MMGCN's layers written out with a dense mean-aggregation matrix over the bipartite graph."""
    r = torch.tensor((train > 0).toarray(), dtype=torch.float32)
    n_users = len(users)
    adjacency = torch.zeros(n_users + len(items), n_users + len(items))
    adjacency[:n_users, n_users:] = r
    adjacency[n_users:, :n_users] = r.T
    degree = adjacency.sum(1, keepdim=True)
    mean = torch.where(degree > 0, adjacency / degree.clamp_min(1), torch.zeros_like(adjacency))
    x = functional.normalize(torch.cat([users, items]), dim=-1)
    for layer in module.layers:
        h = functional.leaky_relu(mean @ (x @ layer.aggregate.weight.T))
        x_hat = functional.leaky_relu(x @ layer.own.weight.T + layer.own.bias) + module.ids
        if concat:
            x = functional.leaky_relu(torch.cat([h, x_hat], -1) @ layer.combined.weight.T + layer.combined.bias)
        else:
            x = functional.leaky_relu(h @ layer.combined.weight.T + layer.combined.bias + x_hat)
    return x[:n_users], x[n_users:]


@pytest.mark.parametrize("combine", ["concat", "sum"])
def test_layers_aggregate_the_neighbour_mean_and_combine_with_the_id_embedding(combine):
    dataset = tiny_dataset()
    module = MMGCNEncoder(n_layers=3, combine=combine).build(context(dataset), 8)
    users, items = torch.randn(dataset.n_users, 8), torch.randn(dataset.n_items, 8)
    expected = dense_reference(module, dataset.train, users, items, combine == "concat")
    for got, want in zip(module(users, items), expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_trained_embeddings_get_gradients_and_fixed_ones_stay_out_of_the_parameters():
    dataset = tiny_dataset()
    users = torch.randn(dataset.n_users, 8, requires_grad=True)
    items = torch.randn(dataset.n_items, 8, requires_grad=True)
    trained = MMGCNEncoder(train_embeddings=True).build(context(dataset), 8)
    sum(part.sum() for part in trained(users, items)).backward()
    assert trained.ids.grad.abs().sum() > 0 and users.grad.abs().sum() > 0

    users.grad, items.grad = None, None
    fixed = MMGCNEncoder(train_embeddings=False).build(context(dataset), 8)
    assert "ids" not in dict(fixed.named_parameters()) and "ids" in dict(fixed.named_buffers())
    sum(part.sum() for part in fixed(users, items)).backward()
    assert users.grad is None
    assert items.grad.abs().sum() > 0


def test_an_unknown_combination_is_refused():
    with pytest.raises(ValueError, match="unknown combination 'max'"):
        MMGCNEncoder(combine="max")
