import math

import pytest

from mmsearch.study.termination import termination_reason


def curve(*recalls):
    return [{"epoch": epoch, "loss": 0.5, "valid_recall@20": value} for epoch, value in enumerate(recalls, start=1)]


GOOD = [curve(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7), curve(0.2, 0.3, 0.4, 0.5, 0.5, 0.5), curve(*[0.4] * 8)]
# best-so-far after 6 evaluations: 0.6, 0.5 and 0.4; median 0.5


def test_a_trial_below_the_median_of_completed_trials_at_its_count_stops():
    reason = termination_reason(curve(0.3, 0.45, 0.2, 0.1, 0.1, 0.1), GOOD)
    assert reason == (
        "best valid recall@20 0.4500 after 6 evaluations is below the median 0.5000 of 3 completed trials at that count"
    )


def test_the_median_is_of_best_so_far_values_at_the_same_count():
    # after 7 evaluations only two completed curves reach the count: too few, although 0.45 is below both
    assert termination_reason(curve(*[0.45] * 7), GOOD) is None
    # a completed curve's later, higher values do not count: at 6 evaluations the first curve's best is 0.6
    assert termination_reason(curve(*[0.45] * 6), [*GOOD, curve(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9)]) is None


@pytest.mark.parametrize(
    ("own", "completed"),
    [
        (curve(*[0.0] * 5), GOOD),  # still in the warm-up of 5 evaluations
        (curve(0.0, 0.0, 0.0, 0.0, 0.0, 0.5), GOOD),  # equal to the median is not below it
        (curve(*[0.1] * 6), GOOD[:2]),  # only two completed trials
        (curve(*[0.1] * 6), [*GOOD[:2], curve(*[0.9] * 5)]),  # the third stopped before 6 evaluations
        (curve(math.nan, 0.7, 0.0, 0.0, 0.0, 0.0), GOOD),  # NaN ignored: its best is 0.7
    ],
)
def test_no_stop_during_warmup_at_the_median_or_without_three_comparable_trials(own, completed):
    assert termination_reason(own, completed) is None


def test_an_even_number_of_peers_uses_the_mean_of_the_middle_two():
    peers = [*GOOD, curve(*[0.3] * 6)]  # bests at 6: 0.6, 0.5, 0.4, 0.3 -> median 0.45
    assert termination_reason(curve(*[0.44] * 6), peers) is not None
    assert termination_reason(curve(*[0.45] * 6), peers) is None
