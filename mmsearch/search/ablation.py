"""One axis of a controlled ablation: its choices in a space, which specs it applies to, and the variant of a spec
that changes that axis alone.

An axis is named as the space names its Optuna parameters:

- a component axis: ``transform``, ``encoder``, ``timing``, ``fusion``, ``loss``, or ``extractor.<modality>``
  (choices: the options the space lists, ``off`` included);
- an auxiliary loss on/off: ``auxiliary.<name>`` (choices ``off`` and ``on``);
- a plugin parameter: ``<axis>.<plugin>.<param>``, ``extractor.<modality>.<plugin>.<param>`` or
  ``auxiliary.<name>.<param>`` (choices: the values of a choice, every value of an integer range of at most
  ``MAX_INT_VALUES``, else the low end, the middle and the high end of the range, on a log scale for a log range);
- a training setting: ``train.<field>`` (choices as for a parameter).

A variant replaces only that axis. On a component or auxiliary axis, the chosen plugin takes its parameters' defaults
(the value a space fixes, else the plugin's default, moved into the space's range), for every choice alike, the
anchor's own choice included: no choice carries parameters tuned by the search while the others run with defaults.
On a parameter axis the plugin keeps the anchor's other parameters. Everything else, the seed excepted, stays the
anchor's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mmsearch.errors import SpaceError

from .params import ChoiceParam, FixedParam, FloatParam, IntParam, Param, Scalar
from .space import OFF, USE, InactiveDraw, Options, SearchSpace
from .spec import AXES, MODAL_AXES, TRAIN_FIELDS, ComponentSpec, TrainConfig, TrialSpec

if TYPE_CHECKING:
    from mmsearch.registry import Registry

MAX_INT_VALUES = 6
ON = "on"


@dataclass(frozen=True)
class AblationAxis:
    """A parsed ablation axis.

    Attributes:
        name: the axis as given, e.g. ``fusion`` or ``encoder.lightgcn.n_layers``.
        kind: ``component``, ``auxiliary``, ``param`` or ``train``.
        slot: where the spec holds it: an axis in ``AXES``, ``extractor.<modality>`` or ``auxiliary.<name>``
            (empty for ``train``).
        plugin: the plugin whose parameter varies (``param`` only).
        key: the parameter or training field (``param`` and ``train``).
        choices: the values compared, as labels (strings).
        values: the value behind each label (plugin names, True/False for on/off, parameter values).
    """

    name: str
    kind: str
    slot: str
    plugin: str
    key: str
    choices: tuple[str, ...]
    values: tuple[Any, ...]

    def applies(self, spec: TrialSpec, space: SearchSpace) -> bool:
        """Whether the axis acts in ``spec`` and every variant of it is a trainable model.

        A modal axis (transform, timing, fusion, or a loss that needs modal views) does nothing in an ID-only spec; a
        parameter acts only where its plugin is used; a variant that leaves a modal encoder without any modality is
        not trainable, nor is one whose losses cannot act with its timing and fusion (``SearchSpace.compatible``:
        e.g. MGCN's ``side_infonce`` under a timing without a behaviour stream).
        """
        if self.kind == "train":
            return True
        if self.kind == "param":
            return _component_at(spec, self.slot) is not None and _component_at(spec, self.slot).name == self.plugin
        if self.slot in ("timing", "fusion", "loss") or self.kind == "auxiliary":
            if not all(space.compatible(self._sketch(spec, space, value)) for value in self.values):
                return False
        if self.slot in MODAL_AXES or (self.kind == "auxiliary" and space.needs_modalities("auxiliary", self.plugin)):
            return not spec.id_only
        if self.slot.startswith("extractor."):
            modality = self.slot.split(".", 1)[1]
            if set(spec.extractors) - {modality}:
                return True
            modal = [space.needs_modalities("auxiliary", name) for name in spec.auxiliaries]
            return not (space.needs_modalities("encoder", spec.encoder.name) or any(modal))
        if self.slot == "encoder" and spec.id_only:
            return not any(space.needs_modalities("encoder", value) for value in self.values)
        return True

    def choice_of(self, spec: TrialSpec) -> str | None:
        """The label of the choice ``spec`` makes on this axis (None when its value is not one of the choices)."""
        value = self._value_in(spec)
        return next((label for label, v in zip(self.choices, self.values) if v == value), None)

    def variant(self, spec: TrialSpec, choice: str, space: SearchSpace, registry: Registry, seed: int) -> TrialSpec:
        """``spec`` with this axis set to ``choice`` and the given seed (see the module docstring).

        Raises:
            SpaceError: ``choice`` is not one of ``choices``.
            InactiveDraw: the axis does not apply to ``spec`` (``applies``).
        """
        if choice not in self.choices:
            raise SpaceError(f"axis '{self.name}' has no choice '{choice}'; choices: {', '.join(self.choices)}")
        if not self.applies(spec, space):
            raise InactiveDraw(f"axis '{self.name}' does not act in {spec.label()}")
        value = self.values[self.choices.index(choice)]
        if self.kind == "train":
            changed = replace(spec, train=TrainConfig(**{**_train_dict(spec.train), self.key: value}))
        elif self.kind == "param":
            current = _component_at(spec, self.slot)
            changed = _with_component(spec, self.slot, replace(current, params={**current.params, self.key: value}))
        elif self.kind == "auxiliary":
            auxiliaries = {k: v for k, v in spec.auxiliaries.items() if k != self.plugin}
            if value:
                auxiliaries[self.plugin] = _defaults(space, self.slot, self.plugin, registry)
            changed = replace(spec, auxiliaries=dict(sorted(auxiliaries.items())))
        else:
            component = ComponentSpec(OFF) if value == OFF else _defaults(space, self.slot, value, registry)
            changed = _with_component(spec, self.slot, component)
        return replace(changed, seed=seed)

    def _sketch(self, spec: TrialSpec, space: SearchSpace, value: Any) -> TrialSpec:
        """``spec`` with this component or auxiliary axis at ``value``, the component's parameters those the space
        fixes (enough to judge compatibility; ``variant`` builds the trained spec)."""
        if self.kind == "auxiliary":
            auxiliaries = {k: v for k, v in spec.auxiliaries.items() if k != self.plugin}
            return replace(spec, auxiliaries=auxiliaries | ({self.plugin: ComponentSpec(self.plugin)} if value else {}))
        _, options = _slot_options(space, self.slot)
        fixed = {key: p.value for key, p in options[value].items() if isinstance(p, FixedParam)}
        return _with_component(spec, self.slot, ComponentSpec(value, fixed))

    def _value_in(self, spec: TrialSpec) -> Any:
        if self.kind == "train":
            return getattr(spec.train, self.key)
        if self.kind == "auxiliary":
            return self.plugin in spec.auxiliaries
        component = _component_at(spec, self.slot)
        if self.kind == "param":
            return None if component is None else component.params.get(self.key)
        return OFF if component is None else component.name


def parse_axis(name: str, space: SearchSpace, values: tuple[str, ...] = ()) -> AblationAxis:
    """The ablation axis ``name`` of ``space`` (resolved for the dataset), with ``values`` replacing the choices
    of a parameter or training setting when given (parsed as the parameter's type).

    Raises:
        SpaceError: an unknown axis, plugin or parameter (the message lists the known ones), fewer than two
            choices, ``values`` for a component axis, or a value of the wrong type.
    """
    parts = name.split(".")
    head = parts[0]
    if head in AXES and len(parts) == 1:
        return _component_axis(name, head, space.axes[head], values)
    if head == "extractor" and len(parts) == 2:
        return _component_axis(name, name, _options(space.extractors, parts[1], "modality", name), values)
    if head == "auxiliary" and len(parts) == 2:
        _options(space.auxiliaries, parts[1], "auxiliary loss", name)
        if values:
            raise SpaceError(f"axis '{name}' compares off and on; --values applies to parameters only")
        return AblationAxis(name, "auxiliary", name, parts[1], "", (OFF, ON), (False, True))
    if head == "train" and len(parts) == 2:
        param = _options({"train": dict(space.train)}, "train", "setting", name).get(parts[1])
        if param is None:
            raise SpaceError(f"unknown training setting '{parts[1]}'; settings: {', '.join(sorted(TRAIN_FIELDS))}")
        labels, parsed = _param_choices(name, param, values)
        return AblationAxis(name, "train", "", "", parts[1], labels, parsed)
    if head in AXES and len(parts) == 3:
        slot, plugin, key = head, parts[1], parts[2]
        params = _options(space.axes[head], plugin, f"{head} plugin", name)
    elif head == "extractor" and len(parts) == 4:
        slot, plugin, key = f"extractor.{parts[1]}", parts[2], parts[3]
        params = _options(_options(space.extractors, parts[1], "modality", name), plugin, "extractor", name)
    elif head == "auxiliary" and len(parts) == 3:
        slot, plugin, key = f"auxiliary.{parts[1]}", parts[1], parts[2]
        params = {k: p for k, p in _options(space.auxiliaries, plugin, "auxiliary loss", name).items() if k != USE}
    else:
        raise SpaceError(
            f"unknown ablation axis '{name}'; use {', '.join(AXES)}, extractor.<modality>, auxiliary.<name>, "
            "<axis>.<plugin>.<param>, auxiliary.<name>.<param> or train.<setting>"
        )
    if key not in params:
        raise SpaceError(
            f"'{plugin}' has no parameter '{key}' in this space; parameters: {', '.join(params) or 'none'}"
        )
    labels, parsed = _param_choices(name, params[key], values)
    return AblationAxis(name, "param", slot, plugin, key, labels, parsed)


def _component_axis(name: str, slot: str, options: Options, values: tuple[str, ...]) -> AblationAxis:
    if values:
        raise SpaceError(f"axis '{name}' compares the space's options; --values applies to parameters only")
    choices = tuple(options)
    if len(choices) < 2:
        raise SpaceError(f"axis '{name}' has one option in this space ({choices[0]}); an ablation needs two")
    return AblationAxis(name, "component", slot, "", "", choices, choices)


def _options(mapping: Any, key: str, what: str, name: str) -> Any:
    if key not in mapping:
        known = ", ".join(sorted(mapping)) or "none"
        raise SpaceError(f"axis '{name}': no {what} '{key}' in this space; available: {known}")
    return mapping[key]


def _param_choices(name: str, param: Param, values: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Labels and values of a parameter axis: ``values`` parsed as the parameter's type, else from its range."""
    if values:
        parsed = tuple(_parse_value(name, param, text) for text in values)
    elif isinstance(param, ChoiceParam):
        parsed = param.values
    elif isinstance(param, IntParam):
        every = tuple(range(param.low, param.high + 1, param.step))
        parsed = every if len(every) <= MAX_INT_VALUES else _three_points(param.low, param.high, param.log, int)
    elif isinstance(param, FloatParam):
        parsed = _three_points(param.low, param.high, param.log, float)
    else:
        raise SpaceError(f"axis '{name}' is fixed to {param.value!r} in this space; give --values to compare values")
    parsed = tuple(dict.fromkeys(parsed))
    if len(parsed) < 2:
        raise SpaceError(f"axis '{name}' needs at least two distinct values, got {list(parsed)}")
    return tuple(_label(value) for value in parsed), parsed


def _three_points(low: float, high: float, log: bool, cast: type) -> tuple[Any, ...]:
    middle = math.sqrt(low * high) if log else (low + high) / 2
    return tuple(cast(round(point) if cast is int else float(f"{point:.4g}")) for point in (low, middle, high))


def _parse_value(name: str, param: Param, text: str) -> Scalar:
    kind = param.values[0] if isinstance(param, ChoiceParam) else getattr(param, "value", None)
    try:
        if isinstance(param, IntParam) or (isinstance(kind, int) and not isinstance(kind, bool)):
            return int(text)
        if isinstance(param, FloatParam) or isinstance(kind, float):
            return float(text)
    except ValueError as error:
        raise SpaceError(f"axis '{name}': value '{text}' is not a number") from error
    if isinstance(kind, bool):
        if text.lower() not in ("true", "false"):
            raise SpaceError(f"axis '{name}': value '{text}' is not true or false")
        return text.lower() == "true"
    return text


def _label(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _default(param: Param, default: Any) -> Any:
    """The value a component switched on takes: the space's fixed value, else ``default`` moved into the range."""
    if isinstance(param, FixedParam):
        return param.value
    if isinstance(param, ChoiceParam):
        return default if default in param.values else param.values[0]
    if default is None:
        return param.low
    clipped = min(max(default, param.low), param.high)
    if isinstance(param, IntParam):
        return param.low + round((clipped - param.low) / param.step) * param.step
    return float(clipped)


def _defaults(space: SearchSpace, slot: str, plugin: str, registry: Registry) -> ComponentSpec:
    """``plugin`` at ``slot`` with every parameter at its default (``_default``)."""
    kind, options = _slot_options(space, slot)
    params = {k: p for k, p in options[plugin].items() if k != USE} if kind == "auxiliary" else options[plugin]
    hyper = registry.get(kind, plugin).hyperparameters()
    values = {key: _default(param, hyper.get(key)) for key, param in params.items()}
    return ComponentSpec(plugin, values)


def _slot_options(space: SearchSpace, slot: str) -> tuple[str, Options]:
    if slot.startswith("extractor."):
        return "extractor", space.extractors[slot.split(".", 1)[1]]
    if slot.startswith("auxiliary."):
        return "auxiliary", space.auxiliaries
    return slot, space.axes[slot]


def _component_at(spec: TrialSpec, slot: str) -> ComponentSpec | None:
    if slot.startswith("extractor."):
        return spec.extractors.get(slot.split(".", 1)[1])
    if slot.startswith("auxiliary."):
        return spec.auxiliaries.get(slot.split(".", 1)[1])
    return getattr(spec, slot)


def _with_component(spec: TrialSpec, slot: str, component: ComponentSpec) -> TrialSpec:
    if slot.startswith("extractor."):
        modality = slot.split(".", 1)[1]
        extractors = {m: c for m, c in spec.extractors.items() if m != modality}
        if component.name != OFF:
            extractors[modality] = component
        return replace(spec, extractors=dict(sorted(extractors.items())))
    if slot.startswith("auxiliary."):
        return replace(spec, auxiliaries=dict(sorted({**spec.auxiliaries, slot.split(".", 1)[1]: component}.items())))
    return replace(spec, **{slot: component})


def _train_dict(train: TrainConfig) -> dict[str, Any]:
    return {name: getattr(train, name) for name in TRAIN_FIELDS}
