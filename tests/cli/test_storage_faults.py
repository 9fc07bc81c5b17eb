"""Every PostgreSQL backend of a two-worker study terminated, again and again, from its first finished trial to its
end: the workers reconnect and the study ends with exactly its budget, no trial lost or run twice."""

import json
import subprocess
import time

import optuna
import pytest
from optuna.trial import TrialState
from postgres_backends import new_tag, tagged_url, terminate_backends

from mmsearch.study import counted_trials, open_storage
from mmsearch.study.trial_attrs import LOST_CLAIM

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BUDGET = 6
EPOCHS = 20


@pytest.fixture
def command(slow_run):
    return slow_run(EPOCHS, BUDGET)


def trials(study_name, tmp_path):
    storage = open_storage(POSTGRES, tmp_path, study_name)
    if study_name not in {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}:
        return []
    return optuna.load_study(study_name=study_name, storage=storage).trials


def test_terminated_backends_lose_and_duplicate_no_trial(command, postgres_study, tmp_path):
    tag = new_tag()
    run = subprocess.Popen([*command, "--study", postgres_study, "--storage", tagged_url(tag)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.time() + 240
    while not any(t.state == TrialState.COMPLETE for t in trials(postgres_study, tmp_path)):
        if time.time() > deadline or run.poll() is not None:
            run.kill()
            pytest.fail(f"no trial completed: {run.communicate()[1][-2000:]}")
        time.sleep(0.2)
    terminated = rounds = 0
    while run.poll() is None:
        terminated += terminate_backends(tag)
        rounds += 1
        time.sleep(0.25)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err[-3000:]
    assert f"{BUDGET}/{BUDGET} trials finished" in out and "Traceback" not in err
    assert rounds >= 10 and terminated >= rounds  # several backends (workers, heartbeats, locks) each round

    stored = trials(postgres_study, tmp_path)
    complete = [t for t in stored if t.state == TrialState.COMPLETE]
    others = [t for t in stored if t.state != TrialState.COMPLETE]
    assert all(t.state == TrialState.FAIL and t.user_attrs["fail_reason"] == LOST_CLAIM for t in others)
    assert len(complete) == BUDGET and len({t.number for t in complete}) == BUDGET
    assert len({json.dumps(t.user_attrs["spec"], sort_keys=True) for t in complete}) == BUDGET
    assert len({json.dumps(t.params, sort_keys=True) for t in complete}) == BUDGET
    study = optuna.load_study(study_name=postgres_study, storage=open_storage(POSTGRES, tmp_path, postgres_study))
    assert counted_trials(study) == BUDGET
