"""Controlled ablations end to end on tiny data: variants, reuse, resume, and the verdict on a null twin."""

import statistics

import optuna
import pytest
import torch
from optuna.trial import TrialState

from mmsearch.analysis import controlled_choices, settle, variants_frame, verdict_rows
from mmsearch.errors import MMSearchError
from mmsearch.registry import Registry
from mmsearch.search.space import parse_space
from mmsearch.search.spec import TrialSpec
from mmsearch.study import RunOptions, run_study
from mmsearch.study.ablation import ablation_name, ablation_studies, open_ablation, plan_ablation, run_ablation
from mmsearch.study.storage import journal_path, open_storage
from mmsearch.study.trial_attrs import INTERRUPTED, REUSED_ATTR, VARIANT_ATTR, VARIANT_SPEC_ATTR
from mmsearch.testing import tiny_dataset, tiny_space
from mmsearch.testing.twins import TWIN_FUSION

REGISTRY = Registry(extra=[TWIN_FUSION])
DATA = tiny_dataset(n_users=40)
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def parent(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("ablate")
    space = parse_space(tiny_space(fusions=("sum", "sum_twin"), max_epochs=2), REGISTRY)
    options = RunOptions("p", None, run_dir, n_trials=6, sampler="random", show_progress=False)
    study = run_study(DATA, space, REGISTRY, CPU, options)
    return run_dir, study


def ablate(run_dir, study, axis="fusion", anchors="top:2", seeds=2):
    space = parse_space(study.user_attrs["space"], REGISTRY).for_dataset(DATA, REGISTRY)
    plan = plan_ablation(study, space, REGISTRY, axis, anchors, seeds)
    url = str(journal_path(None, run_dir, "p"))
    options = RunOptions(plan.name, url, run_dir, n_trials=len(plan.variants), show_progress=False)
    ablation, space, progress = open_ablation(study, plan, DATA, REGISTRY, options)
    run_ablation(ablation, space, DATA, REGISTRY, CPU, options)
    return plan, ablation, progress


def test_variants_change_the_axis_alone_and_reuse_equal_trials(parent):
    run_dir, study = parent
    plan, ablation, progress = ablate(run_dir, study)
    assert len(plan.variants) == 2 * 2 * 2 and len(plan.anchors) == 2
    assert progress.finished == 0 and progress.reused + progress.to_train == 8
    for variant in plan.variants:
        anchor = plan.anchors[variant.anchor]
        assert variant.spec.fusion.name == variant.choice
        assert (
            variant.spec.seed
            == anchor.seed + [v for v in plan.variants if v.anchor == variant.anchor].index(variant) % 2
        )
        same = {k: v for k, v in variant.spec.to_dict().items() if k not in ("fusion", "seed")}
        assert same == {k: v for k, v in anchor.to_dict().items() if k not in ("fusion", "seed")}
    trials = ablation.get_trials(deepcopy=False)
    assert all(trial.state == TrialState.COMPLETE for trial in trials) and len(trials) == 8
    reused = [trial for trial in trials if REUSED_ATTR in trial.user_attrs]
    for trial in reused:
        source = study.trials[int(trial.user_attrs[REUSED_ATTR].split("#")[1])]
        assert source.user_attrs["spec"] == trial.user_attrs[VARIANT_SPEC_ATTR]
        assert source.user_attrs["valid"] == trial.user_attrs["valid"]
    assert len(reused) == progress.reused >= 1  # an anchor's own seed with its fusion (no parameters) is the anchor
    assert ablation_studies(open_storage(None, run_dir, "p"), "p") == [ablation_name("p", "fusion")]


def test_a_null_twin_is_never_called_a_winner_and_seeds_reproduce(parent):
    run_dir, study = parent
    ablation = optuna.load_study(study_name=ablation_name("p", "fusion"), storage=open_storage(None, run_dir, "p"))
    frame = variants_frame(ablation)
    pivot = frame.pivot_table(index=["anchor", "seed"], columns="choice", values="valid")
    assert (pivot["sum"] == pivot["sum_twin"]).all()  # the twin is the same model under the same seed
    row = verdict_rows(settle(controlled_choices(frame))).iloc[0]
    assert row["state"] == "not enough evidence"  # 2 anchors: below the minimum, whatever the numbers


def test_running_again_trains_nothing(parent):
    run_dir, study = parent
    _, ablation, progress = ablate(run_dir, study)
    assert (progress.finished, progress.reused, progress.to_train) == (8, 0, 0)
    assert len(ablation.get_trials(deepcopy=False)) == 8


def test_a_variant_stopped_by_ctrl_c_is_queued_again(parent):
    run_dir, study = parent
    space = parse_space(study.user_attrs["space"], REGISTRY).for_dataset(DATA, REGISTRY)
    plan = plan_ablation(study, space, REGISTRY, "timing", "random:1", 1)
    options = RunOptions(plan.name, str(journal_path(None, run_dir, "p")), run_dir, 2, show_progress=False)
    ablation, _, progress = open_ablation(study, plan, DATA, REGISTRY, options)
    assert progress.reused + progress.to_train == 2 and progress.to_train >= 1
    stopped = ablation.ask()
    assert VARIANT_ATTR in stopped.user_attrs
    stopped.set_user_attr("fail_reason", INTERRUPTED)
    ablation.tell(stopped, state=TrialState.FAIL)
    _, _, progress = open_ablation(study, plan, DATA, REGISTRY, options)
    assert (progress.finished, progress.to_train) == (1, 1)  # the other variant stays, the stopped one is queued again
    waiting = ablation.get_trials(deepcopy=False, states=(TrialState.WAITING,))
    requeued = [t for t in waiting if t.user_attrs[VARIANT_ATTR] == stopped.user_attrs[VARIANT_ATTR]]
    assert len(requeued) == 1
    assert (
        TrialSpec.from_dict(requeued[0].user_attrs[VARIANT_SPEC_ATTR]).timing.name
        == stopped.user_attrs[VARIANT_ATTR]["choice"]
    )


def test_too_few_anchors_and_bad_arguments_are_one_line_errors(parent):
    run_dir, study = parent
    space = parse_space(study.user_attrs["space"], REGISTRY).for_dataset(DATA, REGISTRY)
    with pytest.raises(MMSearchError, match="fewer than top:50"):
        plan_ablation(study, space, REGISTRY, "fusion", "top:50", 2)
    with pytest.raises(MMSearchError, match="--anchors must be top:K or random:N"):
        plan_ablation(study, space, REGISTRY, "fusion", "best:3", 2)
    random = plan_ablation(study, space, REGISTRY, "timing", "random:3", 1)
    assert list(random.anchors) == ["random:0", "random:1", "random:2"]
    assert all(not spec.id_only for spec in random.anchors.values())
    again = plan_ablation(study, space, REGISTRY, "timing", "random:4", 1)
    assert [again.anchors[name] for name in random.anchors] == list(random.anchors.values())


def test_the_time_estimate_comes_from_the_anchor_trials_themselves(parent):
    run_dir, study = parent
    space = parse_space(study.user_attrs["space"], REGISTRY).for_dataset(DATA, REGISTRY)
    top = plan_ablation(study, space, REGISTRY, "fusion", "top:2", 2)
    seconds = [study.trials[int(name.split("#")[1])].duration.total_seconds() for name in top.anchors]
    assert top.seconds_per_training == pytest.approx(sum(seconds) / 2)
    assert top.estimate_basis == "anchor trials' mean time"
    random = plan_ablation(study, space, REGISTRY, "fusion", "random:2", 2)
    timed = [t.duration.total_seconds() for t in study.get_trials(states=(TrialState.COMPLETE,))]
    assert random.seconds_per_training == pytest.approx(statistics.median(timed))
    assert random.estimate_basis == "study's median trial time"
