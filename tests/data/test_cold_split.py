"""Item cold start: a share of the items held out with all their interactions, for any loaded dataset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mmsearch.cli.main import main
from mmsearch.data import synthetic_dataset
from mmsearch.data.cold_split import split_cold_items
from mmsearch.data.splits import TEST, TRAIN, VALID, cold_items_split
from mmsearch.errors import DataError
from mmsearch.eval import Evaluator
from mmsearch.eval.slices import dataset_slices


def test_labels_hold_out_whole_items_half_for_validation_half_for_test() -> None:
    rng = np.random.default_rng(0)
    items = rng.integers(0, 50, 2000)
    labels = cold_items_split(items, 50, 0.2, seed=1)
    label_of_item = {}
    for item, label in zip(items.tolist(), labels.tolist()):
        assert label_of_item.setdefault(item, label) == label  # every interaction of an item has one label
    held = {label: {i for i, lab in label_of_item.items() if lab == label} for label in (TRAIN, VALID, TEST)}
    assert len(held[VALID]) == len(held[TEST]) == 5
    assert np.array_equal(labels, cold_items_split(items, 50, 0.2, seed=1))
    assert not np.array_equal(labels, cold_items_split(items, 50, 0.2, seed=2))
    with pytest.raises(ValueError, match="fraction in"):
        cold_items_split(items, 50, 1.0, seed=1)


def test_resplit_dataset_has_only_cold_items_in_validation_and_test() -> None:
    dataset = synthetic_dataset(n_users=120, n_items=80, seed=0)
    cold = split_cold_items(dataset, 0.25, seed=0)
    assert cold.name == f"{dataset.name}-cold-items-0.25" and cold.fingerprint() != dataset.fingerprint()
    pooled = dataset.train + dataset.valid + dataset.test
    assert (cold.train + cold.valid + cold.test != pooled).nnz == 0
    seen = np.asarray(cold.train.getnnz(axis=0)) > 0
    for heldout in (cold.valid, cold.test):
        assert heldout.nnz > 0 and not seen[heldout.indices].any()
    assert not set(cold.valid.indices) & set(cold.test.indices)
    assert "items have no training interaction" in " ".join(cold.problems)
    # the cold-item slice of such a split is the whole split
    evaluator = Evaluator(cold.train, cold.test, slices=dataset_slices(cold))
    scores = np.random.default_rng(0).random((cold.n_users, cold.n_items)).astype(np.float32)
    result = evaluator.evaluate(lambda users: torch.from_numpy(scores[users.numpy()]))
    assert result.slices["cold_items"].interactions == result.interactions == cold.test.nnz
    assert result.slices["cold_items"].metrics == result.metrics


def test_bad_fractions_are_one_line_errors(tmp_path, capsys) -> None:
    with pytest.raises(DataError, match="fraction in"):
        split_cold_items(synthetic_dataset(n_users=20, n_items=50), 0.0, seed=0)
    assert main(["data", "synth", str(tmp_path / "synth"), "--users", "60", "--items", "50"]) == 0
    capsys.readouterr()
    for words in (["cold-items"], ["cold-items", "1.5"], ["cold-items", "x"], ["popular"], ["random", "0.2"]):
        assert main(["data", "inspect", str(tmp_path / "synth"), "--split", *words]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--split: expected random, time or cold-items F" in err
    assert main(["data", "inspect", str(tmp_path / "synth"), "--split", "cold-items", "0.2"]) == 0
    assert "synth-cold-items-0.2" in capsys.readouterr().out
