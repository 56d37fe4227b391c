"""Equal Shares with add-one completion: the fast search gives the outcomes of trying every
euro, and agrees with pabutools (the reference implementation of the field)."""

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vliegwiel.rounds.voting import Project, _mes_run, equal_shares

pabutools = pytest.importorskip("pabutools")
from pabutools.election import (  # noqa: E402
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
)
from pabutools.election import Project as PBProject  # noqa: E402
from pabutools.rules import exhaustion_by_budget_increase, method_of_equal_shares  # noqa: E402
from pabutools.tiebreaking import TieBreakingRule  # noqa: E402

# Our tie-break: more supporters first, then the idea listed first (named p0, p1, ...).
LIKE_OURS = TieBreakingRule(
    lambda inst, prof, proj: (-prof.approval_score(proj), int(proj.name[1:]))
)


def one_euro_at_a_time(projects, ballots, budget):
    """The add-one completion as it was counted before: a whole run for every euro."""
    votes = Counter(pid for b in ballots for pid in b)
    groups = Counter(frozenset(b) for b in ballots)
    candidates = [p for p in projects if p.cost > 0 and votes[p.id] > 0]
    cost = {p.id: p.cost for p in projects}
    n = len(ballots)
    run = _mes_run(candidates, groups, votes, Fraction(budget, n))
    share = Fraction(budget // n)
    while True:
        spent = sum(cost[pid] for pid in run.selected)
        if all(p.id in run.payment or spent + p.cost > budget for p in candidates):
            break
        attempt = _mes_run(candidates, groups, votes, share + 1)
        if sum(cost[pid] for pid in attempt.selected) > budget:
            break
        share, run = share + 1, attempt
    return share, run


@st.composite
def instances(draw, max_cost=80, max_voters=12):
    costs = draw(st.lists(st.integers(1, max_cost), min_size=1, max_size=7))
    projects = [Project(f"p{i}", c) for i, c in enumerate(costs)]
    ids = [p.id for p in projects]
    ballots = draw(st.lists(st.sets(st.sampled_from(ids)), min_size=1, max_size=max_voters))
    return projects, ballots, draw(st.integers(1, 200))


@settings(max_examples=300, deadline=None)
@given(instances())
def test_jumping_gives_what_trying_every_euro_gives(instance):
    projects, ballots, budget = instance
    share, run = one_euro_at_a_time(projects, ballots, budget)
    out = equal_shares(projects, ballots, budget, completion="add1")
    expected_free = [p.id for p in projects if p.cost == 0]
    assert out.selected == expected_free + run.selected
    assert out.parameters["voter_share"] == share
    for pid in run.selected:
        assert out.reasons[pid].max_payment == run.payment[pid]


def pabutools_election(projects, ballots, budget):
    pb_projects = {p.id: PBProject(p.id, p.cost) for p in projects}
    instance = Instance(pb_projects.values(), budget_limit=budget)
    profile = ApprovalProfile(
        [ApprovalBallot(pb_projects[pid] for pid in b) for b in ballots], instance=instance
    )
    return instance, profile


def pabutools_plain(projects, ballots, budget):
    instance, profile = pabutools_election(projects, ballots, budget)
    chosen = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=LIKE_OURS)
    return {p.name for p in chosen}


def pabutools_add_one(projects, ballots, budget):
    instance, profile = pabutools_election(projects, ballots, budget)
    chosen = exhaustion_by_budget_increase(
        instance,
        profile,
        method_of_equal_shares,
        {"sat_class": Cost_Sat, "tie_breaking": LIKE_OURS},
        budget_step=len(ballots),  # one euro more per voter
    )
    return {p.name for p in chosen}


@st.composite
def pabutools_instances(draw):
    # A budget that divides by the number of voters: pabutools starts at
    # budget / n and steps by whole euros, the add-one rule from floor(budget / n).
    costs = draw(st.lists(st.integers(1, 90), min_size=1, max_size=6))
    projects = [Project(f"p{i}", c) for i, c in enumerate(costs)]
    ids = [p.id for p in projects]
    ballots = draw(st.lists(st.sets(st.sampled_from(ids), min_size=1), min_size=1, max_size=8))
    # pabutools calls an outcome exhaustive only if no idea at all fits, even one nobody
    # voted for; ours looks at ideas with votes. Alike when every idea has a vote.
    assume(all(any(p.id in b for b in ballots) for p in projects))
    budget = len(ballots) * draw(st.integers(1, 25))
    return projects, ballots, budget


@settings(max_examples=120, deadline=None)
@given(pabutools_instances())
def test_add_one_agrees_with_pabutools(instance):
    projects, ballots, budget = instance
    ours = equal_shares(projects, ballots, budget, completion="add1")
    assert set(ours.selected) == pabutools_add_one(projects, ballots, budget)
    plain = equal_shares(projects, ballots, budget, completion="none")
    assert set(plain.selected) == pabutools_plain(projects, ballots, budget)


def test_the_reviewed_round_needs_few_runs(monkeypatch):
    """The review's case (budget 20,000; 15,000 + 5 x 500; 30 ballots, one only for the
    15,000 idea) took a run per euro, about 600 runs. Now a handful do."""
    projects = [Project("groot", 15000)] + [Project(f"klein{i}", 500) for i in range(5)]
    ballots = [{"groot"}] + [{f"klein{i % 5}", f"klein{(i + 1) % 5}"} for i in range(29)]
    import vliegwiel.rounds.voting as voting

    runs = []
    real = voting._mes_run

    def counted(*args):
        runs.append(args[-1])
        return real(*args)

    monkeypatch.setattr(voting, "_mes_run", counted)
    out = equal_shares(projects, ballots, 20000)
    monkeypatch.undo()
    share, run = one_euro_at_a_time(projects, ballots, 20000)
    assert out.parameters["voter_share"] == share
    assert out.selected[: len(run.selected)] == run.selected
    assert len(runs) < 10, f"{len(runs)} runs"
