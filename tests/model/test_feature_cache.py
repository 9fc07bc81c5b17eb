"""The on-disk feature cache shared by the workers of a study."""

import threading

import numpy as np

from mmsearch.components import ExtractedFeatures
from mmsearch.model import FeatureCache


def test_workers_writing_the_same_features_at_once_all_succeed(tmp_path):
    features = ExtractedFeatures(values=np.ones((500, 64), dtype=np.float32), present=np.ones(500, dtype=bool))
    start, errors = threading.Barrier(8), []

    def write() -> None:
        start.wait()
        try:
            FeatureCache(tmp_path).put("same-key", features)
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [path.name for path in tmp_path.iterdir()] == ["same-key.npz"]  # no partial file left behind
    stored = FeatureCache(tmp_path).get("same-key")
    assert np.array_equal(stored.values, features.values) and stored.present.all()
