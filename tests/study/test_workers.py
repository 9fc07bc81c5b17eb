"""Several workers on one study: the budget holds, a dead worker's trial is failed and retried once, and the claim
lock and the two dead-worker mechanisms (pid check, PostgreSQL heartbeat) never act twice."""

import json
import os
import socket
import subprocess
import threading
import time
import uuid

import optuna
import pytest
import torch
from optuna.storages import RDBStorage
from optuna.trial import TrialState

from mmsearch.errors import StorageError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, counted_trials, join_study, open_storage, run_study
from mmsearch.study.claim import AdvisoryClaimLock, FileClaimLock
from mmsearch.study.reaper import fail_dead_trials
from mmsearch.study.retry import STALE_REASON, retry_stale_trial
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()
CPU = torch.device("cpu")
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def options(tmp_path, n_trials, **changes):
    values = dict(study_name="s", storage_url=None, run_dir=tmp_path, n_trials=n_trials, show_progress=False)
    return RunOptions(**{**values, **changes})


def space(**raw):
    return parse_space({**tiny_space(max_epochs=2), **raw}, REGISTRY)


def test_two_worker_processes_share_the_budget_of_a_journal_study(tmp_path):
    study = run_study(tiny_dataset(), space(), REGISTRY, CPU, options(tmp_path, 6, workers=2))
    trials = study.trials
    assert counted_trials(study) == 6 and len(trials) == 6
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    pids = {trial.user_attrs["worker"]["pid"] for trial in trials}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert len({json.dumps(trial.user_attrs["spec"], sort_keys=True) for trial in trials}) == 6
    assert study.user_attrs["budget"] == 6 and study.user_attrs["search"] == {
        "seed": 0,
        "sampler": "tpe",
        "pruner": "none",
        "objectives": ["recall"],
        "memory_cap_mb": None,
        "keep_models": 0,
    }


def test_a_killed_workers_trial_is_failed_retried_once_as_the_same_preset_and_the_budget_is_exact(tmp_path):
    """A live process stands for another worker running a preset trial; once it is killed, this worker (which has
    waited for it, as the budget was full) fails that trial, runs its retry, and stops at the budget."""
    raw = {"baselines": ["bpr_mf"]}
    storage = open_storage(None, tmp_path, "s")
    study = optuna.create_study(study_name="s", storage=storage, direction="maximize")
    study.enqueue_trial({}, user_attrs={"preset": "bpr_mf"})
    other = subprocess.Popen(["sleep", "120"])
    held = study.ask()
    held.set_user_attr("worker", {"host": socket.gethostname(), "pid": other.pid})

    def kill_once_the_rest_is_done():
        deadline = time.time() + 120
        while time.time() < deadline and sum(t.state == TrialState.COMPLETE for t in study.get_trials()) < 2:
            time.sleep(0.1)
        other.kill()
        other.wait()

    killer = threading.Thread(target=kill_once_the_rest_is_done)
    killer.start()
    try:
        run_study(tiny_dataset(), space(**raw), REGISTRY, CPU, options(tmp_path, 3))
    finally:
        killer.join()
    trials = study.get_trials()
    assert counted_trials(study) == 3 and len(trials) == 4
    failed = trials[held.number]
    assert failed.state == TrialState.FAIL and failed.user_attrs["fail_reason"] == f"worker {other.pid} died"
    retries = [t for t in trials if t.user_attrs.get("retry_of") == held.number]
    assert len(retries) == 1 and retries[0].state == TrialState.COMPLETE
    assert retries[0].user_attrs["preset"] == "bpr_mf" and retries[0].user_attrs["label"].startswith("[bpr_mf]")
    assert retries[0].user_attrs["retry_reason"] == f"worker {other.pid} died"
    fail_dead_trials(study)  # a second look finds nothing more to fail or retry
    assert len(study.get_trials()) == 4


def test_joining_needs_the_studys_data_and_an_existing_study(tmp_path):
    dataset = tiny_dataset()
    run_study(dataset, space(), REGISTRY, CPU, options(tmp_path, 1))
    with pytest.raises(StorageError, match=r"was created on other data \(tiny, fingerprint [0-9a-f]+; given tiny"):
        join_study(tiny_dataset(seed=3), REGISTRY, CPU, options(tmp_path, 2))
    with pytest.raises(StorageError, match="no study 'other' in .*journal.log; start it with mmsearch run"):
        join_study(dataset, REGISTRY, CPU, options(tmp_path, 2, study_name="other"))
    assert not (tmp_path / "other").exists()
    study = join_study(dataset, REGISTRY, CPU, options(tmp_path, 2))  # the stored budget (1) is already used
    assert counted_trials(study) == 1


def test_claim_locks_exclude_each_other(tmp_path):
    engine = RDBStorage(POSTGRES).engine
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    pairs = [
        (FileClaimLock(tmp_path / "journal.log.claim"), FileClaimLock(tmp_path / "journal.log.claim")),
        (AdvisoryClaimLock(engine, name), AdvisoryClaimLock(engine, name)),
    ]
    for first, second in pairs:
        acquired = threading.Event()

        def take(lock=second, event=acquired):
            with lock:
                event.set()

        with first:
            waiter = threading.Thread(target=take)
            waiter.start()
            assert not acquired.wait(0.3)
        assert acquired.wait(10)
        waiter.join()


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_pid_check_and_heartbeat_never_both_retry_a_trial(tmp_path):
    """On PostgreSQL a dead local worker's trial is failed by the pid check (first); the heartbeat then fails only
    the stale trial of another host; each is retried exactly once."""
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    storage = RDBStorage(
        POSTGRES, heartbeat_interval=1, grace_period=1, heartbeat_stale_trial_callback=retry_stale_trial
    )
    study = optuna.create_study(study_name=name, storage=storage, direction="maximize")
    try:
        dead = subprocess.Popen(["true"])
        dead.wait()
        local, remote = study.ask(), study.ask()
        local.set_user_attr("worker", {"host": socket.gethostname(), "pid": dead.pid})
        remote.set_user_attr("worker", {"host": "elsewhere", "pid": 1})
        for trial in (local, remote):
            storage.record_heartbeat(trial._trial_id)
        time.sleep(2.5)  # both heartbeats are stale now
        fail_dead_trials(study)
        fail_dead_trials(study)
        trials = study.get_trials()
        assert [t.state for t in trials[:2]] == [TrialState.FAIL, TrialState.FAIL]
        assert trials[0].user_attrs["fail_reason"] == f"worker {dead.pid} died"
        retries = {t.user_attrs["retry_of"]: t for t in trials[2:]}
        assert len(trials) == 4 and set(retries) == {local.number, remote.number}
        assert retries[remote.number].user_attrs["retry_reason"] == STALE_REASON
        assert all(t.state == TrialState.WAITING and "worker" not in t.user_attrs for t in retries.values())
    finally:
        optuna.delete_study(study_name=name, storage=storage)
