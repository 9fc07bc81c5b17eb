"""``mmsearch ablate`` end to end through the CLI: budget line, resumable runs, report JSON, one-line errors."""

import json

import pytest
import yaml

from mmsearch.cli.main import main
from mmsearch.data import write_synthetic
from mmsearch.testing import tiny_space


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ablate-cli")
    data = write_synthetic(folder / "data", n_users=60, n_items=60)
    space = folder / "space.yaml"
    space.write_text(yaml.safe_dump(tiny_space(max_epochs=2)))
    common = ["--data", str(data), "--run-dir", str(folder / "runs")]
    assert main(["run", "--space", str(space), "--study", "s", "--trials", "5", "--sampler", "random", "--quiet",
                 *common]) == 0  # fmt: skip
    return common


def test_ablate_prints_its_budget_then_the_report_carries_the_controlled_verdict(study, capsys):
    args = ["ablate", "--study", "s", "--axis", "timing", "--anchors", "top:2", "--seeds", "2", "--quiet", *study]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "2 anchor(s) x 2 choices (early, late) x 2 seed(s) = 8 trainings; 0 finished earlier" in err
    assert main(args) == 0
    assert "8 finished earlier, 0 copied from equal stored trials, 0 to train" in capsys.readouterr().err
    assert main(["report", "--study", "s", "--format", "json", *study[2:]]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["schema"], document["version"]) == ("mmsearch.report", 1)
    assert document["ablations"] == ["s--ablate-timing"]
    controlled = [v for v in document["verdicts"] if v["kind"] == "controlled"]
    assert [v["axis"] for v in controlled] == ["timing"]
    fields = {"dataset", "axis", "kind", "winner", "runner_up", "effect", "ci_low", "ci_high", "p", "state",
              "anchors", "seeds", "trials"}  # fmt: skip
    assert fields <= set(controlled[0]) and controlled[0]["anchors"] == 2 and controlled[0]["seeds"] == 2
    assert controlled[0]["state"] == "not enough evidence"  # 2 anchors are below the minimum
    assert all(v["kind"] == "observational" for v in document["verdicts"] if v not in controlled)
    assert any(b["key"] == "controlled" for b in document["blocks"])


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--axis", "colour"], "unknown ablation axis 'colour'"),
        (["--axis", "fusion", "--anchors", "top:0"], "argument --anchors: must be top:K or random:N"),
        (["--axis", "fusion", "--seeds", "0"], "argument --seeds: must be at least 1, got 0"),
    ],
)
def test_bad_arguments_are_one_line_errors(study, extra, message, capsys):
    assert main(["ablate", "--study", "s", *extra, *study]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mmsearch: error:") and message in err and "\n" not in err


def test_an_unknown_study_lists_the_known_ones(study, capsys):
    assert main(["ablate", "--study", "nope", "--axis", "fusion", *study]) == 2
    assert "no study 'nope'" in capsys.readouterr().err
