"""Margins of error against independent references: statsmodels' Wilson interval, scipy's
t distribution and values worked out by hand."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from vliegwiel.results.intervals import (
    fpc_factor,
    mean_interval,
    percent_interval,
    t_quantile,
    wilson_interval,
)

#: (count, n, population): 0 %, 100 %, n = k = 5, a 60-household village, the issue's examples.
CASES = [
    (0, 5, None),
    (5, 5, None),
    (0, 5, 60),
    (5, 5, 60),
    (3, 12, None),
    (3, 12, 60),
    (57, 150, None),
    (57, 150, 400),
    (1, 30, 60),
    (29, 30, 60),
    (20, 59, 60),
    (200, 400, 5000),
    (1, 1, None),
    (12, 40, 45),
]


@pytest.mark.parametrize(("count", "n", "population"), CASES)
def test_wilson_matches_statsmodels(count, n, population):
    # statsmodels has no finite-population correction: give it the effective sample size
    # n·(N−1)/(N−n) (a fractional count is allowed there), which is what the correction means.
    n_eff = n if population is None else n * (population - 1) / (population - n)
    expected = proportion_confint(count * n_eff / n, n_eff, alpha=0.05, method="wilson")
    low, high = wilson_interval(count, n, population=population)
    assert low == pytest.approx(expected[0], abs=1e-9)
    assert high == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.99])
def test_other_confidence_levels_match_statsmodels(confidence):
    expected = proportion_confint(7, 20, alpha=1 - confidence, method="wilson")
    assert wilson_interval(7, 20, confidence=confidence) == pytest.approx(expected, abs=1e-9)


def test_three_of_twelve_by_hand_is_9_to_53_percent():
    # Worked in docs/results.md: p = .25, z²/n = 3.8415/12 = .3201;
    # centre (.25 + .1601)/1.3201 = .3106; half 1.96/1.3201·√(.015625 + .006669) = .2217.
    assert percent_interval(3, 12) == (8.9, 53.2)
    # The textbook normal interval would say .25 − 1.96·.125 = 0.5 %: Wilson does not.
    assert 0.25 - 1.96 * math.sqrt(0.25 * 0.75 / 12) < 0.01


def test_400_households_margin_by_hand():
    # 57 of 150 (38 %): ±7.7 points without correction. With 400 households the effective
    # n is 150·399/250 = 239.4: centre (.38 + 3.8415/478.8)/1.01605 = .3819, half
    # 1.96/1.01605·√(.2356/239.4 + 3.8415/229 249) = .0610, so 32.1 %-44.3 % (±6.1).
    low, high = percent_interval(57, 150)
    assert (low, high) == (30.6, 46.0)
    low_fpc, high_fpc = percent_interval(57, 150, population=400)
    assert (low_fpc, high_fpc) == (32.1, 44.3)
    assert high_fpc - low_fpc < high - low


def test_zero_and_hundred_percent_stay_inside_the_scale():
    assert percent_interval(0, 5) == (0.0, 43.4)
    assert percent_interval(5, 5) == (56.6, 100.0)


def test_everyone_answered_means_no_margin():
    assert wilson_interval(20, 60, population=60) == (20 / 60, 20 / 60)
    assert fpc_factor(60, 60) == 0
    # More answers than households (two per household): no correction at all.
    assert fpc_factor(70, 60) == 1


def test_hidden_counts_give_no_interval():
    assert percent_interval(None, 20) is None
    assert percent_interval(3, None) is None
    assert percent_interval(0, 0) is None


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        wilson_interval(6, 5)
    with pytest.raises(ValueError):
        wilson_interval(1, 5, confidence=1.0)


@pytest.mark.parametrize("df", [1, 2, 4, 5, 9, 29, 59, 149, 1000])
@pytest.mark.parametrize("probability", [0.9, 0.975, 0.995])
def test_t_quantile_matches_scipy(df, probability):
    assert t_quantile(probability, df) == pytest.approx(stats.t.ppf(probability, df), rel=1e-8)


@pytest.mark.parametrize(
    ("values", "population"),
    [
        ([7, 8, 6, 9, 7], None),
        ([7, 8, 6, 9, 7], 60),
        ([1, 10, 1, 10, 5, 5, 3], None),
        ([4, 5] * 5, None),
        (list(range(1, 60)), 60),
        ([2, 3], None),
    ],
)
def test_mean_interval_matches_scipy(values, population):
    n = len(values)
    mean = sum(values) / n
    sd = stats.tstd(values) if n > 1 else 0.0
    scale = stats.sem(values) * math.sqrt(fpc_factor(n, population))
    expected = stats.t.interval(0.95, n - 1, loc=mean, scale=scale) if scale else (mean, mean)
    assert mean_interval(mean, sd, n, population=population) == pytest.approx(expected, abs=1e-9)


def test_mean_of_one_answer_has_no_interval_and_equal_answers_no_margin():
    assert mean_interval(7.0, 0.0, 1) is None
    assert mean_interval(4.5, 0.0, 10) == (4.5, 4.5)
