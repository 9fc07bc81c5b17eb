"""Fixtures of the dashboard tests; the studies they show and the browser come from ``tests/dashboard_harness.py``."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def _main_module_restored():
    """AppTest runs the app as ``__main__``; the real one comes back, so that later spawned workers start cleanly."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
