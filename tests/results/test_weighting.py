"""Weighting against references: raking against the ipfn package, post-stratification and the
design effect against values worked out by hand, the cap, and refusal below k."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ipfn import ipfn

from vliegwiel.results.weighting import (
    WeightingRefused,
    design_effect,
    effective_sample_size,
    poststratify,
    rake,
    weighted_counts,
)


def _respondents(cells: dict[tuple[str, ...], int]) -> list[tuple[str, ...]]:
    return [key for key, n in cells.items() for _ in range(n)]


def _ipfn_shares(cells, margins):
    """ipfn's fitted table for the respondents' cross table, as shares of the whole."""
    axes = [list(m) for m in margins]
    seed = np.zeros([len(a) for a in axes])
    for key, n in cells.items():
        seed[tuple(axes[d].index(g) for d, g in enumerate(key))] = n
    aggregates = [np.array([m[g] for g in axes[d]], dtype=float) for d, m in enumerate(margins)]
    fitted = ipfn.ipfn(
        seed,
        aggregates,
        [[d] for d in range(len(margins))],
        convergence_rate=1e-12,
        max_iteration=5000,
    ).iteration()
    fitted = fitted / fitted.sum()
    return {
        key: fitted[tuple(axes[d].index(g) for d, g in enumerate(key))]
        for key in itertools.product(*axes)
    }


#: (respondents per cell, population margins, k); every case converges without the cap.
RAKING_CASES = [
    # age x part of the village, the over-65s answering twice as often as they live there
    (
        {("65+", "noord"): 30, ("65+", "zuid"): 20, ("jong", "noord"): 10, ("jong", "zuid"): 15},
        [{"65+": 120, "jong": 280}, {"noord": 220, "zuid": 180}],
        5,
    ),
    # a population of 60 households
    (
        {("a", "x"): 8, ("a", "y"): 5, ("b", "x"): 6, ("b", "y"): 9},
        [{"a": 25, "b": 35}, {"x": 30, "y": 30}],
        5,
    ),
    # n = k in a group: exactly 5 respondents are enough
    (
        {("a", "x"): 3, ("a", "y"): 2, ("b", "x"): 10, ("b", "y"): 12},
        [{"a": 50, "b": 50}, {"x": 40, "y": 60}],
        5,
    ),
    # a cell nobody answered (0 %): raking still fits the margins through the other cells
    (
        {("a", "x"): 6, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 9},
        [{"a": 30, "b": 70}, {"x": 55, "y": 45}],
        5,
    ),
    # a margin with one group (100 %): it changes nothing
    (
        {("alle", "x"): 12, ("alle", "y"): 8},
        [{"alle": 60}, {"x": 30, "y": 30}],
        5,
    ),
    # already representative: every weight stays 1
    (
        {("a", "x"): 10, ("a", "y"): 10, ("b", "x"): 10, ("b", "y"): 10},
        [{"a": 200, "b": 200}, {"x": 200, "y": 200}],
        5,
    ),
    # three margins: age, sex, part of the village
    (
        {
            key: n
            for key, n in zip(
                itertools.product(["jong", "oud"], ["m", "v"], ["n", "z"]),
                [5, 7, 6, 9, 11, 8, 12, 10],
                strict=True,
            )
        },
        [{"jong": 180, "oud": 220}, {"m": 195, "v": 205}, {"n": 250, "z": 150}],
        5,
    ),
    # three age groups against one of two parts
    (
        {
            ("0", "n"): 4,
            ("0", "z"): 5,
            ("1", "n"): 8,
            ("1", "z"): 3,
            ("2", "n"): 14,
            ("2", "z"): 9,
        },
        [{"0": 100, "1": 150, "2": 150}, {"n": 260, "z": 140}],
        5,
    ),
    # k = 2, a tiny survey
    (
        {("a", "x"): 1, ("a", "y"): 2, ("b", "x"): 3, ("b", "y"): 1},
        [{"a": 10, "b": 12}, {"x": 15, "y": 7}],
        2,
    ),
    # a single margin: raking is post-stratification
    ({("a",): 15, ("b",): 5}, [{"a": 200, "b": 200}], 5),
]


@pytest.mark.parametrize(("cells", "margins", "k"), RAKING_CASES)
def test_raking_matches_ipfn(cells, margins, k):
    respondents = _respondents(cells)
    result = rake(respondents, margins, k=k, cap=100)
    assert result.converged
    assert sum(result.weights) == pytest.approx(len(respondents))
    expected = _ipfn_shares(cells, margins)
    for key in cells:
        mine = sum(w for w, r in zip(result.weights, respondents, strict=True) if r == key)
        assert mine / len(respondents) == pytest.approx(expected[key], abs=1e-7), key
    # and the weighted respondents have the population's make-up
    for d, margin in enumerate(margins):
        for group, residents in margin.items():
            share = sum(
                w for w, r in zip(result.weights, respondents, strict=True) if r[d] == group
            )
            assert share / len(respondents) == pytest.approx(residents / sum(margin.values()))


def test_poststratification_by_hand():
    # 7 over-65s and 3 younger respondents; the village is 40 % over 65.
    # Weights: .4/.7 = .5714 and .6/.3 = 2. Design effect 10·(7·.5714² + 3·2²)/10² = 1.4286,
    # so the 10 answers are worth 7.
    weights = poststratify(["oud"] * 7 + ["jong"] * 3, {"oud": 40, "jong": 60}, k=3)
    assert weights.weights[0] == pytest.approx(4 / 7)
    assert weights.weights[-1] == pytest.approx(2)
    assert weights.design_effect == pytest.approx(10 / 7)
    assert weights.effective_n == pytest.approx(7)
    counts, total = weighted_counts([["ja"]] * 7 + [["nee"]] * 3, weights.weights)
    # unweighted 70 % say yes; weighted 40 %
    assert counts["ja"] / total == pytest.approx(0.4)


def test_weights_are_capped_and_the_excess_spread():
    # 18 of one group, 2 of another that is half the village: uncapped weight 5 for the two.
    respondents = ["a"] * 18 + ["b"] * 2
    uncapped = poststratify(respondents, {"a": 50, "b": 50}, k=2, cap=10)
    assert uncapped.weights[-1] == pytest.approx(5)
    capped = poststratify(respondents, {"a": 50, "b": 50}, k=2, cap=3)
    assert max(capped.weights) == pytest.approx(3)
    assert capped.capped == 2
    assert sum(capped.weights) == pytest.approx(20)


def test_fewer_than_k_respondents_in_a_group_refuses_weighting():
    with pytest.raises(WeightingRefused, match="fewer than 5"):
        poststratify(["a"] * 10 + ["b"] * 4, {"a": 50, "b": 50}, k=5)
    # a group nobody answered, while residents live there: no weight can stand for them
    with pytest.raises(WeightingRefused, match="0 respondents"):
        poststratify(["a"] * 10, {"a": 50, "b": 50}, k=5)


def test_a_respondent_without_a_group_refuses_weighting():
    with pytest.raises(WeightingRefused, match="did not answer"):
        poststratify(["a"] * 10 + [None], {"a": 50}, k=5)
    with pytest.raises(WeightingRefused, match="no population figure"):
        poststratify(["a"] * 10 + ["c"] * 5, {"a": 50}, k=5)


def test_design_effect_of_equal_weights_is_one():
    assert design_effect([1.0] * 12) == pytest.approx(1)
    assert effective_sample_size([1.0] * 12) == pytest.approx(12)
    # hand-worked: weights 1, 1, 2, 4: 4·22/64 = 1.375
    assert design_effect([1, 1, 2, 4]) == pytest.approx(1.375)
