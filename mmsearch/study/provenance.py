"""What a trial records about where and with what it ran."""

from __future__ import annotations

import os
import platform
import socket
from importlib.metadata import PackageNotFoundError, version

import torch

from mmsearch.registry import Registry
from mmsearch.search.spec import AXES, TrialSpec

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


def plugin_origins(spec: TrialSpec, registry: Registry) -> dict[str, str]:
    """``kind:name`` -> ``distribution version`` for every component the spec uses."""
    used = [("extractor", choice.name) for choice in spec.extractors.values()]
    used += [(axis, getattr(spec, axis).name) for axis in AXES]
    return {f"{kind}:{name}": registry.origin(kind, name) for kind, name in used}


def worker_identity() -> dict[str, object]:
    """Host name and process id, so that trials of a dead local worker can be recognised, and torch's CPU thread
    count, on which CPU results depend in their last digits (parallel reductions), so that a re-run can match it."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "threads": torch.get_num_threads()}
