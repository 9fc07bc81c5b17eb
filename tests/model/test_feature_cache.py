"""The on-disk feature cache shared by the workers of a study: concurrent writers, damaged files."""

import hashlib
import logging
import multiprocessing
import os
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from mmsearch.model import FeatureCache, extract_features
from mmsearch.model.features import cache_key
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec
from mmsearch.testing import tiny_dataset

EXTRACTORS = {"image": ComponentSpec("provided", {"standardize": True, "pca_dim": 0})}
N_ITEMS = 4000
WORKERS = 3


@cache
def dataset():
    return tiny_dataset(n_users=50, n_items=N_ITEMS, modality_dims={"image": 256})


@cache
def key():
    return cache_key(dataset(), "image", EXTRACTORS["image"], 0)


@cache
def expected():
    return extract_features(dataset(), EXTRACTORS, Registry(), FeatureCache(), 0)["image"]


def extract_at_once(start, folder: Path, results) -> None:
    """One worker: wait for the others, then extract through the shared cache folder and report what it got."""
    data = dataset()
    start.wait(timeout=120)
    features = extract_features(data, EXTRACTORS, Registry(), FeatureCache(folder), 0)["image"]
    results.put(digest(features))


def digest(features) -> str:
    return hashlib.sha256(features.values.tobytes() + features.present.tobytes()).hexdigest()


def assert_one_valid_file(folder: Path) -> None:
    assert [path.name for path in folder.iterdir()] == [f"{key()}.npz"]  # no partial file left behind
    with np.load(folder / f"{key()}.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == ["present", "values"]
        assert np.array_equal(stored["values"], expected().values) and stored["present"].all()


@pytest.mark.parametrize("before", ["empty folder", "garbage at the key"])
def test_processes_extracting_the_same_key_at_once_all_succeed(tmp_path, before):
    if before == "garbage at the key":
        (tmp_path / f"{key()}.npz").write_bytes(b"\x00not an archive" * 100)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(WORKERS), context.Queue()
    processes = [context.Process(target=extract_at_once, args=(start, tmp_path, results)) for _ in range(WORKERS)]
    for process in processes:
        process.start()
    got = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0] * WORKERS
    assert got == [digest(expected())] * WORKERS
    assert_one_valid_file(tmp_path)


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def wrong_keys(path: Path) -> None:
    np.savez(path, values=expected().values, mask=expected().present)


def wrong_dtype(path: Path) -> None:
    np.savez(path, values=expected().values.astype(np.float64), present=expected().present)


def wrong_shape(path: Path) -> None:
    np.savez(path, values=expected().values[:-1], present=expected().present[:-1])


def plain_array(path: Path) -> None:
    with open(path, "wb") as file:
        np.save(file, expected().values)


@pytest.mark.parametrize("damage", [truncated, garbage, wrong_keys, wrong_dtype, wrong_shape, plain_array])
def test_a_damaged_cache_file_is_removed_with_a_warning_and_rebuilt(tmp_path, caplog, damage):
    extract_features(dataset(), EXTRACTORS, Registry(), FeatureCache(tmp_path), 0)
    path = tmp_path / f"{key()}.npz"
    damage(path)
    with caplog.at_level(logging.WARNING, logger="mmsearch.model.features"):
        features = extract_features(dataset(), EXTRACTORS, Registry(), FeatureCache(tmp_path), 0)["image"]
    assert np.array_equal(features.values, expected().values) and features.present.all()
    (warning,) = caplog.messages
    assert f"feature cache file {path} is unreadable or malformed (" in warning and "\n" not in warning
    assert_one_valid_file(tmp_path)
    caplog.clear()
    assert FeatureCache(tmp_path).get(key(), N_ITEMS) is not None and caplog.messages == []
