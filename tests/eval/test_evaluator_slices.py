"""Slice metrics: the same ranking, counted over a subset of held-out interactions; the slices of a dataset."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from test_evaluator import fixed_scores, random_split, reference

from mmsearch.data import Dataset, Modality
from mmsearch.eval import METRIC_NAMES, Evaluator
from mmsearch.eval.slices import Slice, dataset_slices, tail_items


@pytest.mark.parametrize("restrict", ["items", "users", "both"])
def test_slice_equals_the_brute_force_reference_on_the_restricted_split(restrict) -> None:
    train, heldout, scores = random_split(60, 40, seed=3)
    rng = np.random.default_rng(0)
    items = rng.random(40) < 0.3 if restrict != "users" else None
    users = rng.random(60) < 0.5 if restrict != "items" else None
    result = Evaluator(train, heldout, batch_size=7, slices=[Slice("s", items, users)]).evaluate(fixed_scores(scores))
    kept = heldout.toarray()
    if items is not None:
        kept[:, ~items] = 0
    if users is not None:
        kept[~users] = 0
    expected = reference(train, sp.csr_matrix(kept), scores)
    piece = result.slices["s"]
    np.testing.assert_array_equal(piece.users, expected["users"])
    assert piece.interactions == int(kept.sum()) < result.interactions == heldout.nnz
    for name in METRIC_NAMES:
        np.testing.assert_allclose(piece.per_user[name], expected[name], rtol=1e-6, err_msg=name)
    # the whole split is unchanged by asking for a slice
    whole = reference(train, heldout, scores)
    np.testing.assert_allclose(result.per_user["recall@20"], whole["recall@20"], rtol=1e-6)


def test_a_slice_without_interactions_is_empty_with_nan_metrics() -> None:
    train, heldout, scores = random_split(20, 30, seed=4)
    nothing = np.zeros(30, dtype=bool)
    piece = Evaluator(train, heldout, slices=[Slice("none", nothing)]).evaluate(fixed_scores(scores)).slices["none"]
    assert piece.users.size == 0 and piece.interactions == 0
    assert np.isnan(piece.metrics["recall@20"])


def test_tail_items_make_up_the_last_fifth_of_the_interactions() -> None:
    counts = np.array([50, 0, 20, 10, 5, 5, 5, 3, 2])  # 100 interactions; the first 80 lie in items 0, 2, 3
    np.testing.assert_array_equal(np.flatnonzero(tail_items(counts)), [4, 5, 6, 7, 8])
    np.testing.assert_array_equal(tail_items(np.zeros(3, dtype=int)), [False, False, False])


def test_dataset_slices() -> None:
    train = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]]))
    empty = sp.csr_matrix((5, 4))
    image = Modality("image", features=np.ones((4, 2), np.float32), present=np.array([True, False, True, True]))
    audio = Modality("audio", features=np.ones((4, 2), np.float32), present=np.ones(4, dtype=bool))
    dataset = Dataset("d", 5, 4, train, empty, empty, {"image": image, "audio": audio})
    slices = {piece.name: piece for piece in dataset_slices(dataset)}
    assert list(slices) == ["cold_items", "tail_items", "sparse_users", "missing_image"]
    np.testing.assert_array_equal(slices["cold_items"].items, [False, False, False, True])
    np.testing.assert_array_equal(slices["tail_items"].items, [False, False, True, False])
    # user counts 2, 1, 3, 0, 1: the 20% quantile is 0.8, so only the user without training interactions is sparse
    np.testing.assert_array_equal(slices["sparse_users"].users, [False, False, False, True, False])
    np.testing.assert_array_equal(slices["missing_image"].items, [False, True, False, False])
