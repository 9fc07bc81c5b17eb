"""A PostgreSQL backend terminated in the middle of a storage call: the call is repeated on a new connection, for a
bounded time; the claim lock reports a lock lost with its connection."""

import threading
import time

import optuna
import pytest
import sqlalchemy
from optuna.trial import TrialState
from postgres_backends import new_tag, tagged_url, terminate_backends, waiting_backends

import mmsearch.study.reconnect as reconnect
from mmsearch.errors import StorageError
from mmsearch.study import open_storage
from mmsearch.study.claim import AdvisoryClaimLock

pytestmark = pytest.mark.filterwarnings("ignore:Heartbeat of storage is supposed to be used with Study.optimize")


@pytest.fixture
def tagged(tmp_path):
    """A study in the ``test`` database whose connections carry its name as application name; the storage, the
    study and a running trial held locked by another connection until ``release`` is set."""
    tag = new_tag()
    storage = open_storage(tagged_url(tag), tmp_path, tag)
    study = optuna.create_study(study_name=tag, storage=storage, direction="maximize")
    trial = study.ask()
    release = threading.Event()
    holding = threading.Event()

    holder_engine = sqlalchemy.create_engine(
        tagged_url(f"{tag}-holder").replace("postgresql://", "postgresql+psycopg://"), poolclass=sqlalchemy.NullPool
    )

    def hold_the_trial_row():
        with holder_engine.connect() as connection:  # another tag: not terminated
            connection.execute(
                sqlalchemy.text("SELECT 1 FROM trials WHERE trial_id = :id FOR UPDATE"), {"id": trial._trial_id}
            )
            holding.set()
            release.wait(30)
            connection.rollback()

    holder = threading.Thread(target=hold_the_trial_row)
    holder.start()
    assert holding.wait(10)
    yield tag, storage, study, trial, release
    release.set()
    holder.join()
    holder_engine.dispose()
    optuna.delete_study(study_name=tag, storage=storage)


def wait_until_blocked(tag):
    deadline = time.time() + 10
    while waiting_backends(tag) == 0:
        assert time.time() < deadline, "the storage call never reached the database"
        time.sleep(0.05)


def test_a_call_whose_backend_is_terminated_is_repeated_on_a_new_connection(tagged):
    tag, storage, study, trial, release = tagged
    outcome = {}
    call = threading.Thread(
        target=lambda: outcome.update(done=storage.set_trial_state_values(trial._trial_id, TrialState.COMPLETE, [0.5]))
    )
    call.start()
    wait_until_blocked(tag)  # inside its transaction, waiting for the row
    assert terminate_backends(tag) >= 1
    release.set()
    call.join(30)
    assert outcome == {"done": True}
    [stored] = study.get_trials()
    assert stored.state == TrialState.COMPLETE and stored.value == 0.5


def test_a_connection_lost_for_longer_than_the_bound_is_a_one_line_storage_error(tagged, monkeypatch):
    tag, storage, study, trial, _ = tagged
    monkeypatch.setattr(reconnect, "RECONNECT_SECONDS", 1.0)
    stop = threading.Event()

    def keep_terminating():
        while not stop.is_set():
            terminate_backends(tag)
            time.sleep(0.05)

    killer = threading.Thread(target=keep_terminating)
    killer.start()
    started = time.monotonic()
    try:
        with pytest.raises(StorageError) as raised:
            storage.set_trial_user_attr(trial._trial_id, "key", "value")
    finally:
        stop.set()
        killer.join()
    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert message.startswith("lost the database connection and could not regain it within 1 s (")
    assert "\n" not in message


def test_the_claim_lock_reports_a_lock_lost_with_its_connection(tmp_path):
    tag = new_tag()
    engine = sqlalchemy.create_engine(tagged_url(tag).replace("postgresql://", "postgresql+psycopg://"))
    lock, rival = AdvisoryClaimLock(engine, tag), AdvisoryClaimLock(engine, tag)
    lock.acquire()
    assert terminate_backends(tag) == 1  # the server releases the lock with the session
    rival.acquire()  # not blocked
    assert lock.release() is False
    assert rival.release() is True and rival.release() is True  # a second release does nothing
    engine.dispose()
