"""``Dataset.fingerprint`` follows the content (image bytes, text, features, interactions), not where files lie."""

import dataclasses
import shutil

import numpy as np
import pytest

from mmsearch.data.dataset import Modality
from mmsearch.model import FeatureCache, extract_features
from mmsearch.registry import Registry
from mmsearch.search.spec import ComponentSpec
from mmsearch.testing import tiny_dataset

Image = pytest.importorskip("PIL.Image")
HISTOGRAM = {"image": ComponentSpec("color_histogram", {"bins": 4, "color_space": "rgb"})}
N_ITEMS = 40


def with_images(folder):
    """The tiny dataset with an ``image`` modality of the PNG files in ``folder``, one per item (read from disk)."""
    paths = tuple(str(folder / f"{item}.png") for item in range(N_ITEMS))
    image = Modality("image", raw=paths, present=np.ones(N_ITEMS, dtype=bool))
    return dataclasses.replace(tiny_dataset(n_items=N_ITEMS), modalities={"image": image})


def write_images(folder):
    folder.mkdir()
    for item in range(N_ITEMS):
        Image.new("RGB", (8, 8), (6 * item, 255 - 6 * item, 128)).save(folder / f"{item}.png")
    return folder


def test_replacing_an_image_under_the_same_path_changes_the_key_and_the_features(tmp_path):
    images, cache = write_images(tmp_path / "images"), FeatureCache(tmp_path / "cache")
    before = with_images(images)
    first = extract_features(before, HISTOGRAM, Registry(), cache, 0)["image"]
    Image.new("RGB", (8, 8), (255, 0, 0)).save(images / "3.png")
    after = with_images(images)
    assert after.fingerprint() != before.fingerprint()
    again = extract_features(after, HISTOGRAM, Registry(), FeatureCache(tmp_path / "cache"), 0)["image"]
    assert not np.array_equal(again.values[3], first.values[3])
    assert np.array_equal(
        again.values, extract_features(after, HISTOGRAM, Registry(), FeatureCache(), 0)["image"].values
    )
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_the_same_images_under_other_paths_give_the_same_key(tmp_path):
    images = write_images(tmp_path / "images")
    moved = shutil.copytree(images, tmp_path / "elsewhere")
    cache = FeatureCache(tmp_path / "cache")
    extract_features(with_images(images), HISTOGRAM, Registry(), cache, 0)
    assert with_images(moved).fingerprint() == with_images(images).fingerprint()
    extract_features(with_images(moved), HISTOGRAM, Registry(), FeatureCache(tmp_path / "cache"), 0)
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_files_are_read_once_per_dataset_object(tmp_path):
    images = write_images(tmp_path / "images")
    dataset = with_images(images)
    fingerprint = dataset.fingerprint()
    (images / "0.png").write_bytes(b"changed")
    assert dataset.fingerprint() == fingerprint
    assert with_images(images).fingerprint() != fingerprint


def test_a_file_gone_since_changes_it_and_its_return_restores_it(tmp_path):
    images = write_images(tmp_path / "images")
    present = with_images(images).fingerprint()
    content = (images / "5.png").read_bytes()
    (images / "5.png").unlink()
    assert with_images(images).fingerprint() != present
    (images / "5.png").write_bytes(content)
    assert with_images(images).fingerprint() == present


def test_text_features_and_interactions_each_change_it():
    base = tiny_dataset()
    text = Modality("text", raw=tuple(f"plot {item}" for item in range(base.n_items)), present=np.ones(40, bool))
    edited = Modality("text", raw=("another plot", *text.raw[1:]), present=text.present)
    features = base.modalities["image"].features.copy()
    features[0, 0] += 1.0
    train = base.train.tolil()
    train[0, np.flatnonzero(base.train[0].toarray() == 0)[0]] = 1.0
    variants = [
        base,
        dataclasses.replace(base, modalities={**base.modalities, "text": text}),
        dataclasses.replace(base, modalities={**base.modalities, "text": edited}),
        dataclasses.replace(
            base, modalities={**base.modalities, "image": Modality("image", features, np.ones(40, bool))}
        ),
        dataclasses.replace(base, train=train.tocsr()),
    ]
    assert len({variant.fingerprint() for variant in variants}) == len(variants)


def test_data_without_files_keeps_the_fingerprint_studies_were_created_with():
    # Studies store this fingerprint and refuse other data on resume: the hash of features, text and interactions
    # must not change between versions.
    assert tiny_dataset().fingerprint() == "eb91f33efcb5f9c2"
