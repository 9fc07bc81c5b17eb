"""What a trial records about where and with what it ran."""

from __future__ import annotations

import os
import platform
import socket
from importlib.metadata import PackageNotFoundError, version

import torch

from mmsearch.registry import Registry
from mmsearch.search.presets import preset_origin
from mmsearch.search.spec import AXES, TrialSpec

from .process import process_start

PACKAGES = ("mmsearch", "torch", "optuna", "numpy", "scipy", "pandas")


def package_versions() -> dict[str, str]:
    """Python and core package versions."""
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def plugin_origins(spec: TrialSpec, registry: Registry, preset: str | None = None) -> dict[str, str]:
    """``kind:name`` -> ``distribution version`` for every component the spec uses: its extractors, the component of
    each axis, its auxiliary losses, and ``preset:<name>`` for the preset a baseline trial runs."""
    used = [("extractor", choice.name) for choice in spec.extractors.values()]
    used += [(axis, getattr(spec, axis).name) for axis in AXES]
    used += [("auxiliary", choice.name) for choice in spec.auxiliaries.values()]
    origins = {f"{kind}:{name}": registry.origin(kind, name) for kind, name in used}
    if preset is not None:
        origins[f"preset:{preset}"] = preset_origin(preset)
    return origins


def worker_identity() -> dict[str, object]:
    """Host name, process id and process start time (``process.process_start``), so that trials of a dead local
    worker can be recognised even once its pid is reused, and torch's CPU thread count, on which CPU results depend
    in their last digits (parallel reductions), so that a re-run can match it."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "started": process_start(pid), "threads": torch.get_num_threads()}
