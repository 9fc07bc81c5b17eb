"""Named models as points of the design space, enqueued as baseline trials by a space's ``baselines`` list.

Presets are registered under the entry-point group ``mmsearch.presets`` (each entry point names a ``Preset``), like
every other plugin, so a package can ship its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from mmsearch.errors import PluginError
from mmsearch.origins import distribution_of

from .params import FixedParam, Param
from .spec import AXES, ComponentSpec, TrainConfig, TrialSpec

if TYPE_CHECKING:
    from mmsearch.registry import Registry

GROUP = "mmsearch.presets"


@dataclass(frozen=True)
class Preset:
    """A fully specified model up to the dataset's modalities and the training budget.

    Attributes:
        name: preset name, as listed in a space's ``baselines``.
        description: what it matches of the original model and where it differs.
        transform, encoder, timing, fusion, loss: the components.
        extractor: applied to every modality it can read; None for an ID-only model.
        auxiliaries: auxiliary losses.
        train: training settings that define the model (e.g. lr); the rest come from the space's fixed settings.
    """

    name: str
    description: str
    transform: ComponentSpec
    encoder: ComponentSpec
    timing: ComponentSpec
    fusion: ComponentSpec
    loss: ComponentSpec
    extractor: ComponentSpec | None = None
    auxiliaries: Mapping[str, ComponentSpec] = field(default_factory=dict)
    train: Mapping[str, object] = field(default_factory=dict)

    def to_spec(self, modalities: list[str], space_train: Mapping[str, Param], seed: int) -> TrialSpec:
        """The trial spec on a dataset whose readable modalities are ``modalities``."""
        fixed = {key: param.value for key, param in space_train.items() if isinstance(param, FixedParam)}
        extractors = {} if self.extractor is None else {modality: self.extractor for modality in modalities}
        return TrialSpec(
            extractors=extractors,
            transform=self.transform,
            encoder=self.encoder,
            timing=self.timing,
            fusion=self.fusion,
            loss=self.loss,
            train=TrainConfig(**(fixed | dict(self.train))),
            seed=seed,
            auxiliaries=dict(self.auxiliaries),
        )

    def to_yaml_dict(self, registry: Registry) -> dict[str, Any]:
        """The model as plain YAML data: each component with every parameter (the plugin's default where the preset
        sets none), and the train settings the preset fixes (the others come from the space).

        Raises:
            PluginError: a component the preset names is unknown or broken.
        """

        def component(kind: str, choice: ComponentSpec) -> dict[str, Any]:
            defaults = registry.get(kind, choice.name).hyperparameters()
            return {"name": choice.name, "params": defaults | dict(choice.params)}

        return {
            "extractor": None if self.extractor is None else component("extractor", self.extractor),
            **{axis: component(axis, getattr(self, axis)) for axis in AXES},
            "auxiliaries": [component("auxiliary", choice) for choice in self.auxiliaries.values()],
            "train": dict(self.train),
        }


def load_presets() -> dict[str, Preset]:
    """Every registered preset by name.

    Raises:
        PluginError: an entry point fails to load or does not name a ``Preset`` (named with its distribution).
    """
    return {point.name: _load(point) for point in entry_points(group=GROUP)}


@dataclass(frozen=True)
class PresetInfo:
    """One registered preset as ``mmsearch presets list`` shows it; ``preset`` is None when it fails to load, and
    ``error`` then says why."""

    name: str
    distribution: str
    version: str
    preset: Preset | None
    error: str | None


def describe_presets() -> list[PresetInfo]:
    """Every registered preset, by name, with its distribution and version; loading errors are reported, not raised."""
    infos = []
    for point in sorted(entry_points(group=GROUP), key=lambda point: point.name):
        try:
            preset, error = _load(point), None
        except PluginError as failure:
            preset, error = None, str(failure)
        infos.append(PresetInfo(point.name, *distribution_of(point), preset, error))
    return infos


def _load(point: EntryPoint) -> Preset:
    origin = " ".join(distribution_of(point))
    try:
        preset = point.load()
    except Exception as error:  # a third-party import may fail in any way; report it by name
        raise PluginError(f"preset '{point.name}' from {origin} failed to import: {error}") from error
    if not isinstance(preset, Preset) or preset.name != point.name:
        raise PluginError(f"preset '{point.name}' from {origin} is not a Preset named '{point.name}'")
    return preset


def preset_origin(name: str) -> str:
    """``distribution version`` that registered the preset ``name`` (``(not registered) -`` when none did)."""
    points = entry_points(group=GROUP, name=name)
    return " ".join(distribution_of(points[name])) if name in points.names else "(not registered) -"
