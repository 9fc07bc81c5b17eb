from pathlib import Path

import pytest
import torch
import yaml

from mmsearch.components import BuildContext
from mmsearch.model import FeatureCache, build_recommender, extract_features
from mmsearch.registry import Registry
from mmsearch.search.params import FixedParam
from mmsearch.search.presets import describe_presets, load_presets
from mmsearch.testing import tiny_dataset
from mmsearch.train.trainer import train_and_evaluate

REGISTRY = Registry()
SPACES = Path(__file__).resolve().parents[2] / "spaces"
PRESETS = load_presets()
TRAIN = {"embedding_dim": FixedParam(8), "max_epochs": FixedParam(2), "batch_size": FixedParam(128)}


def test_every_named_model_of_the_design_is_shipped():
    assert {"bpr_mf", "lightgcn", "vbpr", "freedom", "mgcn", "sand_vbpr", "sand_freedom", "sand_mgcn"} <= set(PRESETS)
    assert all(len(preset.description) > 40 for preset in PRESETS.values())


def test_the_presets_space_runs_every_built_in_preset_once():
    built_in = {info.name for info in describe_presets() if info.distribution == "mmsearch"}
    baselines = yaml.safe_load((SPACES / "presets.yaml").read_text())["baselines"]
    assert len(baselines) == len(set(baselines)) and set(baselines) == built_in


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_builds_and_trains(name):
    dataset = tiny_dataset()
    spec = PRESETS[name].to_spec(sorted(dataset.modalities), TRAIN, seed=0)
    features = extract_features(dataset, dict(spec.extractors), REGISTRY, FeatureCache(), 0)
    dims = {m: f.values.shape[1] for m, f in features.items()}
    ctx = BuildContext(
        dataset.n_users,
        dataset.n_items,
        8,
        dims,
        dataset.train,
        torch.device("cpu"),
        0,
        {m: f.values for m, f in features.items()},
    )
    model, objective = build_recommender(spec, ctx, features, REGISTRY)
    result = train_and_evaluate(model, objective, dataset, spec.train, torch.device("cpu"), 0)
    assert result.epochs_run == 2 and 0.0 <= result.test.metrics["recall@20"] <= 1.0
    assert (PRESETS[name].extractor is None) == (spec.extractors == {})
