"""Checking any component by its kind, and the (kind, name) pairs a registry holds."""

from __future__ import annotations

from collections.abc import Callable

from mmsearch.components import Component
from mmsearch.registry import KINDS, Registry

from ._context import Devices
from .extractors import check_extractor
from .losses import check_auxiliary, check_loss
from .modules import check_encoder, check_fusion, check_timing, check_transform

_MODULE_CHECKS: dict[str, Callable[..., None]] = {
    "transform": check_transform,
    "encoder": check_encoder,
    "timing": check_timing,
    "fusion": check_fusion,
    "loss": check_loss,
    "auxiliary": check_auxiliary,
}


def check_component(kind: str, component_class: type[Component], *, devices: Devices = None) -> None:
    """Run the contract checks of ``kind`` (a key of ``mmsearch.registry.KINDS``) on ``component_class``.

    Args:
        kind: the component's kind, e.g. ``fusion``.
        component_class: the plugin class.
        devices: where module-building kinds are checked (default: ``available_devices()``); extractors ignore it.

    Raises:
        ContractError: a broken point of the contract.
        MissingRequirement: the component's optional dependencies are absent.
    """
    if kind == "extractor":
        check_extractor(component_class)
    elif kind in _MODULE_CHECKS:
        _MODULE_CHECKS[kind](component_class, devices=devices)
    else:
        raise ValueError(f"unknown kind '{kind}'; kinds: {', '.join(KINDS)}")


def registered_components(registry: Registry) -> list[tuple[str, str]]:
    """Every registered (kind, name), kinds in ``KINDS`` order, names sorted; loaded or not, broken or not."""
    return [(kind, name) for kind in KINDS for name in registry.names(kind)]
