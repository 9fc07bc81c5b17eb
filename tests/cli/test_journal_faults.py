"""A corrupt or truncated journal file: a one-line error naming the file, exit code 2, and the file left as it was.
A full disk under the journal: a one-line error, exit code 2, the journal loads with every finished trial, and the
same command resumes once there is room."""

import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from mmsearch.cli.main import main
from mmsearch.errors import StorageError
from mmsearch.study import counted_trials, open_storage

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


@pytest.fixture
def small_disk(tmp_path):
    """A 32 KiB tmpfs (room for about two trials' records), mounted for the test; ``resize(kib)`` grows it."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")

    def resize(kib):
        subprocess.run(["mount", "-o", f"remount,size={kib}k", str(mount_point)], check=True)

    yield mount_point, resize
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_a_full_disk_stops_the_run_with_one_line_and_keeps_every_finished_trial(small_disk, tmp_path):
    disk, resize = small_disk
    journal = disk / "journal.log"
    space = yaml.safe_load(QUICK.read_text())
    space["train"] = {**space["train"], "embedding_dim": 8, "max_epochs": 5, "patience": 5, "batch_size": 256}
    (tmp_path / "short.yaml").write_text(yaml.safe_dump(space))
    assert main(["data", "synth", str(tmp_path / "synth"), "--users", "150", "--items", "100"]) == 0
    command = [sys.executable, "-m", "mmsearch.cli.main", "run", "--space", str(tmp_path / "short.yaml"),
               "--data", str(tmp_path / "synth"), "--run-dir", str(tmp_path / "runs"), "--study", STUDY,
               "--storage", str(journal), "--device", "cpu", "--quiet"]  # fmt: skip
    run = subprocess.Popen([*command, "--trials", "10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = {}  # every trial seen complete while the run went on
    while run.poll() is None:
        if journal.exists():
            seen |= completed(journal)
        time.sleep(0.2)
    _, err = run.communicate()
    errors = [line for line in err.splitlines() if line.startswith("mmsearch: error:")]
    assert run.returncode == 2 and "Traceback" not in err and len(errors) == 1
    assert errors[0] == (
        f"mmsearch: error: {journal}: cannot write the journal (No space left on device); the failed write was "
        "undone and every record before it is kept: make room, then run the same command to resume"
    )

    kept = completed(journal)  # the journal loads (no cut-off record) with every finished trial
    assert len(kept) >= 1 and {n: kept[n] for n in seen} == seen
    study = optuna.load_study(study_name=STUDY, storage=open_storage(str(journal), tmp_path, STUDY))
    # the failed write cut off the trial it belonged to, or none when it was the record that creates a trial
    cut_off = [t.number for t in study.trials if not t.state.is_finished()]
    assert len(cut_off) <= 1
    budget = len(kept) + 1

    resize(1024)
    resumed = subprocess.run([*command, "--trials", str(budget)], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    study = optuna.load_study(study_name=STUDY, storage=open_storage(str(journal), tmp_path, STUDY))
    assert {n: v for n, v in completed(journal).items() if n in kept} == kept and counted_trials(study) == budget
    assert all(study.trials[number].user_attrs["fail_reason"].endswith(" died") for number in cut_off)
    assert [t.user_attrs.get("retry_of") for t in study.trials if "retry_of" in t.user_attrs] == cut_off


def completed(journal):
    """Trial number -> value of the complete trials of the journal."""
    study = optuna.load_study(study_name=STUDY, storage=open_storage(str(journal), journal.parent, STUDY))
    return {t.number: t.value for t in study.trials if t.state == TrialState.COMPLETE}


def test_a_journal_whose_folder_cannot_be_made_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    journal = blocker / "journal.log"
    with pytest.raises(StorageError, match="cannot create the journal's folder"):
        open_storage(str(journal), tmp_path, STUDY)
    code = main(["trials", "--study", STUDY, "--storage", str(journal), "--run-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and str(journal) in err
