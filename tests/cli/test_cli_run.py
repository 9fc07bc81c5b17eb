"""The commands a user types, end to end through ``mmsearch.cli.main.main``."""

from pathlib import Path

import pytest
import yaml

from mmsearch.cli.main import main
from mmsearch.registry import Registry

SPACES = Path(__file__).resolve().parents[2] / "spaces"
TINY_TRAIN = {"embedding_dim": 8, "max_epochs": 3, "batch_size": 512, "patience": 2}


@pytest.fixture
def tiny_space(tmp_path):
    space = yaml.safe_load((SPACES / "quick.yaml").read_text())
    space["train"] = {**space["train"], **TINY_TRAIN}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(space))
    return path


@pytest.fixture
def synth_folder(tmp_path):
    assert main(["data", "synth", str(tmp_path / "synth"), "--users", "120", "--items", "90"]) == 0
    return tmp_path / "synth"


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_run_prints_a_leaderboard_and_resumes(tiny_space, synth_folder, tmp_path, capsys):
    base = [
        "run",
        "--space",
        str(tiny_space),
        "--data",
        str(synth_folder),
        "--run-dir",
        str(tmp_path / "runs"),
        "--study",
        "demo",
        "--device",
        "cpu",
    ]
    code, out, err = run([*base, "--trials", "2"], capsys)
    assert code == 0, err
    assert "2/2 trials finished" in out and "val R@20" in out and "test R@20" in out
    assert "cold R@20" in out and "tail R@20" in out
    assert "[1/2] trial 0:" in err and "[2/2] trial 1:" in err
    code, out, _ = run([*base, "--trials", "3"], capsys)
    assert code == 0 and "3/3 trials finished" in out and "3 complete" in out
    code, out, _ = run(["trials", "--study", "demo", "--run-dir", str(tmp_path / "runs")], capsys)
    assert code == 0 and "3 complete" in out
    code, out, _ = run(["best", "--study", "demo", "--run-dir", str(tmp_path / "runs")], capsys)
    assert code == 0 and "best trial" in out and "recall@20" in out and '"encoder"' in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--space", "no-such-space.yaml"], "no-such-space.yaml: cannot read space file"),
        (["run", "--space", "{space}", "--data", "/no/such/folder"], "/no/such/folder"),
        (["run", "--space", "{space}", "--device", "cuda:7"], "cuda:7"),
        (["trials", "--study", "nothing-here", "--run-dir", "{tmp}"], "no study 'nothing-here' in"),
        (["run", "--space", "{space}", "--storage", "mysql://x"], "unsupported storage 'mysql://x'"),
    ],
)
def test_user_mistakes_are_one_line_errors_with_exit_code_2(args, message, tiny_space, tmp_path, capsys):
    filled = [a.format(space=tiny_space, tmp=tmp_path) for a in args]
    code, _, err = run([*filled, "--run-dir", str(tmp_path)] if filled[0] == "run" else filled, capsys)
    assert code == 2
    assert err.startswith("mmsearch: error:") and message in err
    assert err.count("\n") == 1


def test_invalid_space_is_refused_before_training(tmp_path, capsys):
    space = tmp_path / "bad.yaml"
    space.write_text(
        yaml.safe_dump(
            {
                "axes": {
                    "encoder": {"transformer": {}},
                    "transform": {"linear": {}},
                    "timing": {"early": {}},
                    "fusion": {"sum": {}},
                    "loss": {"bpr": {}},
                }
            }
        )
    )
    code, _, err = run(["run", "--space", str(space), "--run-dir", str(tmp_path)], capsys)
    assert code == 2 and f"unknown encoder 'transformer'; available: {', '.join(Registry().names('encoder'))}" in err
    assert not (tmp_path / "synth-bad").exists()


def test_plugins_list_shows_every_built_in(capsys):
    code, out, _ = run(["plugins", "list"], capsys)
    assert code == 0
    for kind, name in [("extractor", "provided"), ("encoder", "lightgcn"), ("timing", "late"), ("loss", "bpr")]:
        assert any(line.split()[:2] == [kind, name] and line.split()[2] == "mmsearch" for line in out.splitlines())


def test_a_multi_objective_run_is_shown_by_every_command(tiny_space, synth_folder, tmp_path, capsys):
    runs = ["--study", "mo", "--run-dir", str(tmp_path / "runs")]
    base = ["run", "--space", str(tiny_space), "--data", str(synth_folder), *runs, "--device", "cpu", "--quiet"]
    code, out, err = run([*base, "--trials", "2", "--objectives", "recall,time,memory"], capsys)
    assert code == 0, err
    assert "2/2 trials finished" in out and "pareto: on the Pareto front of the study's objectives" in out
    code, out, _ = run(["trials", *runs], capsys)
    assert code == 0 and "peak MiB" in out and "pareto" in out
    code, out, _ = run(["best", *runs], capsys)
    assert code == 0 and "objectives: recall " in out and "on the Pareto front: " in out
    code, out, err = run(["report", *runs, "--format", "markdown"], capsys)
    assert code == 0, err
    assert "## Pareto front of the objectives" in out and "objectives: recall, time, memory" in out
    output = tmp_path / "mo.csv"
    assert run(["export", *runs, "--output", str(output)], capsys)[0] == 0
    assert "pareto" in output.read_text().splitlines()[0].split(",")

    code, _, err = run([*base, "--trials", "3"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "study 'mo' was created with --objectives recall,time,memory, not recall;" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--objectives", "recall,time", "--pruner", "median"], "--pruner median cannot prune a study with several"),
        (["--objectives", "time"], "--objectives 'time': give at least one of recall, cold_recall, tail_recall"),
    ],
)
def test_bad_objectives_are_one_line_errors(extra, message, tiny_space, synth_folder, tmp_path, capsys):
    args = ["run", "--space", str(tiny_space), "--data", str(synth_folder), "--run-dir", str(tmp_path / "runs")]
    code, _, err = run([*args, "--device", "cpu", *extra], capsys)
    assert code == 2 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "runs").exists()
