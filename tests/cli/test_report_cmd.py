import argparse
import warnings

import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmsearch.cli.report_cmd import register
from mmsearch.errors import StorageError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.study import RunOptions, run_study
from mmsearch.study.storage import open_storage
from mmsearch.testing import tiny_dataset, tiny_space

REGISTRY = Registry()
SPACE = tiny_space(fusions=("sum", "attentive_sum"), max_epochs=1)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """Study ``r``: trials 0 and 1 are enqueued with a learning rate far out of the space (their loss diverges, they
    fail), four more complete, and one pruned trial is told by hand."""
    run_dir = tmp_path_factory.mktemp("report")
    storage = open_storage(None, run_dir, "r")
    study = optuna.create_study(study_name="r", storage=storage, direction="maximize")
    for _ in range(2):
        study.enqueue_trial({"train.lr": 1.0e300})
    options = RunOptions(study_name="r", storage_url=None, run_dir=run_dir, n_trials=6, show_progress=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Fixed parameter train.lr")
        run_study(tiny_dataset(n_users=40), parse_space(SPACE, REGISTRY), REGISTRY, torch.device("cpu"), options)
    pruned = study.ask()
    pruned.set_user_attr("curve", [{"epoch": 1, "loss": 0.7, "valid_recall@20": 0.1}])
    study.tell(pruned, state=TrialState.PRUNED)
    return run_dir


def report(run_dir, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["report", "--run-dir", str(run_dir), *extra])
    return args.func(args)


def expected_counts(run_dir) -> str:
    study = optuna.load_study(study_name="r", storage=open_storage(None, run_dir, "r"))
    states = [trial.state for trial in study.trials]
    n = {state: states.count(state) for state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)}
    assert (n[TrialState.COMPLETE], n[TrialState.PRUNED], n[TrialState.FAIL]) == (4, 1, 2)
    return (
        f"trials: {len(states)} in all: {n[TrialState.COMPLETE]} complete, {n[TrialState.PRUNED]} pruned, "
        f"{n[TrialState.FAIL]} failed"
    )


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_printed_report_counts_states_and_groups_failures(run_dir, form, capsys):
    assert report(run_dir, "--study", "r", "--format", form) == 0
    out, err = capsys.readouterr()
    assert expected_counts(run_dir) in out
    assert "Failures by reason" in out and "examples" in out and "r#0, r#1" in out
    assert "parameter importance needs at least 10 completed trials" in out
    assert (
        "Leaderboard" in out
        and "Choices that win: controlled ablations" in out
        and "observational" in out
        and "Top configurations: paired tests" in out
    )
    assert "Traceback" not in out + err
    if form == "markdown":
        assert out.startswith("# mmsearch report: r\n") and "\n| trial | label |" in out


def test_html_report_is_one_self_contained_file(run_dir, tmp_path, capsys):
    target = tmp_path / "report.html"
    assert report(run_dir, "--study", "r", "--format", "html", "--output", str(target)) == 0
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert expected_counts(run_dir) in page
    assert "plotly.js v" in page and 'src="http' not in page  # plotly.js inlined, nothing fetched
    assert page.count('class="plotly-graph-div"') >= 5
    assert f"wrote {target}" in capsys.readouterr().err


def test_a_study_without_any_completed_trial_and_an_unknown_study(run_dir, tmp_path, capsys):
    storage = open_storage(None, tmp_path, "empty")
    study = optuna.create_study(study_name="empty", storage=storage, direction="maximize")
    failed = study.ask()
    failed.set_user_attr("fail_reason", "interrupted")
    study.tell(failed, state=TrialState.FAIL)
    assert report(tmp_path, "--study", "empty") == 0
    out = capsys.readouterr().out
    assert "trials: 1 in all: 0 complete, 0 pruned, 1 failed" in out and "no completed trial yet" in out
    with pytest.raises(StorageError, match="no study 'nope' in journals under .*; studies: r$"):
        report(run_dir, "--study", "nope")
