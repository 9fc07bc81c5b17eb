"""``mmsearch run --keep-models`` and ``mmsearch recommend`` end to end through ``mmsearch.cli.main.main``."""

from pathlib import Path

import pytest
import yaml

from mmsearch.cli.main import main
from mmsearch.data import load_dataset

SPACES = Path(__file__).resolve().parents[2] / "spaces"
TINY_TRAIN = {"embedding_dim": 8, "max_epochs": 3, "batch_size": 512, "patience": 2}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A two-trial study ``demo`` that kept its best model; returns the data folder, run directory and kept trial."""
    tmp = tmp_path_factory.mktemp("recommend")
    space = yaml.safe_load((SPACES / "quick.yaml").read_text())
    space["train"] = {**space["train"], **TINY_TRAIN}
    (tmp / "tiny.yaml").write_text(yaml.safe_dump(space))
    assert main(["data", "synth", str(tmp / "synth"), "--users", "120", "--items", "90"]) == 0
    run = ["run", "--space", str(tmp / "tiny.yaml"), "--data", str(tmp / "synth"), "--run-dir", str(tmp / "runs")]
    assert main([*run, "--study", "demo", "--trials", "2", "--keep-models", "1", "--device", "cpu", "--quiet"]) == 0
    kept = list((tmp / "runs" / "demo" / "models").glob("trial-*.pt"))
    assert len(kept) == 1
    return tmp / "synth", tmp / "runs", int(kept[0].stem.split("-")[1])


def recommend(study, *args):
    data, runs, _ = study
    return main(["recommend", "--study", "demo", "--data", str(data), "--run-dir", str(runs), "--device", "cpu", *args])


def test_recommend_prints_the_top_k_unseen_items_with_scores(study, capsys):
    data, _, trial = study
    capsys.readouterr()
    assert recommend(study, "--trial", str(trial), "--user", "5", "-k", "4") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"top 4 items for user 5 from trial {trial} (training items excluded)"
    assert lines[1].split() == ["rank", "item", "score"]
    rows = [line.split() for line in lines[2:]]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    scores = [float(row[2]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    seen = set(load_dataset(data).train[5].indices.tolist())
    assert not {int(row[1]) for row in rows} & seen


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trial", "7", "--user", "5"], "study 'demo' has no trial 7; its trials: 0..1"),
        (["--trial", "{other}", "--user", "5"], "has no kept model in"),
        (["--trial", "{kept}", "--user", "120"], "user '120' is out of range: synth has users 0..119"),
    ],
)
def test_recommend_mistakes_are_one_line_errors(study, args, message, capsys):
    _, _, trial = study
    code = recommend(study, *(arg.format(kept=trial, other=1 - trial) for arg in args))
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("mmsearch: error:") and message in err and err.count("\n") == 1


def test_run_refuses_a_negative_keep_models_or_a_non_positive_memory_cap(capsys):
    for option, value, message in (
        ("--keep-models", "-1", "argument --keep-models: must be at least 0, got -1"),
        ("--memory-cap-mb", "0", "argument --memory-cap-mb: must be a finite number greater than 0, got 0"),
    ):
        assert main(["run", "--space", "no-such.yaml", option, value]) == 2
        assert message in capsys.readouterr().err
