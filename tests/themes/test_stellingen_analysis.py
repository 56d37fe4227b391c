"""The statistics of the stellingen plugin on simulated villages and hand-worked examples.

A village must never be told it is divided into groups that are not there: noise, a small
village and a camp of three people give no groups; two clear camps do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stellingen_villages import ALL, camp_views, simulate  # noqa: E402
from vliegwiel_stellingen.analysis import (  # noqa: E402
    AGREE,
    DISAGREE,
    PASS,
    REASON_FEW,
    REASON_NOISE,
    REASON_SHOWN,
    REASON_SMALL,
    Tally,
    Vote,
    analyse,
    consensus,
    consensus_score,
    distinctive,
    divisive,
    two_proportion_z,
)

K = 5


# --- simulated villages -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_two_clear_camps_are_found_with_what_sets_each_apart(seed):
    votes = simulate([60, 60], seed=seed)

    result = analyse(votes, ALL, k=K)

    assert result.reason == REASON_SHOWN
    # Two groups of about sixty (a resident who voted against their camp's view now and then
    # may land in the other group).
    assert len(result.groups) == 2
    assert all(50 <= g["size"] <= 70 for g in result.groups), result.groups
    assert result.silhouette > result.threshold
    # Each group is set apart by statements on which the camps' views differ, and only those.
    views = camp_views(2, np.random.default_rng(seed))
    differ = {n for n in ALL if views[0, n - 1] != views[1, n - 1]}
    for group in result.groups:
        assert group["distinctive"], group
        assert set(group["distinctive"]) <= differ
    # Never a list of members: a group is its size and its statements.
    assert all(set(g) == {"size", "distinctive"} for g in result.groups)


@pytest.mark.slow
def test_noise_gives_no_groups_in_at_least_19_of_20_villages():
    reasons = [analyse(simulate(noise=100, seed=seed), ALL, k=K).reason for seed in range(20)]

    assert reasons.count(REASON_SHOWN) <= 1, reasons
    assert set(reasons) <= {REASON_NOISE, REASON_SHOWN}


@pytest.mark.parametrize("seed", range(5))
def test_thirty_participants_give_no_groups_even_with_clear_camps(seed):
    result = analyse(simulate([15, 15], seed=seed), ALL, k=K)

    assert result.groups is None
    assert result.reason == REASON_FEW
    assert result.counted == 30


def three_dissenters(seed: int) -> list[Vote]:
    """77 residents who mostly agree, and 3 who disagree where the village agrees."""
    rng = np.random.default_rng(100 + seed)
    views = np.vstack([np.ones(12, dtype=int), rng.choice([1, -1], 12)])
    views[1, :8] = -1
    return simulate([77, 3], views=views, seed=seed)


def test_a_camp_of_three_that_is_found_is_not_shown():
    result = analyse(three_dissenters(0), ALL, k=K)

    assert result.sizes_found == [77, 3]  # k-means does find the three ...
    assert result.silhouette > result.threshold  # ... and they are a real camp ...
    assert result.groups is None  # ... but three people are never shown as a group
    assert result.reason == REASON_SMALL


@pytest.mark.slow
def test_a_camp_of_three_is_never_shown_as_a_group():
    for seed in range(10):
        result = analyse(three_dissenters(seed), ALL, k=K)
        sizes = [g["size"] for g in result.groups or []]
        assert all(size >= K for size in sizes), (seed, sizes)


def test_a_camp_of_three_beside_two_big_camps_never_becomes_a_group():
    shown = []
    for seed in range(4):
        result = analyse(simulate([45, 42, 3], seed=seed), ALL, k=K)
        assert result.groups is None or all(g["size"] >= K for g in result.groups)
        shown.append(result.groups)
    assert any(shown), "the two big camps should still be found"


def test_the_same_votes_give_the_same_result():
    votes = simulate([40, 40], seed=7)
    first, second = analyse(votes, ALL, k=K), analyse(votes, ALL, k=K)
    assert (first.groups, first.silhouette, first.threshold) == (
        second.groups,
        second.silhouette,
        second.threshold,
    )


def test_a_participant_counts_after_seven_votes():
    votes = [Vote(f"p{i}", n, AGREE) for i in range(70) for n in range(1, 7)]  # six votes each
    assert analyse(votes, ALL, k=K).counted == 0
    votes += [Vote(f"p{i}", 7, DISAGREE) for i in range(70)]
    assert analyse(votes, ALL, k=K).counted == 70
    # With three statements, three votes are enough.
    three = [Vote(f"p{i}", n, AGREE) for i in range(10) for n in (1, 2, 3)]
    assert analyse(three, [1, 2, 3], k=K).counted == 10


# --- hand-worked examples -----------------------------------------------------------------------


def test_consensus_is_the_product_over_groups_of_agree_plus_one_over_seen_plus_two():
    # Group A: 8 agree, 1 disagree, 1 pass -> (8+1)/(10+2) = 0.75
    # Group B: 3 agree, 5 disagree, 2 pass -> (3+1)/(10+2) = 1/3      product: 0.25
    assert consensus_score([Tally(8, 1, 1), Tally(3, 5, 2)]) == pytest.approx(0.25)
    # Nobody has seen it: the prior alone, 1/2 per group.
    assert consensus_score([Tally(), Tally()]) == pytest.approx(0.25)
    # One group of 5 who all agree: 6/7, not 1: five votes are not unanimity.
    assert consensus_score([Tally(5, 0, 0)]) == pytest.approx(6 / 7)


def test_consensus_lists_what_every_group_agrees_with_best_first():
    per_statement = {
        1: [Tally(9, 1, 0), Tally(8, 2, 0)],  # 10/12 * 9/12 = 0.625
        2: [Tally(10, 0, 0), Tally(10, 0, 0)],  # (11/12)^2 = 0.840
        3: [Tally(10, 0, 0), Tally(2, 8, 0)],  # one group against: never consensus
        4: [Tally(4, 0, 0), Tally(4, 0, 0)],  # fewer than k voted in a group: left out
    }
    assert consensus(per_statement, K) == [2, 1]


def test_divisive_statements_are_the_even_splits():
    tallies = {
        1: Tally(10, 10, 0),  # split 0.5
        2: Tally(15, 5, 0),  # split 0.25: just divisive
        3: Tally(19, 1, 0),  # agreement
        4: Tally(2, 2, 0),  # fewer than k votes
    }
    assert divisive(tallies, K) == [1, 2]


def test_two_proportion_z_on_a_hand_worked_example():
    # 8 of 10 against 2 of 10: pooled 0.5, spread sqrt(0.25 * 0.2) = 0.2236, z = 0.6 / 0.2236
    assert two_proportion_z(8, 10, 2, 10) == pytest.approx(2.6833, abs=1e-4)
    assert two_proportion_z(0, 0, 2, 10) == 0.0


def test_a_statement_sets_a_group_apart_only_when_it_differs_clearly():
    group = {1: Tally(9, 1, 0), 2: Tally(5, 5, 0)}
    everyone = {1: Tally(11, 9, 0), 2: Tally(10, 10, 0)}
    # Statement 1: 9/10 against 2/10 of the rest, z = 3.13; statement 2: the same as the rest.
    assert distinctive(group, everyone, K) == [1]


def test_pass_votes_count_as_seen_but_not_as_agreement():
    votes = [Vote(f"p{i}", 1, PASS) for i in range(6)] + [Vote("p9", 1, AGREE)]
    result = analyse(votes, [1, 2], k=K)
    assert (result.tallies[1].agree, result.tallies[1].passed, result.tallies[1].seen) == (1, 6, 7)
