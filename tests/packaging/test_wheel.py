"""The wheel is the product: built from the checkout and installed with its dashboard extra in a fresh virtual
environment outside it, it serves every dashboard page and lists the built-in plugins and presets.

One environment serves every test of this module (building and installing it takes most of the time).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
from dashboard_harness import visit_every_page

from mmsearch.registry import KINDS
from mmsearch.search.presets import GROUP as PRESETS_GROUP

CHECKOUT = Path(__file__).resolve().parents[2]
TORCH = "torch==2.13.0"
"""Installed first, so that pip takes the CPU build from its find-links (an unpinned torch pulls the CUDA packages)."""
HIDDEN_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")
"""Variables of this process kept from the installed environment's programs: those that would point them back at the
checkout's, and the one that would stop them caching compiled modules (the environment is installed without them,
so each program would compile torch again)."""


class Installed:
    """A fresh environment holding the wheel: ``run(*args)`` runs one of its programs from a folder outside the
    checkout and returns the completed process (output captured as text, never raising on a non-zero exit)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "venv" / "bin"
        self.env = {key: value for key, value in os.environ.items() if key not in HIDDEN_VARIABLES}
        self.env["PATH"] = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"

    def run(self, *args: str | Path) -> subprocess.CompletedProcess:
        command = [str(self.bin / str(args[0])), *map(str, args[1:])]
        return subprocess.run(command, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """The wheel of a copy of the checkout (git's ignored files left out, so no stale build output slips in),
    installed after ``TORCH`` with the ``dashboard`` extra; this interpreter's pip installs into the new
    environment, which gets no pip of its own."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    ignored = [line.rstrip("/") for line in (CHECKOUT / ".gitignore").read_text().split() if not line.startswith("#")]
    shutil.copytree(CHECKOUT, source, ignore=shutil.ignore_patterns(".git", *ignored))
    _pip("wheel", "--no-deps", "--wheel-dir", root / "dist", source)
    (wheel,) = (root / "dist").glob("mmsearch-*.whl")
    venv.create(root / "venv", with_pip=False)
    target = ("--python", root / "venv" / "bin" / "python", "install", "--no-compile")
    _pip(*target, TORCH)
    _pip(*target, f"{wheel}[dashboard]")
    return Installed(root)


def _pip(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--quiet", *map(str, args)], check=True, timeout=600)


def _entry_points(group: str) -> set[str]:
    """The names the checkout's pyproject registers under ``group``."""
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]
    return set(project["entry-points"][group])


def test_the_package_is_imported_from_the_environment_not_the_checkout(installed):
    imported = installed.run("python", "-c", "import mmsearch, mmsearch_builtin; print(mmsearch.__file__)")
    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()).is_relative_to(installed.root / "venv")


def test_the_dashboard_serves_every_page(installed, dashboard_runs, serve_dashboard, browser_page, tmp_path):
    def command(port: int) -> list[str]:
        return [str(installed.bin / "mmsearch"), "dashboard", "--run-dir", str(dashboard_runs), "--port", str(port)]

    url = serve_dashboard(command, installed.env, cwd=installed.root)
    visit_every_page(browser_page, url, tmp_path)


def test_plugins_list_shows_every_builtin_plugin_loading(installed):
    listed = installed.run("mmsearch", "plugins", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    loading = {(row[0], row[1]) for row in rows if len(row) == 5 and row[2] == "mmsearch" and row[4] == "ok"}
    assert {(kind, name) for kind, (group, _) in KINDS.items() for name in _entry_points(group)} <= loading


def test_plugins_show_describes_a_builtin(installed):
    shown = installed.run("mmsearch", "plugins", "show", "sand")
    assert shown.returncode == 0, shown.stderr
    assert "auxiliary" in shown.stdout and "sand" in shown.stdout


def test_presets_list_names_every_builtin_preset(installed):
    listed = installed.run("mmsearch", "presets", "list")
    assert listed.returncode == 0, listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    assert _entry_points(PRESETS_GROUP) <= names
