"""``mmsearch run`` with a malformed space file: one line on stderr, exit status 2, no stored study created or
touched."""

import subprocess
import sys
from pathlib import Path

import optuna
import pytest
import yaml

from mmsearch.study import open_storage

SPACES = Path(__file__).resolve().parents[2] / "spaces"
MMSEARCH = Path(sys.executable).with_name("mmsearch")


@pytest.fixture
def run_dir(tmp_path):
    """A run folder that holds one stored study, ``kept``, with one finished trial."""
    runs = tmp_path / "runs"
    study = optuna.create_study(study_name="kept", storage=open_storage(None, runs, "kept"))
    study.add_trial(optuna.trial.create_trial(value=0.5))
    return runs


def snapshot(folder):
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("path", "value", "place", "study"),
    [
        (("axes", "auxiliary"), {"sand": 3}, "axes.auxiliary.sand: expected a mapping, got 3", ["--study", "kept"]),
        (("baselines",), [{"lightgcn": {}}], "baselines[0]: expected a string, got a mapping", []),
        (("train", "max_epochs"), 0, "train.max_epochs must be at least 1, got 0", ["--study", "kept"]),
    ],
    ids=["auxiliary-scalar", "baseline-mapping", "train-out-of-range"],
)
def test_a_malformed_space_is_one_line_and_leaves_stored_studies_alone(path, value, place, study, run_dir, tmp_path):
    raw = yaml.safe_load((SPACES / "quick.yaml").read_text())
    parent = raw
    for key in path[:-1]:
        parent = parent.setdefault(key, {})
    parent[path[-1]] = value
    space = tmp_path / "bad.yaml"
    space.write_text(yaml.safe_dump(raw))
    before = snapshot(run_dir)
    result = subprocess.run(
        [str(MMSEARCH), "run", "--space", str(space), "--run-dir", str(run_dir), "--device", "cpu", *study],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"mmsearch: error: {space}: {place}\n"
    assert snapshot(run_dir) == before  # the stored study unchanged, and no other created (e.g. synth-bad)
