"""Fixtures shared by the CLI tests."""

import sys
import uuid
from pathlib import Path

import optuna
import pytest
import yaml

from mmsearch.cli.main import main
from mmsearch.study import open_storage

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SPACES = Path(__file__).resolve().parents[2] / "spaces"


@pytest.fixture
def slow_run(tmp_path):
    """``(epochs, budget) -> mmsearch run`` command (study and storage left to the caller) with two CPU workers on
    small synthetic data: ``budget`` trials of quick.yaml, each training exactly ``epochs`` epochs (no early stop)."""
    return lambda epochs, budget: _slow_run_command(tmp_path, epochs, budget)


def _slow_run_command(tmp_path: Path, epochs: int, budget: int) -> list[str]:
    space = yaml.safe_load((SPACES / "quick.yaml").read_text())
    space["train"] = {**space["train"], "embedding_dim": 8, "max_epochs": epochs, "patience": epochs, "batch_size": 256}
    path = tmp_path / "slow.yaml"
    path.write_text(yaml.safe_dump(space))
    assert main(["data", "synth", str(tmp_path / "synth"), "--users", "150", "--items", "100"]) == 0
    return [sys.executable, "-m", "mmsearch.cli.main", "run", "--space", str(path), "--data", str(tmp_path / "synth"),
            "--run-dir", str(tmp_path / "runs"), "--device", "cpu", "--trials", str(budget),
            "--workers", "2"]  # fmt: skip


@pytest.fixture
def postgres_study(tmp_path):
    """A fresh study name in the local PostgreSQL ``test`` database; the study is deleted afterwards."""
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    yield name
    storage = open_storage(POSTGRES, tmp_path, name)
    if name in {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}:
        optuna.delete_study(study_name=name, storage=storage)


THIRD_PARTY_SOURCE = '''
from torch import nn

from mmsearch.components import Loss
from mmsearch.search.presets import Preset
from mmsearch.search.spec import ComponentSpec


class NamesakeLoss(Loss):
    """A loss that shares its name with a built-in encoder."""

    name = "lightgcn"

    def __init__(self, *, margin: float = 1.0):
        self.margin = margin

    def build(self, ctx):
        return nn.Identity()


ACME_MF = Preset(
    name="acme_mf",
    description="Acme MF. A second sentence.",
    transform=ComponentSpec("linear"),
    encoder=ComponentSpec("mf"),
    timing=ComponentSpec("early"),
    fusion=ComponentSpec("sum"),
    loss=ComponentSpec("lightgcn", {"margin": 2.0}),
)
'''
THIRD_PARTY_ENTRY_POINTS = """
[mmsearch.losses]
lightgcn = acme_plugins:NamesakeLoss
[mmsearch.encoders]
acme_crash = acme_crashing:Anything
[mmsearch.presets]
acme_mf = acme_plugins:ACME_MF
acme_broken = acme_crashing:PRESET
"""


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    """An installed distribution ``acme-plugins 0.3``: a loss named ``lightgcn`` (as the built-in encoder), an encoder
    ``acme_crash`` whose module fails to import, a preset ``acme_mf`` and a preset ``acme_broken`` that fails."""
    (tmp_path / "acme_plugins.py").write_text(THIRD_PARTY_SOURCE)
    (tmp_path / "acme_crashing.py").write_text("raise RuntimeError('boom at import')\n")
    info = tmp_path / "acme_plugins-0.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-plugins\nVersion: 0.3\n")
    (info / "entry_points.txt").write_text(THIRD_PARTY_ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "acme-plugins 0.3"
    for module in ("acme_plugins", "acme_crashing"):
        sys.modules.pop(module, None)
