"""A named model as a point of a space: the parameters that draw it, and baseline trials that teach the sampler."""

from pathlib import Path

import optuna
import pytest
import torch
from optuna.trial import FixedTrial

from mmsearch.registry import Registry
from mmsearch.search.presets import load_presets
from mmsearch.search.space import load_space, parse_space
from mmsearch.search.spec import MODAL_AXES
from mmsearch.search.warm_start import point_params, preset_spec
from mmsearch.study import RunOptions, run_study
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()
SPACES = Path(__file__).resolve().parents[2] / "spaces"
PRESETS = load_presets()
DATASET = tiny_dataset(modality_dims={"image": 6, "audio": 5})


def completed(spec):
    """``spec`` with every component's omitted hyper-parameters set to their defaults (active axes only)."""
    kinds = {"transform": "transform", "encoder": "encoder", "timing": "timing", "fusion": "fusion", "loss": "loss"}

    def full(kind, component):
        return REGISTRY.get(kind, component.name).hyperparameters() | dict(component.params)

    return (
        {m: (c.name, full("extractor", c)) for m, c in spec.extractors.items()},
        {
            axis: (getattr(spec, axis).name, full(kind, getattr(spec, axis)))
            for axis, kind in kinds.items()
            if not (spec.id_only and axis in MODAL_AXES)  # inactive: nothing to compare
        },
        {n: full("auxiliary", c) for n, c in spec.auxiliaries.items()},
        spec.train,
    )


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_a_point_of_the_full_space_and_its_parameters_draw_it(name):
    space = load_space(SPACES / "full.yaml", REGISTRY).for_dataset(DATASET, REGISTRY)
    spec = preset_spec(PRESETS[name], space, DATASET, REGISTRY, seed=0)
    params = point_params(space, spec, REGISTRY)
    assert params is not None and params["encoder"] == spec.encoder.name
    drawn = space.suggest(FixedTrial(params), seed=0)
    assert completed(drawn) == completed(spec)


def test_a_preset_outside_the_space_has_no_parameters():
    space = parse_space(tiny_space(), REGISTRY).for_dataset(DATASET, REGISTRY)
    mgcn = preset_spec(PRESETS["mgcn"], space, DATASET, REGISTRY, 0)
    assert point_params(space, mgcn, REGISTRY) is None  # two_stream
    # LightGCN trains at lr 1e-3, outside the searched range 0.01-0.05
    assert point_params(space, preset_spec(PRESETS["lightgcn"], space, DATASET, REGISTRY, 0), REGISTRY) is None
    space = parse_space(tiny_space(lr=1.0e-3), REGISTRY).for_dataset(DATASET, REGISTRY)
    assert point_params(space, preset_spec(PRESETS["lightgcn"], space, DATASET, REGISTRY, 0), REGISTRY) is not None


def test_a_baseline_inside_the_space_records_its_parameters_and_one_outside_runs_as_before(tmp_path):
    raw = tiny_space(max_epochs=2, lr={"float": {"low": 1.0e-4, "high": 0.05, "log": True}})
    raw["baselines"] = ["lightgcn", "mgcn"]
    space = parse_space(raw, REGISTRY)
    options = RunOptions(study_name="warm", storage_url=None, run_dir=tmp_path, n_trials=3, show_progress=False)
    study = run_study(DATASET, space, REGISTRY, torch.device("cpu"), options)
    by_preset = {trial.user_attrs.get("preset"): trial for trial in study.trials}
    inside, outside = by_preset["lightgcn"], by_preset["mgcn"]
    assert inside.state == outside.state == optuna.trial.TrialState.COMPLETE
    assert inside.user_attrs["preset_in_space"] and inside.params["encoder"] == "lightgcn"
    assert inside.user_attrs["spec"]["encoder"]["name"] == "lightgcn"
    assert not outside.user_attrs["preset_in_space"] and outside.params == {}
    assert outside.user_attrs["spec"]["timing"]["name"] == "two_stream"
