import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mmsearch.analysis import config_significance, holm, paired_test


def long(study: str, trial: int, values: dict[int, float], seed: int | None = None) -> pd.DataFrame:
    """One run's per-user rows (its seed: ``trial`` unless given)."""
    seed = trial if seed is None else seed
    return pd.DataFrame(
        {"study": study, "trial": trial, "seed": seed, "user": list(values), "value": list(values.values())}
    )


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.04 (m=3): 3*0.01=0.03, max(0.03, 2*0.02=0.04)=0.04, max(0.04, 1*0.04)=0.04
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    # monotone and capped at 1; NaN is not a test
    assert holm([0.5, float("nan"), 0.3]) == pytest.approx([0.6, np.nan, 0.6], nan_ok=True)
    assert holm([0.9, 0.8]).tolist() == [1.0, 1.0]


def test_paired_test_pairs_users_by_id():
    a = pd.Series({1: 0.5, 2: 0.6, 3: 0.9, 4: 1.0, 9: 0.0})
    b = pd.Series({4: 0.0, 3: 0.6, 2: 0.4, 1: 0.4, 7: 1.0})
    test = paired_test(a, b)
    # users 1..4, differences 0.1, 0.2, 0.3, 1.0: all positive, so the exact two-sided Wilcoxon p is 2 / 2**4
    assert test.n_users == 4
    assert test.diff == pytest.approx(0.4) and test.mean == pytest.approx(0.75)
    assert test.wilcoxon_p == pytest.approx(2 / 16)
    d = np.array([0.1, 0.2, 0.3, 1.0])
    t = d.mean() / (d.std(ddof=1) / 2)
    assert test.ttest_p == pytest.approx(2 * stats.t.sf(t, 3))


def test_paired_test_degenerate_cases():
    same = pd.Series({1: 0.2, 2: 0.4})
    assert (paired_test(same, same).wilcoxon_p, paired_test(same, same).ttest_p) == (1.0, 1.0)
    shifted = paired_test(same + 0.1, same)
    assert shifted.ttest_p == 0.0 and shifted.diff == pytest.approx(0.1)
    alone = paired_test(pd.Series({1: 0.5}), pd.Series({1: 0.1}))
    assert alone.n_users == 1 and math.isnan(alone.wilcoxon_p) and math.isnan(alone.ttest_p)


def test_configurations_are_averaged_over_seeds_then_tested_against_the_first(row, table):
    trials = table(
        row(0, 0.9, config="best"),
        row(1, 0.8, config="two", seed=0),
        row(2, 0.8, config="two", seed=1),
        row(3, 0.7, config="same"),
    )
    users = range(1, 9)
    per_user = pd.concat(
        [
            long("s", 0, {u: 1.0 for u in users}),
            long("s", 1, {u: 0.0 for u in users}),
            long("s", 2, {u: 0.5 for u in users}),  # config "two" averages to 0.25 for every user
            long("s", 3, {u: 1.0 for u in users}),
        ]
    )
    result = config_significance(per_user, trials, ["best", "two", "same"]).set_index("config")
    two, same = result.loc["two"], result.loc["same"]
    assert (two["runs"], two["n_users"], two["reference"]) == (2, 8, "best")
    assert two["mean"] == pytest.approx(0.25) and two["diff"] == pytest.approx(-0.75)
    assert two["wilcoxon_p"] == pytest.approx(2 / 2**8)  # eight negative differences, exact test
    assert two["wilcoxon_holm"] == pytest.approx(2 * 2 / 2**8)  # Holm over two comparisons: smallest p times 2
    assert bool(two["significant"]) and not bool(same["significant"])
    assert same["wilcoxon_p"] == 1.0 and same["wilcoxon_holm"] == 1.0


def test_retrained_seeds_join_their_configuration_and_a_seed_run_twice_counts_once(row, table):
    trials = table(row(0, 0.9, config="best"), row(1, 0.8, config="two", seed=0))
    users = range(1, 9)
    per_user = pd.concat(
        [
            long("s", 0, {u: 1.0 for u in users}, seed=0),
            long("s", 1, {u: 0.0 for u in users}, seed=0),
            long("s", 1, {u: 0.5 for u in users}, seed=0),  # a re-training under the trial's seed: not a new run
            long("s", 1, {u: 0.5 for u in users}, seed=1),  # a re-training's new seed
        ]
    )
    two = config_significance(per_user, trials, ["best", "two"]).set_index("config").loc["two"]
    assert two["runs"] == 2 and two["mean"] == pytest.approx(0.25)


def test_config_significance_needs_two_configurations(row, table):
    assert config_significance(long("s", 0, {1: 0.5}), table(row(0, 0.5)), ["c0"]).empty
