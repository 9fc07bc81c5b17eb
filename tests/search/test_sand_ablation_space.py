"""spaces/sand-ablation.yaml: its four points are the sand preset with alignment and distancing each on or off."""

from dataclasses import replace
from pathlib import Path

import optuna

from mmsearch.registry import Registry
from mmsearch.search.presets import load_presets
from mmsearch.search.space import load_space
from mmsearch.search.spec import ComponentSpec
from mmsearch.search.warm_start import preset_spec
from mmsearch.testing import tiny_dataset

SPACE = Path(__file__).resolve().parents[2] / "spaces" / "sand-ablation.yaml"


def test_the_four_points_are_sand_with_each_term_on_or_off():
    registry, dataset = Registry(), tiny_dataset()
    space = load_space(SPACE, registry).for_dataset(dataset, registry)
    sand = preset_spec(load_presets()["sand"], space, dataset, registry, seed=0)
    study = optuna.create_study(sampler=optuna.samplers.BruteForceSampler(seed=0))
    points = {}

    def draw(trial):
        spec = space.suggest(trial, seed=0)
        params = spec.auxiliaries["sand"].params
        points[(params["alpha"], params["beta"])] = spec
        return 0.0

    study.optimize(draw, n_trials=8)  # the sampler stops the study once the four points are drawn
    assert set(points) == {(0.0, 0.0), (0.0, 0.006), (0.012, 0.0), (0.012, 0.006)}
    for (alpha, beta), spec in points.items():
        terms = sand.auxiliaries["sand"].params | {"alpha": alpha, "beta": beta}
        expected = replace(sand, auxiliaries={"sand": ComponentSpec("sand", terms)})
        assert completed(spec, registry) == completed(expected, registry)


def completed(spec, registry):
    """Every component of ``spec`` with the hyper-parameters it leaves out set to their defaults."""

    def full(kind, component):
        return component.name, registry.get(kind, component.name).hyperparameters() | dict(component.params)

    axes = {axis: full(axis, getattr(spec, axis)) for axis in ("transform", "encoder", "timing", "fusion", "loss")}
    return (
        {m: full("extractor", c) for m, c in spec.extractors.items()},
        axes,
        {n: full("auxiliary", c) for n, c in spec.auxiliaries.items()},
        spec.train,
        spec.seed,
    )
