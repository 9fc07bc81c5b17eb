"""A study whose feature cache holds a damaged file: the trial extracts again and completes."""

import logging

import numpy as np
import torch
from optuna.trial import TrialState

from mmsearch.model.features import cache_key
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.search.spec import ComponentSpec
from mmsearch.study import RunOptions, run_study
from mmsearch.study.storage import study_dir
from mmsearch.testing import tiny_dataset

PROVIDED = {"standardize": True, "pca_dim": 0}
SPACE = {
    "axes": {
        "extractor": {"image": {"provided": PROVIDED}},
        "transform": {"linear": {}},
        "encoder": {"mf": {}},
        "timing": {"early": {}},
        "fusion": {"sum": {}},
        "loss": {"bpr": {}},
    },
    "train": {"embedding_dim": 8, "max_epochs": 2, "batch_size": 128},
}


def test_a_trial_whose_feature_cache_file_is_damaged_completes(tmp_path, caplog):
    registry, dataset = Registry(), tiny_dataset(modality_dims={"image": 8})
    key = cache_key(dataset, "image", ComponentSpec("provided", PROVIDED), seed=0)
    path = study_dir(tmp_path, "s") / "features" / f"{key}.npz"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04" + bytes(60))  # the start of an archive, cut short
    options = RunOptions(study_name="s", storage_url=None, run_dir=tmp_path, n_trials=1, show_progress=False)
    with caplog.at_level(logging.WARNING, logger="mmsearch.model.features"):
        study = run_study(dataset, parse_space(SPACE, registry), registry, torch.device("cpu"), options)
    assert [trial.state for trial in study.trials] == [TrialState.COMPLETE]
    assert [message.split(" is ")[0] for message in caplog.messages] == [f"feature cache file {path}"]
    with np.load(path, allow_pickle=False) as stored:
        assert stored["values"].shape == (dataset.n_items, 8) and stored["present"].all()
