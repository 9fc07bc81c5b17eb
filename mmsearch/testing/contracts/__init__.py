"""Contract checks that any component, built-in or third-party, runs against itself on tiny synthetic data.

``check_component(kind, component_class)`` (or the ``check_<kind>`` function of its kind) constructs the component
with its defaults and with each end of its search space, builds it on ``tiny_context()`` on the CPU (and on CUDA when
available), runs it on seeded synthetic inputs and checks what the kind's contract (see the base classes in
``mmsearch.components``) promises:

- declaration: a ``name``, keyword-only hyper-parameters with defaults, search-space keys that are constructor
  arguments, well-formed distributions;
- shapes of the outputs per kind, float and finite values;
- device: parameters, buffers and outputs on ``ctx.device``;
- freshness: two builds from one component share no parameter;
- determinism: building and running twice under the same seed gives identical outputs, whatever the state of
  Python's and NumPy's global generators (torch's is seeded with ``ctx.seed``, as the model builder does);
- gradients: every trainable parameter, and every input the output must depend on, receives a non-zero gradient.

A broken point raises ``ContractError`` (an ``AssertionError``, so test runners report a failure) whose message
names the component, its parameters, the device, the case and what broke. A component whose optional dependencies
are absent raises ``MissingRequirement`` with its install hint. Nothing here needs pytest::

    from mmsearch.testing import check_component
    check_component("fusion", MaxFusion)
"""

from ._component import check_component, registered_components
from ._context import available_devices, sample_modalities, tiny_context
from ._declaration import check_declaration
from ._errors import ContractError, MissingRequirement
from ._points import search_space_points
from .extractors import check_extractor
from .losses import check_auxiliary, check_loss
from .modules import check_encoder, check_fusion, check_timing, check_transform

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
]
