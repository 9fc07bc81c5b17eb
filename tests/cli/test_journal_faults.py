"""A corrupt or truncated journal file: a one-line error naming the file, exit code 2, and the file left as it was."""

from pathlib import Path

import optuna
import pytest

from mmsearch.cli.main import main
from mmsearch.errors import StorageError
from mmsearch.study import open_storage

STUDY = "faulty"
QUICK = Path(__file__).resolve().parents[2] / "spaces" / "quick.yaml"


@pytest.fixture
def journal(tmp_path):
    """A journal of three finished trials, and its bytes."""
    storage = open_storage(None, tmp_path, STUDY)
    study = optuna.create_study(study_name=STUDY, storage=storage)
    study.optimize(lambda trial: trial.suggest_float("x", 0.0, 1.0), n_trials=3)
    path = tmp_path / STUDY / "journal.log"
    return path, path.read_bytes()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda good: good[:-40], "the journal is truncated"),
        (lambda good: b"garbage\x00\xff not json\n", "cannot read the journal"),
        (lambda good: good.replace(b'"op_code"', b'"op_code', 1), "cannot read the journal"),
    ],
    ids=["truncated", "garbage", "broken-record"],
)
def test_a_damaged_journal_is_refused_and_kept(journal, damage, message, capsys):
    path, good = journal
    path.write_bytes(damage(good))
    damaged = path.read_bytes()
    with pytest.raises(StorageError, match=message):
        open_storage(None, path.parent.parent, STUDY)
    for command in (["trials"], ["run", "--space", str(QUICK), "--trials", "1"]):
        code = main([*command, "--study", STUDY, "--run-dir", str(path.parent.parent)])
        err = capsys.readouterr().err
        assert code == 2 and message in err and str(path) in err and err.count("\n") == 1
    assert path.read_bytes() == damaged


def test_an_intact_journal_opens(journal):
    path, _ = journal
    study = optuna.load_study(study_name=STUDY, storage=open_storage(None, path.parent.parent, STUDY))
    assert len(study.trials) == 3
