"""Helpers for testing mmsearch components, built-in or third-party, on tiny in-memory data.

``check_component(kind, component_class)`` runs the contract checks of a component's kind (see ``contracts``).
"""

from .contracts import (
    ContractError,
    MissingRequirement,
    available_devices,
    check_auxiliary,
    check_component,
    check_declaration,
    check_encoder,
    check_extractor,
    check_fusion,
    check_loss,
    check_timing,
    check_transform,
    registered_components,
    sample_modalities,
    search_space_points,
    tiny_context,
)
from .tiny import tiny_dataset, tiny_space

__all__ = [
    "ContractError",
    "MissingRequirement",
    "available_devices",
    "check_auxiliary",
    "check_component",
    "check_declaration",
    "check_encoder",
    "check_extractor",
    "check_fusion",
    "check_loss",
    "check_timing",
    "check_transform",
    "registered_components",
    "sample_modalities",
    "search_space_points",
    "tiny_context",
    "tiny_dataset",
    "tiny_space",
]
