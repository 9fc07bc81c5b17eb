"""``mmsearch retrain`` end to end through ``mmsearch.cli.main.main``."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from mmsearch.cli.main import main

SPACES = Path(__file__).resolve().parents[2] / "spaces"
TINY_TRAIN = {"embedding_dim": 8, "max_epochs": 3, "batch_size": 512, "patience": 2}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A one-trial study ``demo`` on a small synthetic folder; returns the folder and the run directory."""
    tmp = tmp_path_factory.mktemp("retrain")
    space = yaml.safe_load((SPACES / "quick.yaml").read_text())
    space["train"] = {**space["train"], **TINY_TRAIN}
    (tmp / "tiny.yaml").write_text(yaml.safe_dump(space))
    for seed in (0, 1):
        args = ["data", "synth", str(tmp / f"synth{seed}"), "--users", "120", "--items", "90", "--seed", str(seed)]
        assert main(args) == 0
    run = ["run", "--space", str(tmp / "tiny.yaml"), "--data", str(tmp / "synth0"), "--run-dir", str(tmp / "runs")]
    assert main([*run, "--study", "demo", "--trials", "1", "--device", "cpu", "--quiet"]) == 0
    return tmp / "synth0", tmp / "runs"


def test_retrain_prints_seeds_and_mean_and_writes_the_per_user_vectors(study, capsys):
    data, runs = study
    capsys.readouterr()
    args = ["retrain", "0", "--study", "demo", "--data", str(data), "--run-dir", str(runs), "--seeds", "2"]
    assert main([*args, "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("trial 0 (") and lines[0].endswith("re-trained under 2 seed(s)")
    assert [line.split()[0] for line in lines[2:4]] == ["0", "1"] and lines[4].startswith("mean ± std")
    assert lines[5].startswith("test recall@20 by slice: ") and "tail_items " in lines[5] and "±" in lines[5]
    assert lines[6] == f"per-user vectors: {runs / 'demo' / 'retrain-0.npz'}"
    assert "seed 0: valid recall@20" in captured.err and "seed 1: valid recall@20" in captured.err
    with np.load(runs / "demo" / "retrain-0.npz") as vectors:
        assert vectors["test_ndcg@20"].shape == (2, 120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0", "--data", "{other}"], "study 'demo' was created on other data (synth0, fingerprint"),
        (["5", "--data", "{data}"], "study 'demo' has no trial 5; its trials: 0..0"),
        (["0", "--data", "{data}", "--seeds", "0"], "argument --seeds: must be at least 1, got 0"),
        (["0", "--data", "{data}", "--study", "nothing"], "no study 'nothing' in"),
    ],
)
def test_retrain_mistakes_are_one_line_errors(study, args, message, capsys):
    data, runs = study
    filled = [arg.format(data=data, other=data.parent / "synth1") for arg in args]
    code = main(["retrain", "--study", "demo", "--run-dir", str(runs), "--device", "cpu", *filled])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("mmsearch: error:") and message in err and err.count("\n") == 1
