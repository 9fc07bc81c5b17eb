"""``mmsearch run --workers N`` and ``mmsearch worker``, end to end through ``mmsearch.cli.main.main``."""

import os
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from mmsearch.cli.main import main
from mmsearch.study import open_storage, study_settings

SPACES = Path(__file__).resolve().parents[2] / "spaces"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TINY_TRAIN = {"embedding_dim": 8, "max_epochs": 2, "batch_size": 512, "patience": 2}


@pytest.fixture
def tiny_space(tmp_path):
    space = yaml.safe_load((SPACES / "quick.yaml").read_text())
    space["train"] = {**space["train"], **TINY_TRAIN}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(space))
    return path


@pytest.fixture
def synth(tmp_path):
    def write(users):
        folder = tmp_path / f"synth-{users}"
        assert main(["data", "synth", str(folder), "--users", str(users), "--items", "90"]) == 0
        return str(folder)

    return write


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_with_two_workers_on_the_default_journal(tiny_space, synth, tmp_path, capsys):
    runs = tmp_path / "runs"
    args = ["run", "--space", str(tiny_space), "--data", synth(120), "--run-dir", str(runs), "--study", "par"]
    code, out, err = run([*args, "--device", "cpu", "--trials", "4", "--workers", "2"], capsys)
    assert code == 0, err
    assert "4/4 trials finished" in out and "4 complete" in out
    trials = optuna.load_study(study_name="par", storage=open_storage(None, runs, "par")).trials
    assert len(trials) == 4 and os.getpid() not in {t.user_attrs["worker"]["pid"] for t in trials}


def test_sqlite_with_two_workers_is_refused_in_one_line(tiny_space, tmp_path, capsys):
    args = ["run", "--space", str(tiny_space), "--storage", f"sqlite:///{tmp_path}/db.sqlite", "--workers", "2"]
    code, _, err = run([*args, "--run-dir", str(tmp_path), "--device", "cpu"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("mmsearch: error: SQLite cannot be shared by several workers")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "0"], "argument --workers: must be at least 1, got 0"),
        (["--devices", "cpu"], "--devices needs --workers 2 or more"),
        (["--workers", "2", "--devices", "cuda:7"], "cuda:7"),
    ],
)
def test_bad_worker_options_are_one_line_errors(extra, message, tiny_space, tmp_path, capsys):
    code, _, err = run(["run", "--space", str(tiny_space), "--run-dir", str(tmp_path), *extra], capsys)
    assert code == 2 and err.count("\n") == 1 and message in err


def test_worker_joins_a_postgresql_study_without_its_space_file(tiny_space, synth, postgres_study, tmp_path, capsys):
    data = synth(120)
    study = ["--study", postgres_study, "--storage", POSTGRES, "--device", "cpu"]
    # The first run only records the study (space, data, budget); no trial starts within a zero timeout.
    code, out, err = run(
        ["run", "--space", str(tiny_space), "--data", data, *study, "--trials", "3", "--timeout", "0"], capsys
    )
    assert code == 0 and "0/3 trials finished" in out, err

    code, out, err = run(["worker", "--data", data, *study, "--trials", "9", "--run-dir", str(tmp_path)], capsys)
    assert code == 0, err
    assert "has a budget of 3 trials; --trials cannot raise it" in err
    assert "3/3 trials finished" in out and "3 complete" in out
    assert (tmp_path / postgres_study / "space.yaml").exists()
    stored = optuna.load_study(study_name=postgres_study, storage=open_storage(POSTGRES, tmp_path, postgres_study))
    assert [t.state for t in stored.trials] == [TrialState.COMPLETE] * 3
    assert {t.user_attrs["worker"]["pid"] for t in stored.trials} == {os.getpid()}

    code, _, err = run(["worker", "--data", synth(130), *study], capsys)
    assert code == 2 and err.count("\n") == 1
    assert f"study '{postgres_study}' was created on other data (synth-120, fingerprint" in err


@pytest.mark.parametrize(
    ("storage", "message"),
    [
        (None, "no study 'nothing' in {tmp}/nothing/journal.log; start it with mmsearch run"),
        (POSTGRES, "no study 'nothing' in this storage; start it with mmsearch run"),
        ("sqlite:///{tmp}/db.sqlite", "SQLite cannot be shared by several workers"),
    ],
)
def test_worker_refuses_a_missing_study_or_sqlite_in_one_line(storage, message, tmp_path, capsys):
    args = ["worker", "--study", "nothing", "--run-dir", str(tmp_path), "--device", "cpu"]
    code, _, err = run([*args, *(["--storage", storage.format(tmp=tmp_path)] if storage else [])], capsys)
    assert code == 2 and err.count("\n") == 1 and message.format(tmp=tmp_path) in err


def test_worker_uses_the_objectives_the_study_was_created_with(tiny_space, synth, tmp_path, capsys):
    data, runs = synth(120), tmp_path / "runs"
    study = ["--study", "mo", "--run-dir", str(runs), "--device", "cpu", "--quiet"]
    args = ["run", "--space", str(tiny_space), "--data", data, *study, "--trials", "2", "--timeout", "0"]
    code, out, err = run([*args, "--objectives", "recall,memory"], capsys)
    assert code == 0 and "0/2 trials finished" in out, err
    code, out, err = run(["worker", "--data", data, *study], capsys)
    assert code == 0 and "2/2 trials finished" in out, err
    stored = optuna.load_study(study_name="mo", storage=open_storage(None, runs, "mo"))
    assert [len(t.values) for t in stored.trials] == [2, 2]
    assert [t.values[1] for t in stored.trials] == [t.user_attrs["peak_memory_mb"] for t in stored.trials]


def test_worker_keeps_models_and_caps_memory_as_the_study_asks(tiny_space, synth, tmp_path, capsys):
    data, runs = synth(120), tmp_path / "runs"
    study = ["--study", "kept", "--run-dir", str(runs), "--device", "cpu", "--quiet"]
    args = ["run", "--space", str(tiny_space), "--data", data, *study, "--trials", "3", "--timeout", "0"]
    code, out, err = run([*args, "--keep-models", "1", "--memory-cap-mb", "65536"], capsys)
    assert code == 0 and "0/3 trials finished" in out, err
    assert study_settings(None, runs, "kept").memory_cap_mb == 65536
    code, out, err = run(["worker", "--data", data, *study], capsys)
    assert code == 0 and "3/3 trials finished" in out, err
    stored = optuna.load_study(study_name="kept", storage=open_storage(None, runs, "kept"))
    best = max(stored.trials, key=lambda trial: trial.value)
    assert [path.name for path in (runs / "kept" / "models").iterdir()] == [f"trial-{best.number}.pt"]
