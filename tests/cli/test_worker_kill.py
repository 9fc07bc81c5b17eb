"""``mmsearch run --workers 2`` under faults.

SIGKILL of one worker mid-trial (PostgreSQL): the other fails that trial, runs its retry, and the study ends with
exactly its budget of counted trials, every trial accounted for. Ctrl-C of the parent (journal): forwarded once to
the workers, whose running trials are recorded as interrupted.
"""

import json
import os
import signal
import subprocess
import time

import optuna
import pytest
from child_signals import take_sigint
from optuna.trial import TrialState

from mmsearch.study import counted_trials, open_storage

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EPOCHS = 60
BUDGET = 8


@pytest.fixture
def run_args(slow_run):
    return slow_run(EPOCHS, BUDGET)


def load(storage_url, study_name, tmp_path):
    storage = open_storage(storage_url, tmp_path / "runs", study_name)
    if study_name not in {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}:
        return None
    return optuna.load_study(study_name=study_name, storage=storage)


def a_running_worker_trial(run, storage_url, study_name, tmp_path):
    """Wait for a running trial of a worker process (not the parent) that has reported its first epochs, is far
    from its last and leaves trials of the budget to come; its number and its worker's pid."""
    deadline = time.time() + 180
    while time.time() < deadline and run.poll() is None:
        study = load(storage_url, study_name, tmp_path)
        for trial in study.get_trials(states=(TrialState.RUNNING,)) if study else []:
            pid = trial.user_attrs.get("worker", {}).get("pid")
            early = 2 <= len(trial.intermediate_values) <= EPOCHS // 2 and trial.number < BUDGET - 2
            if pid not in (None, run.pid) and early:
                return trial.number, pid
        time.sleep(0.1)
    run.kill()
    pytest.fail("no running trial of a worker process was seen")


def test_sigkilled_worker_is_replaced_by_a_retry_and_the_budget_is_exact(run_args, postgres_study, tmp_path):
    run = subprocess.Popen([*run_args, "--study", postgres_study, "--storage", POSTGRES], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    _, pid = a_running_worker_trial(run, POSTGRES, postgres_study, tmp_path)
    os.kill(pid, signal.SIGKILL)
    out, err = run.communicate(timeout=240)
    assert run.returncode == 0, err
    assert f"(pid {pid}) was killed by SIGKILL" in err and f"{BUDGET}/{BUDGET} trials finished" in out

    study = load(POSTGRES, postgres_study, tmp_path)
    trials = study.trials
    [killed] = [t for t in trials if t.user_attrs.get("fail_reason") == f"worker {pid} died"]
    assert killed.state == TrialState.FAIL
    retries = [t for t in trials if "retry_of" in t.user_attrs]
    assert [t.user_attrs["retry_of"] for t in retries] == [killed.number]
    assert retries[0].state == TrialState.COMPLETE and retries[0].user_attrs["spec"] == killed.user_attrs["spec"]
    for trial in trials:
        assert trial.state in (TrialState.COMPLETE, TrialState.PRUNED) or trial.user_attrs.get("fail_reason")
    specs = [json.dumps(t.user_attrs["spec"], sort_keys=True) for t in trials if t.number != killed.number]
    assert len(set(specs)) == len(specs) == BUDGET
    assert counted_trials(study) == BUDGET and len(trials) == BUDGET + 1


def test_ctrl_c_is_forwarded_to_the_workers_and_their_trials_are_recorded(run_args, tmp_path):
    run = subprocess.Popen([*run_args, "--study", "s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=take_sigint)  # fmt: skip
    number, _ = a_running_worker_trial(run, None, "s", tmp_path)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130 and "interrupted; finished trials are stored" in err and "Traceback" not in err
    trials = load(None, "s", tmp_path).trials
    assert all(trial.state.is_finished() for trial in trials) and counted_trials(load(None, "s", tmp_path)) < BUDGET
    interrupted = [t for t in trials if t.state == TrialState.FAIL]
    assert number in {t.number for t in interrupted} and len(interrupted) <= 2
    assert all(t.user_attrs["fail_reason"] == "interrupted" and "retry_of" not in t.user_attrs for t in interrupted)
