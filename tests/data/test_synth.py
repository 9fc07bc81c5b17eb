"""The synthetic dataset: deterministic, MMRec-loadable, and with structure that only the features reveal."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from mmsearch.cli.main import main
from mmsearch.data import Dataset, load_dataset, synthetic_dataset, synthetic_factors, write_synthetic
from mmsearch.errors import DataError

SMALL = {"n_users": 60, "n_items": 70}


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_write_is_deterministic_given_the_seed(tmp_path: Path) -> None:
    first = _files(write_synthetic(tmp_path / "a", **SMALL, seed=7))
    assert list(first) == ["image_feat.npy", "synth.inter", "text_feat.npy"]
    assert first == _files(write_synthetic(tmp_path / "b", **SMALL, seed=7))
    assert first != _files(write_synthetic(tmp_path / "c", **SMALL, seed=8))


def test_written_folder_loads_as_the_in_memory_dataset(tmp_path: Path) -> None:
    loaded = load_dataset(write_synthetic(tmp_path / "synth", **SMALL, seed=3))
    assert loaded.fingerprint() == synthetic_dataset(**SMALL, seed=3).fingerprint()


def test_default_sizes_and_split() -> None:
    dataset = synthetic_dataset()
    assert (dataset.n_users, dataset.n_items) == (1000, 800)
    per_user = np.diff((dataset.train + dataset.valid + dataset.test).indptr)
    assert per_user.min() >= 15 and per_user.max() <= 25
    assert dataset.valid.nnz == dataset.test.nnz == 2000  # round(0.1 n) = 2 for every n in 15..25
    assert dataset.modalities["image"].features.shape == (800, 64)
    assert dataset.modalities["text"].features.shape == (800, 48)
    assert dataset.modalities["text"].features.dtype == np.float32


def _recall_at_20(scores: np.ndarray, train: sp.csr_matrix, held_out: sp.csr_matrix) -> float:
    scores = np.where(train.toarray() > 0, -np.inf, scores)
    top = np.argpartition(-scores, 20, axis=1)[:, :20]
    hits = np.take_along_axis(held_out.toarray(), top, axis=1).sum(axis=1)
    counts = np.asarray(held_out.sum(axis=1)).ravel()
    return float((hits[counts > 0] / counts[counts > 0]).mean())


def test_features_reveal_what_sparse_interactions_do_not() -> None:
    dataset = synthetic_dataset()
    train = dataset.train.astype(np.float64)
    item_counts = np.asarray(train.sum(axis=0)).ravel()
    assert (item_counts <= 3).mean() > 0.1

    gram = (train.T @ train).toarray() + 50.0 * np.eye(dataset.n_items)
    inverse = np.linalg.inv(gram)
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    id_only = train @ weights  # EASE: a strong ID-only model

    features = np.hstack([dataset.modalities[name].features for name in ("image", "text")]).astype(np.float64)
    features -= features.mean(axis=0)
    ridge = np.linalg.solve(features.T @ features + 10.0 * np.eye(features.shape[1]), features.T)
    content = (train @ features) @ ridge  # a linear content model over both modalities

    hybrid = id_only / id_only.std() + content / content.std()
    gain = _recall_at_20(hybrid, dataset.train, dataset.valid) - _recall_at_20(id_only, dataset.train, dataset.valid)
    assert gain > 0.05


def test_too_few_items() -> None:
    with pytest.raises(DataError, match="synthetic data needs at least 1 user and 50 items"):
        synthetic_dataset(n_users=10, n_items=20)


def test_cli_synth_then_inspect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "toy"
    assert main(["data", "synth", str(out), "--users", "60", "--items", "70", "--seed", "1"]) == 0
    assert main(["data", "inspect", str(out)]) == 0
    report = capsys.readouterr().out
    assert f"to {out}" in report
    assert "users        60" in report and "image  features 70 x 64 float32, 0 missing" in report


def _interactions_digest(dataset: Dataset) -> str:
    digest = hashlib.sha256()
    for matrix in (dataset.train, dataset.valid, dataset.test):
        digest.update(matrix.indptr.astype(np.int64).tobytes())
        digest.update(matrix.indices.astype(np.int64).tobytes())
    return digest.hexdigest()[:16]


def test_default_output_is_pinned() -> None:
    """Cached results depend on the default data of seed 0: its interactions and features must not change."""
    dataset = synthetic_dataset()
    assert _interactions_digest(dataset) == "e73e84d66d62b855"
    np.testing.assert_allclose(dataset.modalities["image"].features[0, :3], [-0.813798, -0.227675, 0.122979], atol=1e-5)
    np.testing.assert_allclose(dataset.modalities["text"].features[0, :3], [0.807455, -0.685517, 0.930058], atol=1e-5)


def test_full_signal_is_the_default() -> None:
    default = synthetic_dataset(**SMALL, seed=3)
    full = synthetic_dataset(**SMALL, seed=3, signal={"image": 1.0, "text": 1})
    assert full.fingerprint() == default.fingerprint()
    for name, modality in default.modalities.items():
        assert np.array_equal(full.modalities[name].features, modality.features)


def _explained_variance(target: np.ndarray, regressors: np.ndarray) -> float:
    """R^2 of the least-squares fit of ``target`` (all columns) on ``regressors`` plus an intercept."""
    target = target.astype(np.float64) - target.mean(axis=0)
    regressors = regressors.astype(np.float64) - regressors.mean(axis=0)
    coefficients, *_ = np.linalg.lstsq(regressors, target, rcond=None)
    return 1.0 - float(((target - regressors @ coefficients) ** 2).sum() / (target**2).sum())


def test_zero_signal_makes_a_modality_pure_noise() -> None:
    default = synthetic_dataset()
    silent = synthetic_dataset(signal={"text": 0.0})
    image, text = default.modalities["image"].features, default.modalities["text"].features
    noise = silent.modalities["text"].features
    # by default the modalities share the 12-d shared latent part; without signal, text is independent of it, so the
    # image features explain only chance variance (64 regressors / 800 items = 0.08)
    assert _explained_variance(text, image) > 0.5
    assert _explained_variance(noise, image) < 0.12
    assert abs(noise.std() / text.std() - 1.0) < 0.05  # the feature scale is unchanged
    assert np.array_equal(silent.modalities["image"].features, image)
    assert _interactions_digest(silent) == _interactions_digest(default)


@pytest.mark.parametrize(
    ("signal", "message"),
    [
        ({"audio": 0.5}, "signal: unknown modality 'audio' \\(expected one of image, text\\)"),
        ({"text": 1.5}, "signal: strength of 'text' must be a number in \\[0, 1\\] \\(got 1.5\\)"),
        ({"image": -0.1}, "strength of 'image' must be a number in \\[0, 1\\]"),
        ({"text": float("nan")}, "strength of 'text' must be a number in \\[0, 1\\] \\(got nan\\)"),
        ({"text": "0.5"}, "strength of 'text' must be a number in \\[0, 1\\]"),
    ],
)
def test_bad_signal(signal: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        synthetic_dataset(**SMALL, signal=signal)  # type: ignore[arg-type]


def test_cli_signal_changes_only_the_silenced_modality(tmp_path: Path) -> None:
    sizes = ["--users", "60", "--items", "70"]
    assert main(["data", "synth", str(tmp_path / "default"), *sizes]) == 0
    assert main(["data", "synth", str(tmp_path / "silent"), *sizes, "--signal", "image=1.0, text=0"]) == 0
    default, silent = _files(tmp_path / "default"), _files(tmp_path / "silent")
    assert silent["synth.inter"] == default["synth.inter"]
    assert silent["image_feat.npy"] == default["image_feat.npy"]
    assert silent["text_feat.npy"] != default["text_feat.npy"]
    assert silent == _files(write_synthetic(tmp_path / "library", **SMALL, signal={"text": 0.0}))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("text", "--signal: expected MODALITY=STRENGTH[,...], got 'text'"),
        ("text=low", "--signal: expected MODALITY=STRENGTH[,...], got 'text=low'"),
        ("=0.5", "--signal: expected MODALITY=STRENGTH[,...], got '=0.5'"),
        ("image=1,", "--signal: expected MODALITY=STRENGTH[,...], got ''"),
        ("audio=0", "signal: unknown modality 'audio'"),
        ("text=2", "signal: strength of 'text' must be a number in [0, 1] (got 2.0)"),
    ],
)
def test_cli_bad_signal(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str) -> None:
    assert main(["data", "synth", str(tmp_path / "out"), "--users", "60", "--items", "70", "--signal", value]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not (tmp_path / "out").exists()


def _explained(inputs: np.ndarray, target: np.ndarray) -> float:
    """R^2 of the least-squares fit of ``target`` [n, k] from ``inputs`` [n, j] and a constant."""
    design = np.hstack([inputs, np.ones((len(inputs), 1))])
    fit = design @ np.linalg.lstsq(design, target, rcond=None)[0]
    return 1.0 - ((target - fit) ** 2).sum() / ((target - target.mean(0)) ** 2).sum()


def test_each_modality_sees_the_shared_factor_and_only_its_own_unique_one() -> None:
    factors = synthetic_factors(n_users=60, n_items=2000, seed=3)
    assert {name: f.shape for name, f in factors.items()} == {
        "shared": (2000, 12),
        "image": (2000, 6),
        "text": (2000, 6),
    }
    dataset = synthetic_dataset(n_users=60, n_items=2000, seed=3)
    for modality, other in (("image", "text"), ("text", "image")):
        features = dataset.modalities[modality].features
        seen = np.hstack([factors["shared"], factors[modality]])
        assert _explained(seen, features) > 0.85  # the map of [shared ; unique] plus N(0, 0.3^2) noise
        assert _explained(features, factors["shared"]) > 0.9 and _explained(features, factors[modality]) > 0.9
        # the other modality's unique factor is not there: chance level for 64 inputs and 2,000 rows
        assert _explained(features, factors[other]) < 0.06
