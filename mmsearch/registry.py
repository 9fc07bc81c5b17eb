"""Plugin discovery through entry points; plugins load only when named and are validated when they load.

Built-in components are registered through the very same entry-point groups as third-party ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from mmsearch.components import (
    AuxiliaryLoss,
    Component,
    Encoder,
    Extractor,
    Fusion,
    FusionTiming,
    Loss,
    Transform,
)
from mmsearch.errors import PluginError, unknown_name
from mmsearch.origins import distribution_of

KINDS: dict[str, tuple[str, type[Component]]] = {
    "extractor": ("mmsearch.extractors", Extractor),
    "transform": ("mmsearch.transforms", Transform),
    "encoder": ("mmsearch.encoders", Encoder),
    "timing": ("mmsearch.timings", FusionTiming),
    "fusion": ("mmsearch.fusions", Fusion),
    "loss": ("mmsearch.losses", Loss),
    "auxiliary": ("mmsearch.auxiliaries", AuxiliaryLoss),
}


@dataclass(frozen=True)
class PluginInfo:
    """One registered plugin as ``mmsearch plugins list`` shows it; ``error`` is None when it loads and validates."""

    kind: str
    name: str
    distribution: str
    version: str
    target: str
    error: str | None


class Registry:
    """Finds plugins by kind and name.

    Args:
        extra: entry points to register beside the installed ones (their ``group`` selects the kind); tests and
            embedding applications use this instead of installing a distribution.
    """

    def __init__(self, extra: Iterable[EntryPoint] = ()) -> None:
        self._points: dict[str, dict[str, list[EntryPoint]]] = {kind: {} for kind in KINDS}
        groups = {group: kind for kind, (group, _) in KINDS.items()}
        discovered = [point for group in groups for point in entry_points(group=group)]
        for point in [*discovered, *extra]:
            if point.group in groups:
                self._points[groups[point.group]].setdefault(point.name, []).append(point)
        self._loaded: dict[tuple[str, str], type[Component]] = {}

    def names(self, kind: str) -> list[str]:
        """Sorted names registered for ``kind`` (loaded or not, broken or not)."""
        return sorted(self._points[_check_kind(kind)])

    def get(self, kind: str, name: str) -> type[Component]:
        """The validated plugin class ``name`` of ``kind``.

        Raises:
            PluginError: unknown name (lists the available ones), duplicate registration, import failure or a
                contract violation, naming the distribution and version.
        """
        key = (_check_kind(kind), name)
        if key not in self._loaded:
            points = self._points[kind].get(name)
            if not points:
                raise PluginError(unknown_name(kind, name, self.names(kind)))
            self._loaded[key] = _load(kind, name, points)
        return self._loaded[key]

    def origin(self, kind: str, name: str) -> str:
        """``distribution version`` that registered ``name`` of ``kind``."""
        self.get(kind, name)
        return " ".join(distribution_of(self._points[kind][name][0]))

    def describe(self) -> list[PluginInfo]:
        """Every registered plugin with its distribution and version; loading errors are reported, not raised."""
        return [self.info(kind, name) for kind in KINDS for name in self.names(kind)]

    def info(self, kind: str, name: str) -> PluginInfo:
        """The registered plugin ``name`` of ``kind`` with its distribution and version; a loading error is
        reported (``PluginInfo.error``), not raised."""
        point = self._points[_check_kind(kind)][name][0]
        distribution, version = distribution_of(point)
        try:
            self.get(kind, name)
            error = None
        except PluginError as failure:
            error = str(failure)
        return PluginInfo(kind, name, distribution, version, point.value, error)

    def find(self, query: str) -> list[tuple[str, str]]:
        """``(kind, name)`` of the plugins ``query`` names: ``NAME`` under every kind that registers it, or
        ``KIND:NAME`` under one kind.

        Raises:
            PluginError: an unknown kind, or no plugin of that name (the message suggests close names).
        """
        kind, colon, name = query.partition(":")
        if colon:
            if name not in self._points[_check_kind(kind)]:
                raise PluginError(unknown_name(kind, name, self.names(kind)))
            return [(kind, name)]
        found = [(kind, query) for kind in KINDS if query in self._points[kind]]
        if not found:
            raise PluginError(unknown_name("plugin", query, {n for kind in KINDS for n in self._points[kind]}))
        return found


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise PluginError(f"unknown plugin kind '{kind}'; kinds: {', '.join(KINDS)}")
    return kind


def _load(kind: str, name: str, points: list[EntryPoint]) -> type[Component]:
    where = ", ".join(f"{d} {v}" for d, v in map(distribution_of, points))
    if len(points) > 1:
        raise PluginError(f"{kind} '{name}' is registered more than once ({where}); uninstall one")
    (point,) = points
    try:
        plugin = point.load()
    except Exception as error:  # a third-party import may fail in any way; report it by name
        raise PluginError(f"{kind} '{name}' from {where} failed to import: {type(error).__name__}: {error}") from error
    _validate(kind, name, plugin, where)
    return plugin


def _validate(kind: str, name: str, plugin: object, where: str) -> None:
    base = KINDS[kind][1]
    prefix = f"{kind} '{name}' from {where}"
    if not (inspect.isclass(plugin) and issubclass(plugin, base)):
        raise PluginError(f"{prefix} is not a subclass of mmsearch.components.{base.__name__}")
    if inspect.isabstract(plugin):
        missing = ", ".join(sorted(plugin.__abstractmethods__))
        raise PluginError(f"{prefix} does not implement {missing}")
    if getattr(plugin, "name", None) != name:
        raise PluginError(f"{prefix} declares name {getattr(plugin, 'name', None)!r}, not {name!r}")
    hyper = plugin.hyperparameters()
    try:
        space = plugin.search_space()
    except Exception as error:
        raise PluginError(f"{prefix}: search_space() failed: {type(error).__name__}: {error}") from error
    unknown = sorted(set(space) - set(hyper))
    if unknown:
        raise PluginError(f"{prefix}: search space keys {unknown} are not constructor arguments {sorted(hyper)}")
    no_default = sorted(key for key, value in hyper.items() if value is inspect.Parameter.empty)
    if no_default:
        raise PluginError(f"{prefix}: constructor arguments {no_default} need defaults")
