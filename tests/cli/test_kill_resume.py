"""A search process killed (SIGKILL) or interrupted (SIGINT) mid-trial loses no finished trial and resumes."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from child_signals import take_sigint
from optuna.trial import TrialState

from mmsearch.study import open_storage

SPACES = Path(__file__).resolve().parents[2] / "spaces"


@pytest.fixture
def command(tmp_path):
    space = yaml.safe_load((SPACES / "quick.yaml").read_text())
    space["train"] = {**space["train"], "embedding_dim": 8, "max_epochs": 60, "patience": 60, "batch_size": 256}
    path = tmp_path / "slow.yaml"
    path.write_text(yaml.safe_dump(space))
    synth = tmp_path / "synth"
    subprocess.run(
        [sys.executable, "-m", "mmsearch.cli.main", "data", "synth", str(synth), "--users", "150", "--items", "100"],
        check=True,
        capture_output=True,
    )
    return [
        sys.executable,
        "-m",
        "mmsearch.cli.main",
        "run",
        "--space",
        str(path),
        "--data",
        str(synth),
        "--run-dir",
        str(tmp_path / "runs"),
        "--study",
        "s",
        "--device",
        "cpu",
    ]


def trials(tmp_path):
    storage = open_storage(None, tmp_path / "runs", "s")
    if not any(s.study_name == "s" for s in optuna.get_all_study_summaries(storage, include_best_trial=False)):
        return []
    return optuna.load_study(study_name="s", storage=storage).trials


def start_and_wait_for_a_running_trial_after_a_complete_one(command, tmp_path):
    process = subprocess.Popen([*command, "--trials", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=take_sigint)  # fmt: skip
    deadline = time.time() + 240
    while time.time() < deadline:
        stored = trials(tmp_path)
        states = [t.state for t in stored]
        # a running trial with epochs reported and half of them still to run, and a later trial of the budget to
        # come: the run is surely still going when the test acts (a loaded machine polls slowly)
        running = stored[-1] if stored and states[-1] == TrialState.RUNNING else None
        if TrialState.COMPLETE in states and running is not None and running.number < 2:
            if 1 <= len(running.intermediate_values) <= 30:
                return process
        time.sleep(0.2)
    process.kill()
    pytest.fail("no running trial appeared after a complete one")


def completed(tmp_path):
    return {t.number: t.value for t in trials(tmp_path) if t.state == TrialState.COMPLETE}


def test_sigkill_mid_trial_loses_nothing_and_the_study_resumes(command, tmp_path):
    process = start_and_wait_for_a_running_trial_after_a_complete_one(command, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    before = completed(tmp_path)
    assert len(before) >= 1
    killed = next(t for t in trials(tmp_path) if t.state == TrialState.RUNNING)

    rerun = subprocess.run([*command, "--trials", "3", "--timeout", "1"], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after = {t.number: t for t in trials(tmp_path)}
    assert {n: after[n].value for n in before} == before
    assert after[killed.number].state == TrialState.FAIL
    assert after[killed.number].user_attrs["fail_reason"] == f"worker {process.pid} died"


def test_ctrl_c_stops_cleanly_and_records_the_interrupted_trial(command, tmp_path):
    process = start_and_wait_for_a_running_trial_after_a_complete_one(command, tmp_path)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    before = {n: v for n, v in completed(tmp_path).items()}
    assert process.returncode == 130
    assert "interrupted; finished trials are stored" in err and "Traceback" not in err
    interrupted = [t for t in trials(tmp_path) if t.user_attrs.get("fail_reason") == "interrupted"]
    assert len(interrupted) == 1 and interrupted[0].state == TrialState.FAIL
    assert len(before) >= 1
    resumed = subprocess.run([*command, "--trials", "4", "--timeout", "1"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert {n: v for n, v in completed(tmp_path).items() if n in before} == before
