"""A named model as a point of a space: its spec on a dataset, and the Optuna parameters that draw exactly it.

A baseline trial enqueued with those parameters records them like a sampled trial, so the sampler learns from the
named models as well (a warm start), instead of seeing trials without parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mmsearch.registry import Registry

from .params import ChoiceParam, FixedParam, FloatParam, IntParam, Param
from .presets import Preset
from .space import OFF, USE, SearchSpace
from .spec import MODAL_AXES, ComponentSpec, TrialSpec

if TYPE_CHECKING:
    from mmsearch.data.dataset import Dataset


class _NotAPoint(Exception):
    """The spec leaves the space (a component it does not offer, or a value outside a range)."""


def preset_spec(preset: Preset, space: SearchSpace, dataset: Dataset, registry: Registry, seed: int) -> TrialSpec:
    """The spec of ``preset`` on ``dataset``: its extractor on every modality it reads, the space's fixed training
    settings (e.g. ``max_epochs``) under the preset's own."""
    readable = []
    if preset.extractor is not None:
        extractor = registry.get("extractor", preset.extractor.name)(**preset.extractor.params)
        readable = [m for m, content in sorted(dataset.modalities.items()) if extractor.supports(content)]
    return preset.to_spec(readable, space.train, seed)


def point_params(space: SearchSpace, spec: TrialSpec, registry: Registry) -> dict[str, Any] | None:
    """The namespaced parameters with which ``space.suggest`` draws ``spec`` (hyper-parameters that ``spec`` leaves
    out take their plugin defaults), or None when ``spec`` is not a point of ``space`` (call ``for_dataset`` first).
    An ID-only spec's modal axes are not drawn, so its transform, timing and fusion are not compared.
    """
    params: dict[str, Any] = {}
    try:
        if set(spec.extractors) - set(space.extractors):
            raise _NotAPoint
        for modality, options in space.extractors.items():
            chosen = spec.extractors.get(modality, ComponentSpec(OFF))
            _component(params, f"extractor.{modality}", options, chosen, registry, "extractor")
        for axis, options in space.axes.items():
            if not (spec.id_only and axis in MODAL_AXES):
                _component(params, axis, options, getattr(spec, axis), registry, axis)
        if spec.id_only and space.needs_modalities("encoder", spec.encoder.name):
            raise _NotAPoint
        for key, param in space.train.items():
            _value(params, f"train.{key}", param, getattr(spec.train, key))
        if set(spec.auxiliaries) - set(space.auxiliaries):
            raise _NotAPoint
        for name, options in space.auxiliaries.items():
            used = name in spec.auxiliaries
            if spec.id_only and space.needs_modalities("auxiliary", name):
                if used:
                    raise _NotAPoint
                continue
            _value(params, f"auxiliary.{name}", options[USE], used)
            if used:
                given = _with_defaults(registry, "auxiliary", spec.auxiliaries[name])
                for key, param in options.items():
                    if key != USE:
                        _value(params, f"auxiliary.{name}.{key}", param, given[key])
    except _NotAPoint:
        return None
    return params


def _component(
    params: dict[str, Any],
    prefix: str,
    options: Mapping[str, Mapping[str, Param]],
    chosen: ComponentSpec,
    registry: Registry,
    kind: str,
) -> None:
    if chosen.name not in options:
        raise _NotAPoint
    if len(options) > 1:
        params[prefix] = chosen.name
    given = {} if chosen.name == OFF else _with_defaults(registry, kind, chosen)
    for key, param in options[chosen.name].items():
        _value(params, f"{prefix}.{chosen.name}.{key}", param, given[key])


def _with_defaults(registry: Registry, kind: str, chosen: ComponentSpec) -> dict[str, Any]:
    return registry.get(kind, chosen.name).hyperparameters() | dict(chosen.params)


def _value(params: dict[str, Any], name: str, param: Param, value: Any) -> None:
    """Record ``value`` under ``name`` when ``param`` is searched; raise ``_NotAPoint`` when it lies outside."""
    if isinstance(param, FixedParam):
        if value != param.value:
            raise _NotAPoint
        return
    if isinstance(param, ChoiceParam):
        inside = value in param.values
    elif isinstance(param, IntParam):
        inside = isinstance(value, int) and param.low <= value <= param.high and (value - param.low) % param.step == 0
    elif isinstance(param, FloatParam):
        inside = isinstance(value, int | float) and param.low <= value <= param.high
    else:
        inside = False
    if not inside:
        raise _NotAPoint
    params[name] = value
