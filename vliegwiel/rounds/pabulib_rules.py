"""What a pabulib file's own META allows, and counting a file with vliegwiel's rules.

In pabulib the META section states the rules a ballot had to follow (min_length, max_length,
min_sum_cost, max_sum_cost, min_points, max_points, min_sum_points, max_sum_points). A limit
the file does not state does not exist: an approval ballot may cost more than the budget
unless the file says ``max_sum_cost``. The counting functions in vliegwiel.voting accept such
ballots; importing and counting a file therefore check the file's own limits, not the
knapsack rule of vliegwiel's web form.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flask_babel import gettext as _

from vliegwiel.rounds.pabulib import PabulibError, PBInstance, PBVote
from vliegwiel.rounds.voting import (
    APPROVAL_STYLE,
    BallotError,
    Completion,
    Method,
    Outcome,
    approval,
    borda,
    dots,
    equal_shares,
    greedy_budget,
    money,
)

#: pabulib's `rule` values and the vliegwiel method (and Equal Shares completion) they name.
RULE_METHODS: dict[str, tuple[Method, Completion]] = {
    "greedy": ("greedy_budget", "add1u"),
    "equalshares": ("equal_shares", "none"),
    "equalshares/add1": ("equal_shares", "add1"),
}
#: The vote type each vliegwiel method reads; approval-style methods read any vote type (the
#: projects on a ballot are the ones it approves), as pabutools does.
METHOD_VOTE_TYPES = {"dots": "cumulative", "borda": "ordinal"}


def _limit(instance: PBInstance, key: str) -> Fraction | None:
    text = instance.meta.get(key, "").strip()
    if not text:
        return None
    try:
        return Fraction(text.replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise PabulibError(_("META %(key)s is geen getal: %(text)s", key=key, text=text)) from None


def meta_limits(instance: PBInstance) -> dict[str, Fraction | None]:
    """The ballot limits the file states; None where it states none."""
    keys = (
        "min_length", "max_length", "min_sum_cost", "max_sum_cost",
        "min_points", "max_points", "min_sum_points", "max_sum_points",
    )  # fmt: skip
    return {key: _limit(instance, key) for key in keys}


def check_vote(vote: PBVote, costs: dict[str, int], limits: dict[str, Fraction | None]) -> None:
    """Raise BallotError (Dutch) when ``vote`` breaks a limit its file's META states.

    An empty vote counts as breaking ``min_length``, which is 1 unless the file says 0: a
    blank ballot carries no preference.
    """
    length = len(vote.vote)
    least = limits["min_length"] if limits["min_length"] is not None else 1
    if length < least:
        if length == 0:
            raise BallotError(_("Uw stembiljet is leeg. Kies minstens één idee."))
        raise BallotError(
            _(
                "%(n)s ideeën gekozen, minder dan de %(limit)s die het bestand vraagt.",
                n=length,
                limit=least,
            )
        )
    if limits["max_length"] is not None and length > limits["max_length"]:
        raise BallotError(
            _(
                "%(n)s ideeën gekozen, meer dan de %(limit)s die het bestand toestaat.",
                n=length,
                limit=limits["max_length"],
            )
        )
    total = sum(costs[pid] for pid in vote.vote)
    if limits["max_sum_cost"] is not None and total > limits["max_sum_cost"]:
        raise BallotError(
            _(
                "De gekozen ideeën kosten samen %(total)s, meer dan de %(limit)s die het "
                "bestand toestaat.",
                total=money(total),
                limit=money(limits["max_sum_cost"]),
            )
        )
    if limits["min_sum_cost"] is not None and total < limits["min_sum_cost"]:
        raise BallotError(
            _(
                "De gekozen ideeën kosten samen %(total)s, minder dan de %(limit)s die het "
                "bestand vraagt.",
                total=money(total),
                limit=money(limits["min_sum_cost"]),
            )
        )
    if vote.points is None:
        return
    for value in vote.points:
        if limits["max_points"] is not None and value > limits["max_points"]:
            raise BallotError(
                _(
                    "%(n)s punten voor één idee, meer dan de %(limit)s die het bestand toestaat.",
                    n=value,
                    limit=limits["max_points"],
                )
            )
        if limits["min_points"] is not None and value < limits["min_points"]:
            raise BallotError(
                _(
                    "%(n)s punten voor één idee, minder dan de %(limit)s die het bestand vraagt.",
                    n=value,
                    limit=limits["min_points"],
                )
            )
    used = sum(vote.points)
    if limits["max_sum_points"] is not None and used > limits["max_sum_points"]:
        raise BallotError(
            _(
                "%(n)s punten verdeeld, meer dan de %(limit)s die het bestand toestaat.",
                n=used,
                limit=limits["max_sum_points"],
            )
        )
    if limits["min_sum_points"] is not None and used < limits["min_sum_points"]:
        raise BallotError(
            _(
                "%(n)s punten verdeeld, minder dan de %(limit)s die het bestand vraagt.",
                n=used,
                limit=limits["min_sum_points"],
            )
        )


def check_votes(instance: PBInstance) -> None:
    """Check every vote against the file's META; BallotError names the first bad ballot."""
    costs = {p.id: p.cost for p in instance.projects}
    limits = meta_limits(instance)
    for number, vote in enumerate(instance.votes, start=1):
        try:
            check_vote(vote, costs, limits)
        except BallotError as error:
            raise BallotError(
                _(
                    "Stembiljet %(number)s (voter_id %(voter)s): %(error)s",
                    number=number,
                    voter=vote.voter_id,
                    error=error,
                )
            ) from None


def default_method(instance: PBInstance) -> tuple[Method, Completion] | None:
    """The method (and completion) the file's own ``rule`` and ``vote_type`` name, if any."""
    if instance.meta.get("rule") in RULE_METHODS:
        return RULE_METHODS[instance.meta["rule"]]
    if instance.vote_type == "cumulative":
        return "dots", "add1u"
    if instance.vote_type == "ordinal":
        return "borda", "add1u"
    return None


def points_limit(instance: PBInstance) -> int:
    """Points per voter for dot voting: the file's max_sum_points, else the most any voter
    used (at least 1)."""
    stated = _limit(instance, "max_sum_points")
    if stated is not None:
        return int(stated)
    return max([sum(v.points or []) for v in instance.votes] + [1])


def count_instance(
    instance: PBInstance,
    method: Method,
    *,
    completion: Completion = "add1u",
    seats: int = 1,
) -> Outcome:
    """Count a file with one of vliegwiel's rules, by the file's own project ids.

    Raises PabulibError (Dutch) when the method cannot read the file's vote type or a ballot
    breaks the file's META.
    """
    wanted = METHOD_VOTE_TYPES.get(method)
    if wanted is not None and instance.vote_type != wanted:
        raise PabulibError(
            _(
                "De methode %(method)s telt stemmen van het type %(wanted)s; dit bestand heeft "
                "%(found)s.",
                method=method,
                wanted=wanted,
                found=instance.vote_type,
            )
        )
    try:
        check_votes(instance)
    except BallotError as error:
        raise PabulibError(str(error)) from None
    projects: Sequence = instance.projects
    if method in APPROVAL_STYLE:
        ballots = [set(v.vote) for v in instance.votes]
        if method == "approval":
            return approval(projects, ballots, seats=seats)
        if method == "greedy_budget":
            return greedy_budget(projects, ballots, instance.budget)
        return equal_shares(projects, ballots, instance.budget, completion)
    if method == "dots":
        return dots(projects, instance.ballots(), points_limit(instance), seats=seats)
    if method == "borda":
        return borda(projects, instance.ballots(), seats=seats)
    raise ValueError(f"unknown voting method {method!r}")
