import math

import pytest

from mmsearch.analysis import config_name, configurations


def test_runs_of_a_configuration_under_several_seeds_are_grouped(row, table):
    trials = table(
        row(0, 0.6, config="a", seed=0, label="mf|late"),
        row(1, 0.8, config="a", seed=1, label="mf|late"),
        row(2, 0.7, config="a", seed=2, label="mf|late"),
        row(3, 0.75, config="b", seed=0, label="gcn|early"),
        row(4, None, "FAIL", config="b", seed=1),
        row(0, 0.99, config="a", seed=0, study="x", dataset="other"),
    )
    configs = configurations(trials)
    # ranked by mean within a dataset: b (0.75, one run) before a (0.7 over three seeds)
    assert configs[["dataset", "config"]].values.tolist() == [["d", "b"], ["d", "a"], ["other", "a"]]
    a = configs.iloc[1]
    assert (a["runs"], a["seeds"], a["best_trial"]) == (3, "0,1,2", 1)
    assert a["mean"] == pytest.approx(0.7) and a["std"] == pytest.approx(0.1)
    assert (a["min"], a["max"]) == (0.6, 0.8)
    b = configs.iloc[0]
    assert b["runs"] == 1 and math.isnan(b["std"])
    assert config_name(a) == "mf|late (s#1)"


def test_no_completed_trial_means_no_configuration(row, table):
    assert configurations(table(row(0, None, "FAIL"))).empty


def test_retrain_seeds_join_their_configuration_with_an_interval(row, table):
    trials = table(
        row(0, 0.6, config="a", seed=0, label="mf", **{"test_recall@20": 0.55}),
        row(1, 0.5, config="b", seed=0, label="gcn"),
    )
    retrains = {
        ("s", 0): {
            "seeds": [0, 1, 2],
            "per_seed": {"valid_recall@20": [0.6, 0.7, 0.8], "test_recall@20": [0.55, 0.65, 0.75]},
        }
    }
    a = configurations(trials, retrains=retrains).set_index("config").loc["a"]
    assert (a["runs"], a["seeds"]) == (3, "0,1,2")  # the trial's own seed counts once
    assert a["mean"] == pytest.approx(0.7) and a["std"] == pytest.approx(0.1)
    half = 4.302652729911275 * 0.1 / math.sqrt(3)
    assert (a["mean_low"], a["mean_high"]) == pytest.approx((0.7 - half, 0.7 + half))
    assert a["test_mean"] == pytest.approx(0.65)
