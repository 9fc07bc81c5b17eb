"""Every trial records the distribution and version of every component it used, presets and auxiliaries included."""

from importlib.metadata import PackageNotFoundError, version

import pytest
import torch
from optuna.trial import TrialState

from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.search.spec import ComponentSpec, TrainConfig, TrialSpec
from mmsearch.study import RunOptions, run_study
from mmsearch.study.provenance import plugin_origins
from mmsearch.testing import tiny_dataset

BUILTIN = f"mmsearch {version('mmsearch')}"
EXAMPLE = "mmsearch-example-plugin"
SPACE = {
    "axes": {
        "extractor": {"image": {"provided": {"standardize": True, "pca_dim": 0}}},
        "transform": {"linear": {}},
        "encoder": {"mf": {}},
        "timing": {"early": {}},
        "fusion": {"sum": {}},
        "loss": {"bpr": {}},
        "auxiliary": {"infonce": {"use": True}},
    },
    "train": {"embedding_dim": 8, "max_epochs": 2, "batch_size": 128},
    "baselines": ["bpr_mf"],
}


def test_a_baseline_and_a_trial_with_an_auxiliary_loss_record_every_component(tmp_path):
    registry = Registry()
    options = RunOptions(study_name="s", storage_url=None, run_dir=tmp_path, n_trials=2, show_progress=False)
    dataset = tiny_dataset(modality_dims={"image": 8})
    study = run_study(dataset, parse_space(SPACE, registry), registry, torch.device("cpu"), options)
    assert [trial.state for trial in study.trials] == [TrialState.COMPLETE] * 2
    baseline, sampled = (trial.user_attrs["plugins"] for trial in study.trials)
    components = ["transform:linear", "encoder:mf", "timing:early", "fusion:sum", "loss:bpr"]
    assert baseline == dict.fromkeys(["preset:bpr_mf", *components], BUILTIN)
    assert sampled == dict.fromkeys(["extractor:provided", *components, "auxiliary:infonce"], BUILTIN)


def test_a_third_party_component_records_its_own_distribution():
    try:
        installed = version(EXAMPLE)
    except PackageNotFoundError:
        pytest.skip(f"{EXAMPLE} is not installed (pip install ./examples/{EXAMPLE})")
    spec = TrialSpec(
        extractors={"image": ComponentSpec("provided")},
        transform=ComponentSpec("linear"),
        encoder=ComponentSpec("lightgcn"),
        timing=ComponentSpec("late"),
        fusion=ComponentSpec("max"),
        loss=ComponentSpec("bpr"),
        train=TrainConfig(),
        seed=0,
        auxiliaries={"sand": ComponentSpec("sand")},
    )
    origins = plugin_origins(spec, Registry(), preset="sand")
    assert origins.pop("fusion:max") == f"{EXAMPLE} {installed}"
    assert origins == dict.fromkeys(
        [
            "extractor:provided",
            "transform:linear",
            "encoder:lightgcn",
            "timing:late",
            "loss:bpr",
            "auxiliary:sand",
            "preset:sand",
        ],
        BUILTIN,
    )
