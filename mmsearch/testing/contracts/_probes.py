"""Running module-building kinds through their probes, and the determinism, gradient and device checks they share.

A probe builds the module of one case from a constructed component and runs it on seeded leaf tensors; the checks
build and run every probe twice (determinism), and check outputs, placement, freshness and gradients.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from mmsearch.components import BuildContext, Component

from ._context import Devices, available_devices, tiny_context
from ._declaration import check_usable
from ._errors import expect, located, stage
from ._points import construct, point_label, search_space_points

BATCH = 8


@dataclass
class Outcome:
    """What one probe's forward produced.

    Attributes:
        outputs: name -> tensor checked for device, finiteness and determinism.
        inputs: inputs each of which must receive a non-zero gradient.
        any_inputs: inputs at least one of which must receive a non-zero gradient.
        trains: whether every trainable parameter must receive a non-zero gradient.
    """

    outputs: dict[str, torch.Tensor]
    inputs: dict[str, torch.Tensor] = field(default_factory=dict)
    any_inputs: dict[str, torch.Tensor] = field(default_factory=dict)
    trains: bool = True


Probe = Callable[[Component, BuildContext], tuple[nn.Module, Outcome]]


def check_modules(
    kind: str, component_class: type[Component], probes: Callable[[BuildContext], dict[str, Probe]], devices: Devices
) -> None:
    """The contract of a module-building ``kind``: every probe of ``probes(ctx)``, at every search-space point, on
    every device (default: ``available_devices()``), checked for outputs, gradients and determinism.

    Raises:
        ContractError: a broken point of the contract.
        MissingRequirement: the component's optional dependencies are absent.
    """
    check_usable(kind, component_class)
    for device in devices if devices is not None else available_devices():
        ctx = tiny_context(device)
        for params in search_space_points(component_class):
            for label, probe in probes(ctx).items():
                with located(f"{point_label(kind, component_class, params)} on {ctx.device}, {label}"):
                    module, outcome = _run(component_class, params, probe, ctx, noise=1)
                    _check_gradients(module, outcome, ctx)
                    _, again = _run(component_class, params, probe, ctx, noise=2)
                    for name, output in outcome.outputs.items():
                        expect(
                            torch.equal(output, again.outputs[name]),
                            f"output '{name}' differs between two builds and runs with seed {ctx.seed}",
                        )


def build(make: Callable[[], Any], ctx: BuildContext, expected: type = nn.Module) -> Any:
    """The module ``make`` builds, checked for its type, placement and freshness (a second build shares nothing)."""
    module = stage("build", make)
    expect(isinstance(module, expected), f"build returned {type(module).__name__}, not a {expected.__name__}")
    for label, tensors in (("parameter", module.named_parameters()), ("buffer", module.named_buffers())):
        for name, tensor in tensors:
            expect_on(f"{label} '{name}'", tensor, ctx.device)
    shared = {id(p) for p in module.parameters()} & {id(p) for p in stage("a second build", make).parameters()}
    expect(not shared, f"two builds share {len(shared)} parameter(s); build must return a fresh module")
    return module


def forward(module: nn.Module, *args: Any) -> Any:
    """``module(*args)``; an exception becomes a ``ContractError``."""
    return stage("forward", lambda: module(*args))


class Draw:
    """Seeded standard-normal leaf tensors on ``ctx.device`` that require grad, the same in every run."""

    def __init__(self, ctx: BuildContext) -> None:
        self.device = ctx.device
        self.generator = torch.Generator().manual_seed(ctx.seed)

    def __call__(self, *shape: int) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator).to(self.device).requires_grad_()


def expect_tensor(label: str, value: Any) -> None:
    """``value`` must be a tensor."""
    expect(isinstance(value, torch.Tensor), f"{label} is a {type(value).__name__}, not a tensor")


def expect_shape(label: str, tensor: Any, shape: tuple[int, ...]) -> None:
    """``tensor`` must be a tensor of exactly ``shape``."""
    expect_tensor(label, tensor)
    expect(tuple(tensor.shape) == shape, f"{label} has shape {tuple(tensor.shape)}, expected {shape}")


def expect_on(label: str, tensor: torch.Tensor, device: torch.device) -> None:
    """``tensor`` must be on ``device`` (any index when ``device`` has none)."""
    on = tensor.device.type == device.type and (device.index is None or tensor.device.index == device.index)
    expect(on, f"{label} is on {tensor.device}, not {device}")


@contextmanager
def seeded(seed: int, device: torch.device, noise: int) -> Iterator[None]:
    """Torch's generators seeded with ``seed``; Python's and NumPy's global generators seeded with ``noise`` (a
    component must not depend on them); every generator's state is restored afterwards.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        random.seed(noise)
        np.random.seed(noise)
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


def _run(
    component_class: type[Component], params: dict[str, Any], probe: Probe, ctx: BuildContext, noise: int
) -> tuple[nn.Module, Outcome]:
    with seeded(ctx.seed, ctx.device, noise):
        module, outcome = probe(construct(component_class, params), ctx)
    for name, output in outcome.outputs.items():
        expect_tensor(f"output '{name}'", output)
        expect(output.is_floating_point(), f"output '{name}' has dtype {output.dtype}, not a float dtype")
        expect_on(f"output '{name}'", output, ctx.device)
        expect(bool(torch.isfinite(output).all()), f"output '{name}' has non-finite values")
    return module, outcome


def _check_gradients(module: nn.Module, outcome: Outcome, ctx: BuildContext) -> None:
    parameters = {f"parameter '{n}'": p for n, p in module.named_parameters() if p.requires_grad}
    required = {**(parameters if outcome.trains else {}), **{f"input '{n}'": t for n, t in outcome.inputs.items()}}
    alternatives = {f"input '{n}'": t for n, t in outcome.any_inputs.items()}
    watched = {**required, **alternatives}
    if not watched:
        return
    differentiable = [output for output in outcome.outputs.values() if output.requires_grad]
    expect(differentiable, "no output depends on an input or parameter through autograd")
    generator = torch.Generator().manual_seed(ctx.seed)
    objective = sum((out * torch.randn(out.shape, generator=generator).to(out)).sum() for out in differentiable)
    grads = stage("backward", lambda: torch.autograd.grad(objective, list(watched.values()), allow_unused=True))
    reached = {}
    for name, grad in zip(watched, grads):
        expect(grad is None or bool(torch.isfinite(grad).all()), f"the gradient of {name} has non-finite values")
        reached[name] = grad is not None and bool(grad.abs().sum() > 0)
    missing = [name for name in required if not reached[name]]
    expect(not missing, f"no gradient reaches {', '.join(missing)}")
    expect(
        not alternatives or any(reached[name] for name in alternatives),
        f"no gradient reaches any of {', '.join(alternatives)}",
    )
