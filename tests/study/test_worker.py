"""A worker's wait for the budget: bounded when only trials that nothing here can watch hold it; a claim whose lock
was lost with its database connection gives its place back when another claim filled the budget meanwhile."""

from datetime import datetime

import optuna
import pytest
import sqlalchemy
import torch
from optuna.trial import TrialState
from postgres_backends import new_tag, tagged_url, terminate_backends

import mmsearch.study.worker as worker
from mmsearch.errors import StorageError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, counted_trials, open_storage, run_study
from mmsearch.study.claim import AdvisoryClaimLock
from mmsearch.study.provenance import worker_identity
from mmsearch.study.trial_attrs import LOST_CLAIM
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()


def test_a_budget_held_by_a_trial_of_another_host_on_a_journal_is_waited_for_a_bounded_time(tmp_path, monkeypatch):
    """The journal keeps no heartbeat, so nothing here can tell whether the other host's worker lives."""
    monkeypatch.setattr(worker, "UNWATCHED_WAIT_SECONDS", 2.0)
    study = optuna.create_study(study_name="s", storage=open_storage(None, tmp_path, "s"), direction="maximize")
    elsewhere = study.ask()
    elsewhere.set_user_attr("worker", {"host": "gone-host", "pid": 4242, "started": "its boot:1"})
    options = RunOptions("s", None, tmp_path, n_trials=2, show_progress=False)
    with pytest.raises(StorageError) as raised:
        run_study(
            tiny_dataset(), parse_space(tiny_space(max_epochs=2), REGISTRY), REGISTRY, torch.device("cpu"), options
        )
    waited = (datetime.now() - study.get_trials()[1].datetime_complete).total_seconds()
    assert 2.0 <= waited < 2.0 + 3 * worker.POLL_SECONDS + 2
    message = str(raised.value)
    assert message.startswith("study 's' waited 2 s for its last trials, held by trial 0 on host 'gone-host' (pid 4242")
    assert "this storage keeps no heartbeat" in message and "\n" not in message
    states = [trial.state for trial in study.get_trials()]
    assert states == [TrialState.RUNNING, TrialState.COMPLETE]  # the other host's trial is left alone


@pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")
def test_a_claim_that_lost_its_lock_gives_its_place_back_to_an_overlapping_claim(tmp_path):
    """The lock's backend is terminated between the budget count and the new trial; meanwhile another worker's
    claim (a running trial of a live worker) fills the budget of one."""
    tag = new_tag()
    study = optuna.create_study(study_name=tag, storage=open_storage(tagged_url(tag), tmp_path, tag))
    study.enqueue_trial({"x": 0.5}, user_attrs={"preset": "p"})
    lock_engine = sqlalchemy.create_engine(tagged_url(f"{tag}-lock").replace("postgresql://", "postgresql+psycopg://"))
    ran = []
    rival = []

    def sampler_after_an_overlap(started):
        if not rival:
            assert terminate_backends(f"{tag}-lock") == 1
            rival.append(study._storage.create_new_trial(study._study_id))
            study._storage.set_trial_user_attr(rival[0], "worker", worker_identity())
        return optuna.samplers.RandomSampler(seed=started)

    def objective(trial):
        ran.append(trial.number)
        return trial.suggest_float("x", 0.0, 1.0)

    try:
        lock = AdvisoryClaimLock(lock_engine, tag)
        worker.work(study, objective, lock, limit=1, timeout=3, sampler=sampler_after_an_overlap)
        trials = study.get_trials()
        [gave_back] = [t for t in trials if t.state == TrialState.FAIL]
        assert gave_back.user_attrs["fail_reason"] == LOST_CLAIM and gave_back.user_attrs["preset"] == "p"
        assert ran == [] and counted_trials(study) == 0
        [requeued] = [t for t in trials if t.state == TrialState.WAITING]
        assert requeued.system_attrs["fixed_params"] == {"x": 0.5} and requeued.user_attrs == {"preset": "p"}
        assert [t._trial_id for t in trials if t.state == TrialState.RUNNING] == rival
    finally:
        lock_engine.dispose()
        optuna.delete_study(study_name=tag, storage=study._storage)
