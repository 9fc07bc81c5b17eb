"""A worker is its pid and its start time: a pid that a later process reuses (after the worker ended, or after a
reboot) does not keep the dead worker's trial running."""

import os
import socket
import subprocess

import optuna
import pytest
import torch
from optuna.trial import TrialState

import mmsearch.study.process as process
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, counted_trials, open_storage, run_study
from mmsearch.study.process import is_running, process_start
from mmsearch.study.reaper import fail_dead_trials
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()


@pytest.fixture
def sleeper():
    """A live process that is not this one."""
    child = subprocess.Popen(["sleep", "120"])
    yield child
    child.kill()
    child.wait()


@pytest.mark.parametrize("source", ["proc", "ps"])
def test_the_start_time_tells_a_process_from_a_later_one_with_its_pid(source, sleeper, monkeypatch):
    if source == "ps":  # as on a system without /proc
        monkeypatch.setattr(process, "PROC", process.PROC / "missing")
    start = process_start(sleeper.pid)
    assert start is not None and process_start(sleeper.pid) == start != process_start(os.getpid())
    assert is_running(sleeper.pid, start) and is_running(sleeper.pid, None)
    assert not is_running(sleeper.pid, "another boot:1")
    sleeper.kill()
    sleeper.wait()
    assert not is_running(sleeper.pid, start) and process_start(sleeper.pid) is None


def test_a_trial_whose_pid_now_runs_another_process_is_failed_and_retried(tmp_path, sleeper):
    """The trial names a live pid, but with the start time of an earlier process (the dead worker)."""
    study = optuna.create_study(study_name="s", storage=open_storage(None, tmp_path, "s"), direction="maximize")
    host = socket.gethostname()
    reused, alive = study.ask(), study.ask()
    reused.set_user_attr("worker", {"host": host, "pid": sleeper.pid, "started": "an earlier boot:1234"})
    alive.set_user_attr("worker", {"host": host, "pid": sleeper.pid, "started": process_start(sleeper.pid)})
    fail_dead_trials(study)
    trials = study.get_trials()
    assert trials[reused.number].state == TrialState.FAIL and trials[alive.number].state == TrialState.RUNNING
    assert trials[reused.number].user_attrs["fail_reason"] == f"worker {sleeper.pid} died"
    study.tell(alive, 0.0)  # leaves the budget to the retry

    options = RunOptions("s", None, tmp_path, n_trials=2, show_progress=False)
    run_study(tiny_dataset(), parse_space(tiny_space(max_epochs=2), REGISTRY), REGISTRY, torch.device("cpu"), options)
    trials = study.get_trials()
    [retry] = [t for t in trials if "retry_of" in t.user_attrs]
    assert retry.user_attrs["retry_of"] == reused.number and retry.state == TrialState.COMPLETE
    assert counted_trials(study) == 2 and len(trials) == 3
    assert retry.user_attrs["worker"]["started"] == process_start(os.getpid())
