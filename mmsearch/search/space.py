"""Space files: YAML that lists, per axis, the plugins a trial may choose and narrows or fixes their parameters.

Layout::

    name: quick
    axes:
      extractor:              # per modality; "*" stands for every modality of the dataset
        "*": {provided: {}, "off": {}}     # "off" drops the modality (an ID-only model)
      transform: {linear: {}}
      encoder:
        mf: {}
        lightgcn: {n_layers: {int: {low: 1, high: 3}}}
      timing: {early: {}, late: {}}
      fusion: {sum: {}, concat: {}}
      loss: {bpr: {}}
      auxiliary:              # optional; each listed auxiliary loss is searched on/off unless ``use`` is fixed
        sand: {use: true, alpha: {float: {low: 0.01, high: 1.0, log: true}}}
    train:
      lr: {float: {low: 1.0e-4, high: 1.0e-2, log: true}}
      max_epochs: 100

Optuna parameter names are namespaced: ``encoder``, ``encoder.lightgcn.n_layers``, ``extractor.image``,
``extractor.image.provided.standardize``, ``auxiliary.sand`` (on/off), ``auxiliary.sand.alpha``, ``train.lr``. An
axis with one option is not suggested, nor is a fixed parameter; the trial's full ``TrialSpec`` is stored beside its
parameters. ``baselines`` lists presets (named models) that the study runs once each before sampled trials.

The space is conditional on the extractor draw. A trial that drew ``off`` for every modality is ID-only: its
transform, timing and fusion (``MODAL_AXES``) are not suggested (the spec records the first option, which acts on
nothing), nor are the auxiliary losses that need modal views (``needs_modalities``). An encoder that needs modal
features cannot be trained without them: such a draw raises ``InactiveDraw`` (a pruned trial; nothing is trained). A
loss that needs the behaviour stream (``needs_behaviour``) is drawn only with a timing that keeps it and a fusion that
keeps the width; one that needs per-modality hypergraph embeddings (``needs_hyper_views``) only with a timing that
gives them. A loss that needs final representations of the embedding width (``needs_embedding_width``) drawn with a
fusion that widens them raises ``InactiveDraw``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optuna
import yaml

from mmsearch.data.dataset import Dataset
from mmsearch.errors import MMSearchError, PluginError, SpaceError

from ._shapes import expect_list, expect_mapping, expect_string, key_names, shown, unknown_keys
from .params import ChoiceParam, FixedParam, FloatParam, IntParam, Param, Scalar, check_compatible, parse_param
from .presets import Preset, load_presets
from .spec import AXES, MODAL_AXES, TRAIN_FIELDS, ComponentSpec, TrainConfig, TrialSpec

if TYPE_CHECKING:
    from mmsearch.registry import Registry

OFF = "off"
USE = "use"
ALL_MODALITIES = "*"
DEFAULT_EXTRACTORS = {ALL_MODALITIES: {"provided": {}}}
"""The extractor axis of a space that lists none."""
TOP_LEVEL = ("axes", "name", "description", "train", "baselines")
Options = dict[str, dict[str, Param]]


class InactiveDraw(optuna.TrialPruned):
    """The draw combines an ID-only model with a component that needs modal views; the trial is pruned untrained."""


@dataclass(frozen=True)
class SearchSpace:
    """A validated space: per axis, plugin name -> every hyper-parameter's distribution (plugin defaults merged in).

    Attributes:
        name: the space's name.
        extractors: modality (or ``*``) -> options; the option ``off`` drops the modality.
        axes: axis in ``AXES`` -> options.
        train: ``TrainConfig`` field -> distribution.
        auxiliaries: auxiliary loss -> its parameters plus ``use`` (whether the trial adds it).
        baselines: presets enqueued once, before sampled trials, as baseline trials of the study.
        modal_only: axis (or ``auxiliary``) -> the listed plugins that need modal views (``needs_modalities``).
        behaviour_support: ``auxiliary`` -> the listed losses that need the behaviour stream (``needs_behaviour``),
            ``fusion`` -> the listed fusions that keep the width.
        keeps_behaviour: listed timing -> whether it keeps the behaviour stream with given parameters.
        hyper_support: ``auxiliary`` -> the listed losses that need hypergraph views (``needs_hyper_views``),
            ``timing`` -> the listed timings that give them.
        width_losses: the listed primary losses that need the embedding width (``needs_embedding_width``).
    """

    name: str
    extractors: Mapping[str, Options]
    axes: Mapping[str, Options]
    train: Mapping[str, Param]
    auxiliaries: Options = field(default_factory=dict)
    baselines: tuple[Preset, ...] = ()
    modal_only: Mapping[str, frozenset[str]] = field(default_factory=dict)
    behaviour_support: Mapping[str, frozenset[str]] = field(default_factory=dict)
    keeps_behaviour: Mapping[str, Callable[[Mapping[str, Any]], bool]] = field(default_factory=dict)
    hyper_support: Mapping[str, frozenset[str]] = field(default_factory=dict)
    width_losses: frozenset[str] = frozenset()

    def to_yaml_dict(self) -> dict[str, Any]:
        """The resolved space as plain YAML data (written next to the study)."""
        dump = lambda options: {  # noqa: E731
            plugin: {key: param.to_yaml() for key, param in params.items()} for plugin, params in options.items()
        }
        return {
            "name": self.name,
            "axes": {"extractor": {m: dump(o) for m, o in self.extractors.items()}}
            | {axis: dump(options) for axis, options in self.axes.items()}
            | ({"auxiliary": dump(self.auxiliaries)} if self.auxiliaries else {}),
            "train": {key: param.to_yaml() for key, param in self.train.items()},
            "baselines": [preset.name for preset in self.baselines],
        }

    def for_dataset(self, dataset: Dataset, registry: Registry) -> SearchSpace:
        """Resolve the extractor axis for a dataset's modalities.

        A modality named in the space must exist and every extractor listed for it must read it. Under ``*`` an
        extractor applies only to the modalities it can read; a modality that none of them reads is left unused
        (``unused_modalities`` names it). When no modality is left, every trial is ID-only, so the options that need
        modal views are dropped from the encoder axis and the auxiliary losses.

        Raises:
            SpaceError: a named modality is missing from the dataset, a listed extractor cannot read it, or every
                listed encoder needs a modality that the dataset does not give.
        """
        for modality in self.extractors:
            if modality != ALL_MODALITIES and modality not in dataset.modalities:
                have = ", ".join(sorted(dataset.modalities)) or "none"
                raise SpaceError(f"space names modality '{modality}' but dataset '{dataset.name}' has: {have}")
        expanded: dict[str, Options] = {}
        for modality in sorted(dataset.modalities):
            content = dataset.modalities[modality]
            if modality in self.extractors:
                for plugin in self.extractors[modality]:
                    if plugin != OFF and not registry.get("extractor", plugin)().supports(content):
                        raise SpaceError(
                            f"extractor '{plugin}' cannot read modality '{modality}' "
                            f"({content.kind} content of dataset '{dataset.name}')"
                        )
                expanded[modality] = self.extractors[modality]
            elif ALL_MODALITIES in self.extractors:
                options = {
                    plugin: params
                    for plugin, params in self.extractors[ALL_MODALITIES].items()
                    if plugin == OFF or registry.get("extractor", plugin)().supports(content)
                }
                if set(options) - {OFF}:
                    expanded[modality] = options
        if expanded:
            return replace(self, extractors=expanded)
        encoders = {n: o for n, o in self.axes["encoder"].items() if not self.needs_modalities("encoder", n)}
        if not encoders:
            raise SpaceError(
                f"every listed encoder needs modal features and dataset '{dataset.name}' gives this space none"
            )
        return replace(
            self,
            extractors={},
            axes={**self.axes, "encoder": encoders},
            auxiliaries={n: o for n, o in self.auxiliaries.items() if not self.needs_modalities("auxiliary", n)},
        )

    def needs_modalities(self, axis: str, name: str) -> bool:
        """Whether option ``name`` of ``axis`` (or of ``auxiliary``) needs modal views (``modal_only``)."""
        return name in self.modal_only.get(axis, ())

    def _behaviour_available(self, auxiliary: str, components: Mapping[str, ComponentSpec]) -> bool:
        """False for a loss that needs the behaviour stream drawn with a timing or fusion that cannot give it."""
        support = self.behaviour_support
        if auxiliary not in support.get("auxiliary", ()):
            return True
        timing = components["timing"]
        return self.keeps_behaviour[timing.name](timing.params) and components["fusion"].name in support["fusion"]

    def _hyper_views_available(self, auxiliary: str, components: Mapping[str, ComponentSpec]) -> bool:
        """False for a loss that needs hypergraph views drawn with a timing that does not give them."""
        support = self.hyper_support
        return auxiliary not in support.get("auxiliary", ()) or components["timing"].name in support["timing"]

    def _width_available(self, loss: str, fusion: str) -> bool:
        """False for a primary loss that needs the embedding width drawn with a fusion that widens the views."""
        return loss not in self.width_losses or fusion in self.behaviour_support.get("fusion", ())

    def compatible(self, spec: TrialSpec) -> bool:
        """Whether ``spec``'s primary and auxiliary losses can act with its timing and fusion, by the rules ``suggest``
        draws under (the timing and fusion must be options of this space)."""
        if spec.id_only:
            return True
        components = {"timing": spec.timing, "fusion": spec.fusion}
        return self._width_available(spec.loss.name, spec.fusion.name) and all(
            self._behaviour_available(name, components) and self._hyper_views_available(name, components)
            for name in spec.auxiliaries
        )

    def unused_modalities(self, dataset: Dataset) -> list[str]:
        """Modalities of ``dataset`` that no extractor of this (resolved) space reads."""
        return sorted(set(dataset.modalities) - set(self.extractors))

    def suggest(self, trial: optuna.Trial, seed: int) -> TrialSpec:
        """Draw a ``TrialSpec`` through Optuna's define-by-run API (call ``for_dataset`` first).

        Raises:
            InactiveDraw: an ID-only draw with an encoder that needs modal features, or a loss that needs the
                embedding width with a fusion that widens the views.
        """
        extractors = {}
        for modality, options in self.extractors.items():
            choice = _suggest_component(trial, f"extractor.{modality}", options)
            if choice.name != OFF:
                extractors[modality] = choice
        id_only = not extractors
        components = {
            axis: _inactive_component(options)
            if id_only and axis in MODAL_AXES
            else _suggest_component(trial, axis, options)
            for axis, options in self.axes.items()
        }
        encoder = components["encoder"].name
        if id_only and self.needs_modalities("encoder", encoder):
            raise InactiveDraw(f"encoder '{encoder}' needs modal features and the trial drew no modality")
        loss, fusion = components["loss"].name, components["fusion"].name
        if not id_only and not self._width_available(loss, fusion):
            raise InactiveDraw(f"loss '{loss}' needs the embedding width and fusion '{fusion}' widens the views")
        train = {key: param.suggest(trial, f"train.{key}") for key, param in self.train.items()}
        auxiliaries = {}
        for name, params in self.auxiliaries.items():
            if id_only and self.needs_modalities("auxiliary", name):
                continue
            if not (self._behaviour_available(name, components) and self._hyper_views_available(name, components)):
                continue
            if params[USE].suggest(trial, f"auxiliary.{name}"):
                chosen = {key: p.suggest(trial, f"auxiliary.{name}.{key}") for key, p in params.items() if key != USE}
                auxiliaries[name] = ComponentSpec(name, chosen)
        return TrialSpec(
            extractors=extractors, **components, train=TrainConfig(**train), seed=seed, auxiliaries=auxiliaries
        )


def _inactive_component(options: Options) -> ComponentSpec:
    """The first option with its fixed parameters: recorded for an axis that has nothing to act on."""
    name = next(iter(options))
    return ComponentSpec(name, {key: p.value for key, p in options[name].items() if isinstance(p, FixedParam)})


def _suggest_component(trial: optuna.Trial, prefix: str, options: Options) -> ComponentSpec:
    names = list(options)
    name = names[0] if len(names) == 1 else trial.suggest_categorical(prefix, names)
    params = {key: param.suggest(trial, f"{prefix}.{name}.{key}") for key, param in options[name].items()}
    return ComponentSpec(name, params)


def load_space(path: str | Path, registry: Registry) -> SearchSpace:
    """Read and validate a space file against the registry (before any training).

    Raises:
        SpaceError: unreadable YAML, unknown axis, plugin or parameter, malformed or ill-typed range (one line).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as error:
        raise SpaceError(f"{path}: cannot read space file ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise SpaceError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from error
    try:
        return parse_space(raw, registry, default_name=path.stem)
    except MMSearchError as error:
        raise SpaceError(f"{path}: {error}") from error


def parse_space(raw: Any, registry: Registry, default_name: str = "space") -> SearchSpace:
    """Validate already-parsed space data; see the module docstring for the layout.

    Raises:
        SpaceError: a value of the wrong kind, an unknown key, axis, plugin or parameter, or an ill-typed range; the
            message names its place (``axes.encoder.lightgcn.n_layers``).
    """
    if not isinstance(raw, dict):
        raise SpaceError(
            f"a space file must be a mapping with 'axes' (and optionally {', '.join(TOP_LEVEL[1:])}), got {shown(raw)}"
        )
    unknown = unknown_keys(raw, TOP_LEVEL)
    if unknown:
        raise SpaceError(f"unknown top-level keys {unknown}; expected {', '.join(TOP_LEVEL)}")
    name = expect_string(raw.get("name", default_name), "name")
    if "description" in raw:
        expect_string(raw["description"], "description")
    if "axes" not in raw:
        raise SpaceError("a space file needs 'axes': per axis, the plugins a trial may choose")
    axes = expect_mapping(raw["axes"], "axes")
    unknown = unknown_keys(axes, {"extractor", "auxiliary", *AXES})
    if unknown:
        raise SpaceError(f"unknown axes {unknown}; axes are: extractor, {', '.join(AXES)}, auxiliary")
    missing = [axis for axis in AXES if axis not in axes]
    if missing:
        raise SpaceError(f"missing axes {missing}; every space lists extractor (optional), {', '.join(AXES)}")
    extractors = {
        str(modality): _parse_options(registry, "extractor", f"axes.extractor.{modality}", options)
        for modality, options in expect_mapping(axes.get("extractor", DEFAULT_EXTRACTORS), "axes.extractor").items()
    }
    parsed_axes = {axis: _parse_options(registry, axis, f"axes.{axis}", axes[axis]) for axis in AXES}
    auxiliaries = _parse_auxiliaries(registry, axes.get("auxiliary"))
    return SearchSpace(
        name=name,
        extractors=extractors,
        axes=parsed_axes,
        train=_parse_train(raw.get("train")),
        auxiliaries=auxiliaries,
        baselines=_parse_baselines(registry, raw.get("baselines")),
        modal_only={
            kind: frozenset(name for name in options if registry.get(kind, name).needs_modalities)
            for kind, options in [*parsed_axes.items(), ("auxiliary", auxiliaries)]
        },
        behaviour_support=_behaviour_support(registry, parsed_axes, auxiliaries),
        keeps_behaviour={name: registry.get("timing", name).keeps_behaviour_with for name in parsed_axes["timing"]},
        hyper_support={
            "auxiliary": frozenset(n for n in auxiliaries if registry.get("auxiliary", n).needs_hyper_views),
            "timing": frozenset(n for n in parsed_axes["timing"] if registry.get("timing", n).gives_hyper_views),
        },
        width_losses=frozenset(n for n in parsed_axes["loss"] if registry.get("loss", n).needs_embedding_width),
    )


def _behaviour_support(registry: Registry, axes: Mapping[str, Options], auxiliaries: Options) -> dict[str, frozenset]:
    """``SearchSpace.behaviour_support`` of the listed plugins (a fusion keeps the width when out_dim(3, d) = d)."""
    return {
        "auxiliary": frozenset(n for n in auxiliaries if registry.get("auxiliary", n).needs_behaviour),
        "fusion": frozenset(n for n in axes["fusion"] if registry.get("fusion", n)().out_dim(3, 8) == 8),
    }


def _parse_baselines(registry: Registry, raw: Any) -> tuple[Preset, ...]:
    """Named presets (null: none); each must exist and every component it names must load."""
    names = expect_list(raw, "baselines", optional=True)
    presets = load_presets() if names else {}
    chosen = []
    for index, name in enumerate(names):
        if expect_string(name, f"baselines[{index}]") not in presets:
            available = ", ".join(sorted(presets)) or "none"
            raise SpaceError(f"baselines[{index}]: unknown preset '{name}'; available: {available}")
        preset = presets[name]
        for kind, choice in [
            ("transform", preset.transform),
            ("encoder", preset.encoder),
            ("timing", preset.timing),
            ("fusion", preset.fusion),
            ("loss", preset.loss),
            *(("auxiliary", c) for c in preset.auxiliaries.values()),
            *([("extractor", preset.extractor)] if preset.extractor else []),
        ]:
            registry.get(kind, choice.name)
        chosen.append(preset)
    return tuple(chosen)


def _parse_auxiliaries(registry: Registry, raw: Any) -> Options:
    """Auxiliary losses (null: none): each is searched on/off (``use``) unless the space fixes ``use``."""
    options: Options = {}
    for name, overrides in expect_mapping(raw, "axes.auxiliary", optional=True).items():
        name, where = str(name), f"axes.auxiliary.{name}"
        overrides = dict(expect_mapping(overrides, where, optional=True))
        use = parse_param(overrides.pop(USE, {"choice": [False, True]}), f"{where}.{USE}")
        check_compatible(FixedParam(True), use, f"{where}.{USE}")
        options[name] = {USE: use} | _parse_options(registry, "auxiliary", "axes.auxiliary", {name: overrides})[name]
    return options


def _parse_options(registry: Registry, kind: str, where: str, raw: Any) -> Options:
    """Plugin name -> its resolved parameters; a plugin's overrides may be null (none)."""
    if not expect_mapping(raw, where):
        raise SpaceError(f"{where}: lists no plugin; name at least one, e.g. {{name: {{}}}}")
    options: Options = {}
    for name, overrides in raw.items():
        name = str(name)
        overrides = expect_mapping(overrides, f"{where}.{name}", optional=True)
        if kind == "extractor" and name == OFF:
            if overrides:
                raise SpaceError(f"{where}.{name}: dropping a modality takes no parameters, got {key_names(overrides)}")
            options[name] = {}
            continue
        try:
            plugin = registry.get(kind, name)
        except PluginError as error:
            raise PluginError(f"{where}.{name}: {error}") from error
        missing = plugin.missing_requirement()
        if missing:
            raise SpaceError(f"{where}.{name}: {kind} '{name}' cannot run here: {missing}")
        options[name] = resolve_params(plugin, overrides, f"{where}.{name}")
    return options


def resolve_params(plugin: type, overrides: Any, where: str) -> dict[str, Param]:
    """Every hyper-parameter of ``plugin``: the space file's entry, else the plugin's declared space, else its default.

    Raises:
        SpaceError: an override names no constructor argument, or does not fit the argument's type.
    """
    expect_mapping(overrides, where)
    hyper = plugin.hyperparameters()
    declared = {key: FixedParam(default) for key, default in hyper.items()} | plugin.search_space()
    unknown = unknown_keys(overrides, set(hyper))
    if unknown:
        raise SpaceError(f"{where}: unknown parameters {unknown}; {plugin.name} takes {sorted(hyper) or 'none'}")
    resolved = dict(declared)
    for key, raw in overrides.items():
        given = parse_param(raw, f"{where}.{key}")
        if hyper[key] is not None:
            check_compatible(declared[key], given, f"{where}.{key}")
        resolved[key] = given
    return resolved


def _parse_train(raw: Any) -> dict[str, Param]:
    """Every ``TrainConfig`` field: the space's entry (null: none), else the default."""
    raw = expect_mapping(raw, "train", optional=True)
    defaults = TrainConfig()
    unknown = unknown_keys(raw, set(TRAIN_FIELDS))
    if unknown:
        raise SpaceError(f"unknown train settings {unknown}; settings are {sorted(TRAIN_FIELDS)}")
    resolved: dict[str, Param] = {}
    for key in TRAIN_FIELDS:
        default = FixedParam(getattr(defaults, key))
        if key in raw:
            given = parse_param(raw[key], f"train.{key}")
            check_compatible(default, given, f"train.{key}")
            for value in _bounding_values(given):
                TrainConfig(**{key: value})  # a setting out of its range is refused before any trial
            resolved[key] = given
        else:
            resolved[key] = default
    return resolved


def _bounding_values(param: Param) -> tuple[Scalar, ...]:
    """The values that bound what ``param`` can draw: its fixed value, its choices, or its low and high."""
    if isinstance(param, (FloatParam, IntParam)):
        return param.low, param.high
    if isinstance(param, ChoiceParam):
        return param.values
    return (param.value,)
