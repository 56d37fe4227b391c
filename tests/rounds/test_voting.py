"""Voting rules, checked against outcomes worked out by hand (arithmetic in the comments)."""

from fractions import Fraction

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import given, settings
from hypothesis import strategies as st

from vliegwiel.rounds.voting import (
    BallotError,
    Project,
    approval,
    borda,
    dots,
    equal_shares,
    explain,
    greedy_budget,
    validate_ballot,
)


@pytest.fixture
def babel_app():
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "nl"
    Babel(app)
    with app.test_request_context("/"):
        yield app


def ideas(*ids: str) -> list[Project]:
    return [Project(i) for i in ids]


# --- approval ---------------------------------------------------------------------------------


def test_approval_tie_goes_to_the_idea_listed_first():
    ballots = [{"bankjes", "ijsbaan"}, {"bankjes"}, {"ijsbaan", "speeltuin"}]
    # bankjes 2, ijsbaan 2, speeltuin 1: a tie for first place.
    out = approval(ideas("speeltuin", "bankjes", "ijsbaan"), ballots)
    assert out.selected == ["bankjes"]
    assert out.scores == {"bankjes": 2, "ijsbaan": 2, "speeltuin": 1}
    assert out.reasons["ijsbaan"].code == "tie_lost"
    assert out.reasons["speeltuin"].code == "not_chosen"

    # The same votes on a shortlist in another order: the other tied idea wins.
    reordered = approval(ideas("ijsbaan", "bankjes", "speeltuin"), ballots)
    assert reordered.selected == ["ijsbaan"]


def test_approval_seats_and_ideas_without_votes():
    ballots = [{"a", "b"}, {"b"}]
    out = approval(ideas("a", "b", "c"), ballots, seats=3)
    # c has no approvals, so it is not chosen even though a seat is free.
    assert out.selected == ["b", "a"]
    assert out.reasons["c"].code == "no_votes"


def test_approval_refuses_an_unknown_idea():
    with pytest.raises(BallotError, match="Stembiljet 2: Onbekend idee op het stembiljet: zwembad"):
        approval(ideas("a", "b"), [{"a"}, {"zwembad"}])


# --- dots -------------------------------------------------------------------------------------


def test_dots_counts_points():
    ballots = [{"a": 5}, {"b": 3, "c": 2}, {"b": 2, "a": 1}]
    # a = 5 + 1 = 6, b = 3 + 2 = 5, c = 2
    out = dots(ideas("a", "b", "c"), ballots, points=5, seats=2)
    assert out.scores == {"a": 6, "b": 5, "c": 2}
    assert out.selected == ["a", "b"]


def test_dots_over_the_limit_is_refused():
    with pytest.raises(BallotError, match="6 punten verdeeld, maar u mag er hooguit 5"):
        dots(ideas("a", "b"), [{"a": 3, "b": 3}], points=5)


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ({"a": -1, "b": 4}, "negatief"),
        ({"a": 1.5}, "hele getallen"),
        ({"x": 1}, "Onbekend idee"),
    ],
)
def test_dot_ballot_errors(ballot, message):
    with pytest.raises(BallotError, match=message):
        validate_ballot("dots", ballot, ideas("a", "b"), points=5)


# --- Borda ------------------------------------------------------------------------------------


def test_borda_with_partial_rankings():
    # m = 4 ideas: place 1 earns 3, place 2 earns 2, place 3 earns 1, place 4 and unranked 0.
    ballots = [["a", "b", "c", "d"], ["b", "c", "a"], ["c", "b"]]
    # a = 3 + 1 + 0 = 4; b = 2 + 3 + 2 = 7; c = 1 + 2 + 3 = 6; d = 0
    out = borda(ideas("a", "b", "c", "d"), ballots, seats=2)
    assert out.scores == {"b": 7, "c": 6, "a": 4, "d": 0}
    assert out.selected == ["b", "c"]
    assert out.reasons["d"].code == "no_votes"


def test_borda_refuses_an_idea_ranked_twice():
    with pytest.raises(BallotError, match="meer dan één keer"):
        borda(ideas("a", "b"), [["a", "b", "a"]])


# --- greedy budget ----------------------------------------------------------------------------


def greedy_case():
    projects = [
        Project("A", 60),
        Project("B", 50),
        Project("C", 30),
        Project("D", 20),
        Project("E", 10),
    ]
    # votes: A 5, B 4, C 3, D 2, E 1
    ballots = [{"A", "B", "C", "D", "E"}, {"A", "B", "C", "D"}, {"A", "B", "C"}, {"A", "B"}, {"A"}]
    return projects, ballots


def test_greedy_skips_what_no_longer_fits_and_goes_on():
    projects, ballots = greedy_case()
    out = greedy_budget(projects, ballots, budget=100)
    # A: 100 - 60 = 40 left. B (50) > 40: skipped. C: 40 - 30 = 10. D (20) > 10: skipped.
    # E: 10 - 10 = 0.
    assert out.selected == ["A", "C", "E"]
    assert out.reasons["B"].code == "no_longer_fits"
    assert out.reasons["B"].remaining == 40
    assert out.reasons["D"].remaining == 10
    assert out.reasons["E"].remaining == 0


def test_greedy_explanations_in_dutch(babel_app):
    projects, ballots = greedy_case()
    out = greedy_budget(projects, ballots, budget=100)
    texts = out.explanations()
    assert texts["A"] == "Gekozen: 5 stemmen, past binnen het budget (nog € 40 over)."
    assert texts["B"] == "Niet gekozen: paste niet meer in het resterende budget van € 40."


def test_greedy_never_picks_what_costs_more_than_the_budget():
    out = greedy_budget([Project("brug", 500), Project("bank", 10)], [{"brug"}, {"brug"}], 100)
    assert out.selected == []
    assert out.reasons["brug"].code == "over_budget"
    assert explain(out.reasons["bank"]) == "Niet gekozen: niemand heeft op dit idee gestemd."


def test_knapsack_ballot_over_budget_is_refused():
    projects = [Project("a", 60), Project("b", 50)]
    validate_ballot("greedy_budget", {"a"}, projects, budget=100)
    with pytest.raises(BallotError, match="kosten samen € 110, meer dan het budget van € 100"):
        validate_ballot("greedy_budget", {"a", "b"}, projects, budget=100)


# --- Equal Shares -----------------------------------------------------------------------------


def majority_minority():
    projects = [Project(pid, 40) for pid in ("A1", "A2", "A3", "B1", "B2")]
    ballots = [{"A1", "A2", "A3"}] * 6 + [{"B1", "B2"}] * 4
    return projects, ballots


def test_equal_shares_gives_the_minority_its_share_where_greedy_does_not():
    projects, ballots = majority_minority()
    # Greedy: A1 (6 votes) 100 - 40 = 60, A2 (6) 60 - 40 = 20; A3, B1, B2 (40) no longer fit.
    assert greedy_budget(projects, ballots, 100).selected == ["A1", "A2"]

    out = equal_shares(projects, ballots, 100)
    # Each voter gets 100 / 10 = 10. The A-group (60 in total) can pay an A project at 40 / 6
    # each, rho = (40/6) / 40 = 1/6; the B-group (40) pays a B project at 10 each, rho = 1/4.
    # A1 first (1/6; A2 and A3 tie and come later in the list). The A-group then has
    # 6 * (10 - 20/3) = 20 < 40 left, so only B1 (rho 1/4) is still affordable; after it the
    # B-group has 0. Spent 80, and no 40-project fits in the 20 left, so add-one stops at once.
    assert out.selected == ["A1", "B1"]
    assert out.reasons["A1"].max_payment == Fraction(20, 3)
    assert out.reasons["A2"].code == "supporters_out_of_money"
    assert out.reasons["B2"].supporters_money == 0


def test_equal_shares_explanations_in_dutch(babel_app):
    projects, ballots = majority_minority()
    texts = equal_shares(projects, ballots, 100).explanations()
    assert texts["A1"] == (
        "Gekozen: de 6 voorstanders konden het samen betalen uit hun gelijke deel "
        "(elk hooguit € 6,67)."
    )
    assert texts["A2"] == (
        "Niet gekozen: de voorstanders hadden samen niet genoeg budget over. "
        "Het paste ook niet meer in het resterende budget van € 20."
    )


def test_add_one_completion_changes_the_outcome():
    # 4 voters want P (45); 6 voters want Q (50) and S (45). Budget 100 for 10 voters.
    projects = [Project("Q", 50), Project("S", 45), Project("P", 45)]
    ballots = [{"P"}] * 4 + [{"Q", "S"}] * 6

    # Share 10: P's voters have 40 < 45. Q and S both have rho 1/6 (no one is capped); Q is
    # listed first. After Q the 6 voters have 60 - 50 = 10 < 45 left: only Q.
    plain = equal_shares(projects, ballots, 100, completion="none")
    assert plain.selected == ["Q"]

    # Greedy by votes would fill the 50 left with S (6 votes) rather than P (4 votes).
    assert greedy_budget(projects, ballots, 100).selected == ["Q", "S"]

    # Add one: {Q} is not exhaustive (50 + 45 <= 100). Share 11: P's voters have 44 < 45, still
    # only Q. Share 12: P's voters have 48 >= 45, rho(P) = (45/4)/45 = 1/4;
    # Q goes first (1/6), its voters keep 72 - 50 = 22 < 45 for S; then P. Cost 95 <= 100 and
    # nothing else fits, so the search stops at 12 per voter.
    for completion in ("add1", "add1u"):
        out = equal_shares(projects, ballots, 100, completion=completion)
        assert out.selected == ["Q", "P"]
        assert out.parameters["voter_share"] == 12


def test_greedy_fill_after_add_one():
    # One voter each for A (50), B (50), C (20); budget 90, so 30 per voter.
    projects = [Project("A", 50), Project("B", 50), Project("C", 20)]
    ballots = [{"A"}, {"B"}, {"C"}]
    # Share 30..49 buys only C. Share 50 buys A, B and C: 120 > 90, so add-one keeps {C}.
    assert equal_shares(projects, ballots, 90, completion="add1").selected == ["C"]
    # The greedy fill then adds A (1 vote, listed before B): 20 + 50 = 70; B no longer fits.
    out = equal_shares(projects, ballots, 90, completion="add1u")
    assert out.selected == ["C", "A"]
    assert out.reasons["A"].code == "completion"
    assert out.reasons["A"].remaining == 20
    assert out.reasons["B"].code == "supporters_out_of_money"


def test_equal_shares_on_the_equalshares_net_example():
    # budget 100000, 4 voters (25000 each); costs 5000, 10000, 85000.
    projects = [Project("1", 5000), Project("2", 10000), Project("3", 85000)]
    ballots = [{"1", "2"}, {"1"}, {"3"}, {"1", "2", "3"}]
    # 1: 3 supporters, rho 1/3; 2: rho (10000/2)/10000 = 1/2; 3: supporters hold 50000 < 85000.
    # After 1 and 2, voter 4 keeps 25000 - 5000/3 - 5000, so 3's supporters have 43333.33.
    assert equal_shares(projects, ballots, 100000, completion="none").selected == ["1", "2"]
    # Add one: 3 becomes affordable once 2s - 5000/3 - 5000 >= 85000, i.e. s >= 45833.33,
    # so at s = 45834; all three cost exactly the budget.
    out = equal_shares(projects, ballots, 100000)
    assert out.selected == ["1", "2", "3"]
    assert out.parameters["voter_share"] == 45834


# --- properties -------------------------------------------------------------------------------


@st.composite
def pb_instances(draw):
    costs = draw(st.lists(st.integers(1, 60), min_size=1, max_size=6))
    projects = [Project(f"p{i}", c) for i, c in enumerate(costs)]
    ids = [p.id for p in projects]
    ballots = draw(st.lists(st.sets(st.sampled_from(ids)), min_size=1, max_size=10))
    return projects, ballots, draw(st.integers(1, 150))


@settings(max_examples=150, deadline=None)
@given(pb_instances())
def test_budget_rules_stay_within_budget_and_leave_nothing_that_fits(instance):
    projects, ballots, budget = instance
    cost = {p.id: p.cost for p in projects}
    voted = {pid for b in ballots for pid in b}
    for out in (greedy_budget(projects, ballots, budget), equal_shares(projects, ballots, budget)):
        spent = sum(cost[pid] for pid in out.selected)
        assert spent <= budget
        assert set(out.selected) <= voted
        # Both end exhaustive: no idea with votes would still fit.
        assert all(pid in out.selected or spent + cost[pid] > budget for pid in voted)
        assert set(out.reasons) == set(cost)


def test_equal_shares_explains_a_single_supporter_in_the_singular(babel_app):
    # One voter, budget 100: they alone pay for the cheaper project from their share.
    projects = [Project("A", 40), Project("B", 80)]
    texts = equal_shares(projects, [{"A"}], 100, completion="none").explanations()
    assert texts["A"] == (
        "Gekozen: de enige voorstander kon het betalen uit zijn of haar gelijke deel "
        "(hooguit € 40)."
    )
