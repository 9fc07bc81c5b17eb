"""Controlled and observational verdicts on hand-made tables: intervals, states, direction and minimums."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mmsearch.analysis import controlled_choices, describe_verdict, observational_choices, settle, verdict_rows
from mmsearch.analysis.controlled import controlled_slice_verdicts, rank_distribution, slice_choices
from mmsearch.analysis.evidence import paired_interval, state_text, welch_interval


def variants(effects, seeds=3, noise=0.0, test_sign=1.0, axis="fusion", dataset="d", rng_seed=0):
    """Variant rows: per anchor a base level, choice ``a`` at base and ``b`` at base + effect (+ seed noise)."""
    rng = np.random.default_rng(rng_seed)
    rows = []
    for anchor, effect in enumerate(effects):
        base = 0.3 + 0.05 * anchor
        for seed in range(seeds):
            for choice, shift in (("a", 0.0), ("b", effect)):
                valid = base + shift + noise * rng.normal()
                rows.append(
                    {
                        "study": "s--ablate-fusion", "dataset": dataset, "trial": len(rows), "axis": axis,
                        "anchor": f"s#{anchor}", "choice": choice, "seed": seed, "state": "COMPLETE",
                        "valid": valid, "test": base + test_sign * shift, "reused_from": None,
                    }
                )  # fmt: skip
    return pd.DataFrame(rows)


def verdict(frame):
    return verdict_rows(settle(controlled_choices(frame))).iloc[0]


def test_paired_interval_is_the_one_sample_t_interval():
    values = np.array([0.01, 0.03, 0.02, 0.05])
    interval = paired_interval(values)
    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2
    assert interval.effect == pytest.approx(0.0275)
    assert (interval.low, interval.high) == pytest.approx((0.0275 - half, 0.0275 + half))
    assert interval.p == pytest.approx(stats.ttest_1samp(values, 0).pvalue)
    assert math.isnan(paired_interval(np.array([0.1])).p)


def test_welch_interval_matches_scipy():
    a, b = np.array([0.5, 0.6, 0.55, 0.7]), np.array([0.4, 0.45, 0.42])
    interval = welch_interval(a, b)
    assert interval.effect == pytest.approx(a.mean() - b.mean())
    assert interval.p == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert interval.low < interval.effect < interval.high


def test_a_planted_effect_wins_with_its_interval_and_ranks():
    frame = variants([0.02, 0.03, 0.025, 0.02], noise=0.002)
    row = verdict(frame)
    assert (row["winner"], row["runner_up"], row["state"]) == ("b", "a", "wins")
    assert row["ci_low"] > 0 and row["ci_low"] < row["effect"] < row["ci_high"]
    assert row["effect"] == pytest.approx(0.02375, abs=0.003)
    assert (row["anchors"], row["seeds"], row["trials"]) == (4, 3, 24)
    assert row["seed_sd"] > 0
    ranks = rank_distribution(settle(controlled_choices(frame)))
    assert ranks.set_index(["choice", "rank"])["anchors"].to_dict() == {("a", 2): 4, ("b", 1): 4}
    assert "controlled, on d: fusion=b over a: wins; +0.02" in describe_verdict(row)


def test_an_identical_twin_is_no_detectable_difference_within_zero():
    row = verdict(variants([0.0, 0.0, 0.0, 0.0]))
    assert row["state"] == "no detectable difference"
    assert row["verdict"] == "no detectable difference (within ±0.0000)"


def test_noise_without_effect_is_no_detectable_difference_with_its_reach():
    row = verdict(variants([0.0, 0.0, 0.0, 0.0, 0.0], noise=0.01, rng_seed=3))
    assert row["state"] == "no detectable difference"
    assert row["verdict"] == state_text(row["state"], -row["ci_high"], -row["ci_low"])
    assert row["ci_low"] < 0 < row["ci_high"]


def test_a_winner_that_loses_on_test_is_never_reported_as_winning():
    frame = variants([0.02, 0.03, 0.025, 0.02], noise=0.002, test_sign=-1.0)
    row = verdict(frame)
    assert row["winner"] == "b" and row["test_effect"] < 0
    assert row["state"] == "not enough evidence"


@pytest.mark.parametrize("anchors, seeds", [(2, 3), (4, 1)])
def test_below_the_minimums_is_not_enough_evidence(anchors, seeds):
    row = verdict(variants([0.03] * anchors, seeds=seeds, noise=0.001))
    assert row["state"] == "not enough evidence"


def test_a_choice_failed_on_an_anchor_drops_that_anchor():
    frame = variants([0.02, 0.03, 0.025, 0.02], noise=0.002)
    frame.loc[(frame["anchor"] == "s#0") & (frame["choice"] == "b"), "state"] = "FAIL"
    assert verdict(frame)["anchors"] == 3


def test_holm_corrects_across_axes():
    one = variants([0.002, 0.004, 0.001, 0.003], seeds=2, noise=0.0005)
    many = pd.concat([one.assign(axis=f"axis{i}") for i in range(20)], ignore_index=True)
    single = settle(controlled_choices(one))
    corrected = settle(controlled_choices(many))
    p_single = single.loc[~single["best"], "p"].iloc[0]
    assert corrected.loc[~corrected["best"], "p"].min() == pytest.approx(min(1.0, 20 * p_single))


def trials(rows):
    """Trials-table rows (dataset d) from (encoder, timing, valid, test) tuples, one spec each."""
    return pd.DataFrame(
        [
            {
                "study": "s", "dataset": "d", "trial": n, "state": "COMPLETE", "encoder": encoder, "timing": timing,
                "seed": 0, "valid_recall@20": valid, "test_recall@20": test,
                "spec": f'{{"encoder": "{encoder}", "timing": "{timing}", "lr": {n}}}',
            }
            for n, (encoder, timing, valid, test) in enumerate(rows)
        ]
    )  # fmt: skip


def test_observational_verdict_is_confounded_and_needs_trials_per_choice():
    rows = [("lightgcn", "early", 0.40 + 0.01 * i, 0.39 + 0.01 * i) for i in range(6)]
    rows += [("mf", "late", 0.20 + 0.01 * i, 0.21 + 0.01 * i) for i in range(6)]
    found = verdict_rows(settle(observational_choices(trials(rows), ["encoder"]))).iloc[0]
    assert (found["kind"], found["basis"], found["winner"], found["state"]) == (
        "observational", "confounded", "lightgcn", "wins"
    )  # fmt: skip
    assert found["effect"] == pytest.approx(0.2)
    few = verdict_rows(settle(observational_choices(trials(rows[:4] + rows[6:]), ["encoder"]))).iloc[0]
    assert few["state"] == "not enough evidence"


def test_observational_uses_pairs_that_differ_in_the_axis_alone():
    rows = []
    for n in range(4):
        spec = f'{{"lr": {n}}}'
        for encoder, shift in (("mf", 0.0), ("lightgcn", 0.05 + 0.001 * n)):
            rows.append(
                {
                    "study": "s", "dataset": "d", "trial": len(rows), "state": "COMPLETE", "encoder": encoder,
                    "seed": 0, "valid_recall@20": 0.1 * n + shift, "test_recall@20": 0.1 * n + shift,
                    "spec": spec[:-1] + f', "encoder": "{encoder}"}}',
                }
            )  # fmt: skip
    found = verdict_rows(settle(observational_choices(pd.DataFrame(rows), ["encoder"]))).iloc[0]
    assert (found["basis"], found["winner"], found["state"]) == ("pairs", "lightgcn", "wins")
    assert found["effect"] == pytest.approx(0.0515)


def test_observational_leaves_out_trials_where_the_axis_is_inactive():
    rows = [("mf", "early", 0.3, 0.3), ("mf", None, 0.9, 0.9), ("mf", "late", 0.2, 0.2)]
    choices = observational_choices(trials(rows), ["timing"])
    assert set(choices["choice"]) == {"early", "late"}
    assert choices["trials"].max() == 2


def test_a_difference_significant_only_before_the_correction_is_not_enough_evidence():
    effects = [0.004, 0.003, 0.005]
    one = variants(effects, seeds=2, noise=0.0005, rng_seed=1)
    single = settle(controlled_choices(one))
    raw = single.loc[~single["best"], "p_raw"].iloc[0]
    assert 0.005 < raw < 0.05  # significant alone ...
    many = pd.concat([one.assign(axis=f"axis{i}") for i in range(10)], ignore_index=True)
    row = verdict_rows(settle(controlled_choices(many))).iloc[0]
    assert row["ci_low"] > 0 and row["p"] >= 0.05  # ... but not after correcting for ten axes
    assert row["state"] == "not enough evidence"


def test_slice_verdicts_measure_the_same_ablations_on_each_slice():
    overall = variants([0.0, 0.0, 0.0, 0.0], noise=0.002)
    cold = variants([0.04, 0.05, 0.045, 0.04], noise=0.002, rng_seed=1)
    frame = overall.assign(valid_cold_items=cold["valid"], test_cold_items=cold["test"], valid_missing_image=np.nan)
    sliced = slice_choices(frame)
    assert set(sliced["slice"]) == {"cold_items"}  # a slice without validation figures gives no rows
    verdicts = controlled_slice_verdicts(frame)
    row = verdicts.iloc[0]
    assert (row["slice"], row["winner"], row["state"]) == ("cold_items", "b", "wins")
    assert row["effect"] == pytest.approx(0.04375, abs=0.003)
    assert verdict(frame)["state"] == "no detectable difference"  # overall, the same ablation finds nothing
