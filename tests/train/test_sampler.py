import numpy as np
import pytest
import torch

from mmsearch.testing import tiny_dataset
from mmsearch.train.sampler import NegativeSampler


def test_epoch_covers_every_positive_with_valid_negatives():
    dataset = tiny_dataset()
    sampler = NegativeSampler(dataset.train, negatives=2, seed=0)
    batches = sampler.epoch(batch_size=64, device=torch.device("cpu"))
    users, positives, negatives = (torch.cat(parts).numpy() for parts in zip(*batches))
    assert len(users) == 2 * dataset.train.nnz
    assert all(len(batch[0]) <= 64 for batch in batches)
    train = dataset.train.toarray() > 0
    assert train[users, positives].all()
    assert not train[users, negatives].any()
    pairs = sorted(zip(users.tolist(), positives.tolist()))
    expected = sorted(zip(*dataset.train.nonzero())) * 2
    assert pairs == sorted(expected)


def test_seeded_and_reshuffled_per_epoch():
    dataset = tiny_dataset()
    first = NegativeSampler(dataset.train, 1, seed=5).epoch(1000, torch.device("cpu"))
    again = NegativeSampler(dataset.train, 1, seed=5).epoch(1000, torch.device("cpu"))
    assert all(torch.equal(a, b) for a, b in zip(first[0], again[0]))
    sampler = NegativeSampler(dataset.train, 1, seed=5)
    one, two = sampler.epoch(1000, torch.device("cpu")), sampler.epoch(1000, torch.device("cpu"))
    assert not torch.equal(one[0][0], two[0][0])
    assert np.unique(one[0][2].numpy()).size > 10


def test_trained_pool_never_draws_an_item_without_training_interactions():
    dataset = tiny_dataset()
    train = dataset.train.tolil()
    cold = [3, 7, 11]
    train[:, cold] = 0
    train = train.tocsr()
    train.eliminate_zeros()
    cpu = torch.device("cpu")
    drawn = {
        pool: torch.cat([batch[2] for batch in NegativeSampler(train, 4, seed=0, pool=pool).epoch(512, cpu)])
        for pool in ("all", "trained")
    }
    assert np.isin(drawn["all"].numpy(), cold).any()
    assert not np.isin(drawn["trained"].numpy(), cold).any()
    trained_items = np.flatnonzero(train.getnnz(axis=0))
    assert set(np.unique(drawn["trained"].numpy())) == set(trained_items.tolist())


def test_unknown_pool_is_refused():
    dataset = tiny_dataset()
    with pytest.raises(ValueError, match="negative pool"):
        NegativeSampler(dataset.train, 1, seed=0, pool="popular")
