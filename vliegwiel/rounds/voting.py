"""Voting rules for the "prioritise" phase of a participation round.

Pure functions over plain data: no Flask, no storage. Every rule returns an `Outcome` whose
`reasons` say, per idea, why it was or was not chosen as structured data (`Reason`);
`explain()` turns a reason into a Dutch sentence through Flask-Babel, so the same outcome can be
shown in any language the app has a catalogue for. See docs/voting.md for the rules in words.

Ties are always broken the same way: the idea listed first in `projects` (the order of the
shortlist) wins. Equal Shares first prefers the idea with more supporters, then list order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from babel.numbers import format_currency
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError

try:  # exact fractions in C, about ten times faster than Fraction; Fraction where missing
    from gmpy2 import mpq as _Q
except ImportError:  # pragma: no cover
    _Q = Fraction

Number = int | Fraction
Method = Literal["approval", "dots", "borda", "greedy_budget", "equal_shares"]
Completion = Literal["none", "add1", "add1u"]
APPROVAL_STYLE = ("approval", "greedy_budget", "equal_shares")


class BallotError(VliegwielError, ValueError):
    """A ballot breaks the rules of its method; the message is Dutch, for the voter."""

    code = "ballot"


@dataclass(frozen=True)
class Project:
    id: str
    cost: int = 0
    name: str = ""


@dataclass(frozen=True)
class Reason:
    """Why one idea was (not) chosen. `code` picks the sentence, the rest fills it in.

    Codes: winner, not_chosen, tie_lost (ranking rules); fits, no_longer_fits, over_budget
    (greedy); shared, completion, supporters_out_of_money (Equal Shares); no_votes (all).
    Money is in whole currency units, possibly a Fraction for Equal Shares payments.
    """

    code: str
    score: Number = 0
    unit: Literal["votes", "points"] = "votes"
    rank: int | None = None
    threshold: Number | None = None  # score of the last chosen idea
    cost: int | None = None
    remaining: Number | None = None  # budget left after choosing / when it was passed over
    supporters: int | None = None
    max_payment: Number | None = None  # Equal Shares: most any one supporter paid
    supporters_money: Number | None = None  # Equal Shares: what the supporters had left


@dataclass
class Outcome:
    method: Method
    selected: list[str]  # in the order the rule chose them
    scores: dict[str, Number]  # approvals, points or Borda points per idea
    reasons: dict[str, Reason]
    ranking: list[str] = field(default_factory=list)  # every idea, best first
    parameters: dict[str, object] = field(default_factory=dict)

    def explanations(self) -> dict[str, str]:
        """Dutch (or translated) sentence per idea; see `explain`."""
        return {pid: explain(reason) for pid, reason in self.reasons.items()}


# --- ballots ----------------------------------------------------------------------------------


def validate_ballot(
    method: Method,
    ballot: object,
    projects: Sequence[Project],
    *,
    points: int | None = None,
    budget: int | None = None,
) -> None:
    """Raise BallotError (Dutch message) when `ballot` is not a valid ballot for `method`.

    Approval-style ballots are collections of idea ids; with `budget` they are knapsack
    ballots whose ideas must fit the budget together. Dot ballots map ids to points (at most
    `points` in total); Borda ballots list ids best first, each at most once.
    """
    known = {p.id: p for p in projects}
    if method in APPROVAL_STYLE or method == "borda":
        if isinstance(ballot, str | bytes | dict) or not isinstance(ballot, Iterable):
            raise BallotError(_("Het stembiljet is geen lijst van ideeën."))
        ids = list(ballot)
    elif method == "dots":
        if not isinstance(ballot, dict):
            raise BallotError(_("Het stembiljet is geen verdeling van punten."))
        ids = list(ballot)
    else:
        raise ValueError(f"unknown voting method {method!r}")
    unknown = sorted({str(i) for i in ids if i not in known})
    if unknown:
        raise BallotError(_("Onbekend idee op het stembiljet: %(ids)s.", ids=", ".join(unknown)))
    doubles = sorted(pid for pid, n in Counter(ids).items() if n > 1)
    if doubles:
        raise BallotError(
            _(
                "Een idee staat meer dan één keer op het stembiljet: %(ids)s.",
                ids=", ".join(doubles),
            )
        )
    if method == "dots":
        _check_points(ballot, points)  # type: ignore[arg-type]
    if budget is not None and method in APPROVAL_STYLE:
        total = sum(known[pid].cost for pid in ids)
        if total > budget:
            raise BallotError(
                _(
                    "De gekozen ideeën kosten samen %(total)s, meer dan het budget van %(budget)s.",
                    total=money(total),
                    budget=money(budget),
                )
            )


def _check_points(ballot: dict[str, int], points: int | None) -> None:
    if points is None:
        raise ValueError("dot voting needs the number of points per voter")
    for value in ballot.values():
        if isinstance(value, bool) or not isinstance(value, int):
            raise BallotError(_("Punten moeten hele getallen zijn."))
        if value < 0:
            raise BallotError(_("Een negatief aantal punten kan niet."))
    used = sum(ballot.values())
    if used > points:
        raise BallotError(
            _(
                "U heeft %(used)s punten verdeeld, maar u mag er hooguit %(points)s verdelen.",
                used=used,
                points=points,
            )
        )


def _validate_all(
    method: Method, ballots: Sequence[object], projects: Sequence[Project], **limits: int | None
) -> None:
    if len({p.id for p in projects}) != len(projects):
        raise ValueError("project ids must be unique")
    for number, ballot in enumerate(ballots, start=1):
        try:
            validate_ballot(method, ballot, projects, **limits)
        except BallotError as err:
            message = _("Stembiljet %(number)s: %(error)s", number=number, error=err)
            raise BallotError(message) from None


# --- rules without a budget -------------------------------------------------------------------


def approval(
    projects: Sequence[Project], ballots: Sequence[Collection[str]], *, seats: int = 1
) -> Outcome:
    """Approval voting: the `seats` ideas with most approvals win."""
    _validate_all("approval", ballots, projects)
    scores = Counter(pid for ballot in ballots for pid in ballot)
    return _rank_outcome("approval", projects, scores, seats, "votes")


def dots(
    projects: Sequence[Project], ballots: Sequence[dict[str, int]], points: int, *, seats: int = 1
) -> Outcome:
    """Dot voting: each voter spreads at most `points` points; most points win."""
    _validate_all("dots", ballots, projects, points=points)
    scores: Counter[str] = Counter()
    for ballot in ballots:
        scores.update(ballot)
    return _rank_outcome("dots", projects, scores, seats, "points")


def borda(
    projects: Sequence[Project], ballots: Sequence[Sequence[str]], *, seats: int = 1
) -> Outcome:
    """Borda count: with m ideas, place k on a ballot earns m - k points; unranked ideas 0."""
    _validate_all("borda", ballots, projects)
    m = len(projects)
    scores: Counter[str] = Counter()
    for ballot in ballots:
        for place, pid in enumerate(ballot, start=1):
            scores[pid] += m - place
    return _rank_outcome("borda", projects, scores, seats, "points")


def _rank_outcome(
    method: Method,
    projects: Sequence[Project],
    scores: Counter[str],
    seats: int,
    unit: Literal["votes", "points"],
) -> Outcome:
    order = {p.id: i for i, p in enumerate(projects)}
    ranking = sorted(order, key=lambda pid: (-scores[pid], order[pid]))
    selected = [pid for pid in ranking[:seats] if scores[pid] > 0]
    threshold = scores[selected[-1]] if selected else None
    reasons: dict[str, Reason] = {}
    for rank, pid in enumerate(ranking, start=1):
        score = scores[pid]
        if pid in selected:
            code = "winner"
        elif score == 0:
            code = "no_votes"
        elif score == threshold:
            code = "tie_lost"
        else:
            code = "not_chosen"
        reasons[pid] = Reason(code, score, unit, rank=rank, threshold=threshold)
    return Outcome(
        method, selected, {pid: scores[pid] for pid in ranking}, reasons, ranking, {"seats": seats}
    )


# --- participatory budgeting ------------------------------------------------------------------


def greedy_budget(
    projects: Sequence[Project], ballots: Sequence[Collection[str]], budget: int
) -> Outcome:
    """Greedy by votes: most approvals first; skip what no longer fits and keep going."""
    _validate_all("greedy_budget", ballots, projects)
    votes = Counter(pid for ballot in ballots for pid in ballot)
    order = {p.id: i for i, p in enumerate(projects)}
    ranking = sorted(order, key=lambda pid: (-votes[pid], order[pid]))
    selected, reasons, _left = _greedy_fill(projects, votes, ranking, budget, [], "fits")
    return Outcome(
        "greedy_budget",
        selected,
        {pid: votes[pid] for pid in ranking},
        reasons,
        ranking,
        {"budget": budget},
    )


def _greedy_fill(
    projects: Sequence[Project],
    votes: Counter[str],
    ranking: list[str],
    budget: int,
    already: list[str],
    code: str,
) -> tuple[list[str], dict[str, Reason], int]:
    """Add, by `ranking`, each idea with votes that still fits next to `already`."""
    cost = {p.id: p.cost for p in projects}
    remaining = budget - sum(cost[pid] for pid in already)
    selected = list(already)
    reasons: dict[str, Reason] = {}
    for pid in ranking:
        if pid in already:
            continue
        n = votes[pid]
        if n == 0:
            reasons[pid] = Reason("no_votes", 0, cost=cost[pid])
        elif cost[pid] > budget:
            reasons[pid] = Reason("over_budget", n, cost=cost[pid], remaining=budget)
        elif cost[pid] <= remaining:
            remaining -= cost[pid]
            selected.append(pid)
            reasons[pid] = Reason(code, n, cost=cost[pid], remaining=remaining)
        else:
            reasons[pid] = Reason("no_longer_fits", n, cost=cost[pid], remaining=remaining)
    return selected, reasons, remaining


@dataclass
class _MESRun:
    selected: list[str]
    payment: dict[str, Fraction]  # highest payment by one supporter, per chosen idea
    money: dict[frozenset[str], Fraction]  # what each kind of voter has left, per voter
    # The smallest share at or above this run's share from which some comparison the run made
    # could come out otherwise (equal to the share: just above it); None when none ever could.
    # Below it every step of the run is the same, so the same ideas are chosen.
    next_change: Fraction | None = None


class _Watch:
    """Collects where the comparisons of one run would tip as the voter share grows.

    Every amount in a run is kept as value + slope * (s - share): money, totals and payment
    caps move linearly with the share s as long as every comparison comes out the same way.
    `see(diff, slope)` is told each difference the run compared with zero; `at(share)` a
    share found otherwise.
    """

    __slots__ = ("limit", "share")

    def __init__(self, share: object) -> None:
        self.share = share
        self.limit: object | None = None

    def see(self, diff: object, slope: object) -> None:
        if slope:
            self.at(self.share - diff / slope)  # type: ignore[operator]

    def at(self, root: object) -> None:
        if root >= self.share and (self.limit is None or root < self.limit):  # type: ignore[operator]
            self.limit = root


def _fraction(value: object) -> Fraction:
    return Fraction(int(value.numerator), int(value.denominator))  # type: ignore[attr-defined]


def _first_reach(terms: list[tuple[int, object, object]], c0: object, cs: object, cost: int):
    """Smallest x >= 0 with sum(g * min(m + a*x, c0 + cs*x)) >= cost, or None.

    That sum is what the supporters of an idea could pay towards it if nobody paid more than
    c0 + cs*x (the payment cap of the idea chosen instead, at this idea's cost): once it
    reaches the cost, this idea would be as good a buy and could be chosen first. A sum of
    minima of lines is concave, so after its slope stops rising it never reaches the cost.
    """
    value, slope, kinks = _Q(0), _Q(0), []
    for g, m, a in terms:
        if m < c0 or (m == c0 and a <= cs):  # pays all it has, now and just after
            value += g * m
            slope += g * a
            if a > cs:
                kinks.append(((c0 - m) / (a - cs), g * (cs - a)))
        else:  # pays the cap
            value += g * c0
            slope += g * cs
            if a < cs:
                kinks.append(((m - c0) / (cs - a), g * (a - cs)))
    kinks.sort(key=lambda k: k[0])
    x = _Q(0)
    for at, change in [*kinks, (None, 0)]:
        if value >= cost:
            return x
        if slope <= 0:
            return None
        reach = x + (cost - value) / slope
        if at is None or reach <= at:
            return reach
        value += slope * (at - x)
        x = at
        slope += change
    return None


def _cap(backers, groups, money, slope, cost: int, heads: int):
    """Smallest payment cap p with sum(min(money, p)) == cost, and how it moves with the share.

    With cost utilities each supporter's utility is `cost`, so rho = p / cost; the poorest
    pay all they have.
    """
    paid, paid_slope, count = _Q(0), _Q(0), heads
    cap = _Q(cost, count)
    for b in sorted(backers, key=money.__getitem__):
        cap = (cost - paid) / count
        if cap <= money[b]:
            break
        paid += groups[b] * money[b]
        paid_slope += groups[b] * slope[b]
        count -= groups[b]
    return cap, -paid_slope / count


_BACKERS: dict[tuple, tuple[dict[str, list[frozenset[str]]], dict[str, int]]] = {}


def _backers(candidates: list[Project], groups: Counter[frozenset[str]]):
    """Which kinds of ballot support each idea and how many voters that is: the same for every
    run of one count, so worked out once (the last count is kept)."""
    global _BACKERS
    key = (tuple(candidates), tuple(groups.items()))
    found = _BACKERS.get(key)
    if found is None:
        backers_of = {p.id: [b for b in groups if p.id in b] for p in candidates}
        heads = {pid: sum(groups[b] for b in backers) for pid, backers in backers_of.items()}
        found = (backers_of, heads)
        _BACKERS = {key: found}  # one assignment: safe next to another thread counting
    return found


def _mes_run(
    candidates: list[Project],
    groups: Counter[frozenset[str]],
    supporters: Counter[str],
    share: Fraction,
) -> _MESRun:
    """One run of Equal Shares with cost utilities and a fixed endowment `share` per voter.

    Voters with the same ballot always hold the same money, so they are kept as one group
    with a multiplicity. Besides the outcome the run reports `next_change` (see _MESRun), so
    the add-one completion can jump straight to the next share that can change anything.

    Payment ratios only rise during a run (money only goes down), so an idea whose last
    ratio is already worse than the best one found is not worked out again.
    """
    s = _Q(share.numerator, share.denominator)
    watch = _Watch(s)
    money = dict.fromkeys(groups, s)
    slope = dict.fromkeys(groups, _Q(1))
    backers_of, heads = _backers(candidates, groups)
    total = {pid: heads[pid] * s for pid in heads}  # the supporters' money together
    total_slope = {pid: _Q(heads[pid]) for pid in heads}
    order = {p.id: i for i, p in enumerate(candidates)}
    known = {p.id: (_Q(0), -supporters[p.id], order[p.id]) for p in candidates}  # lower bounds
    open_projects = list(candidates)
    run = _MESRun([], {}, {})
    later: list[tuple[object, str, dict, dict, object, object, int]] = []  # checks for the end
    while True:
        affordable = []
        for project in open_projects:
            short = total[project.id] - project.cost
            watch.see(short, total_slope[project.id])
            if short >= 0:  # else its supporters can never afford it again
                affordable.append(project)
        affordable.sort(key=lambda p: known[p.id])
        best: tuple | None = None
        best_project: Project | None = None
        best_cap = best_cap_slope = _Q(0)
        worked: dict[str, object] = {}  # ratio slope of the ideas worked out this pass
        for project in affordable:
            pid, cost = project.id, project.cost
            if best is not None and known[pid][0] > best[0]:
                break  # this idea and all after it cannot beat or tie `best`
            cap, cap_slope = _cap(backers_of[pid], groups, money, slope, cost, heads[pid])
            known[pid] = (cap / cost, -supporters[pid], order[pid])
            worked[pid] = cap_slope / cost
            if best is None or known[pid] < best:
                best, best_project, best_cap, best_cap_slope = known[pid], project, cap, cap_slope
        if best is None or best_project is None:
            break
        rho, rho_slope = best[0], best_cap_slope / best_project.cost
        money_now, slope_now = dict(money), dict(slope)
        for project in affordable:  # could another idea overtake the chosen one?
            pid = project.id
            if project is best_project:
                continue
            if pid in worked and known[pid][0] == rho:  # a tie, decided by the tie-break
                watch.see(known[pid][0] - rho, worked[pid] - rho_slope)
                continue
            c0, cs = rho * project.cost, rho_slope * project.cost
            # It cannot before its supporters, all paying c0 + cs*x, could pay its cost.
            lower = heads[pid] * c0 - project.cost
            if lower < 0 and heads[pid] * cs <= 0:
                continue
            first = s if lower >= 0 else s - lower / (heads[pid] * cs)
            later.append((first, pid, money_now, slope_now, c0, cs, project.cost))
        open_projects = [p for p in affordable if p is not best_project]
        still = {p.id for p in open_projects}
        for b in backers_of[best_project.id]:  # who pays all they have, who pays the cap
            if not still.isdisjoint(b):  # else what this kind of voter keeps decides nothing
                watch.see(money[b] - best_cap, slope[b] - best_cap_slope)
        for b in backers_of[best_project.id]:
            if money[b] <= best_cap:
                change, change_slope = money[b], slope[b]
                money[b], slope[b] = _Q(0), _Q(0)
            else:
                change, change_slope = best_cap, best_cap_slope
                money[b] -= best_cap
                slope[b] -= best_cap_slope
            for pid in b:
                if pid in still:  # closed ideas' totals are never looked at again
                    total[pid] -= groups[b] * change
                    total_slope[pid] -= groups[b] * change_slope
        run.selected.append(best_project.id)
        run.payment[best_project.id] = _fraction(best_cap)
    later.sort(key=lambda item: item[0])
    for first, pid, money_then, slope_then, c0, cs, cost in later:
        if watch.limit is not None and first >= watch.limit:
            break
        terms = [(groups[b], money_then[b], slope_then[b]) for b in backers_of[pid]]
        reach = _first_reach(terms, c0, cs, cost)
        if reach is not None:
            watch.at(s + reach)
    run.money = money  # exact; turned into Fractions by whoever needs them
    run.next_change = None if watch.limit is None else _fraction(watch.limit)
    return run


def _add_one(
    candidates: list[Project],
    groups: Counter[frozenset[str]],
    votes: Counter[str],
    budget: int,
    run: _MESRun,
) -> tuple[Fraction, _MESRun]:
    """The add-one completion: the outcome of raising the share to floor(budget/n) + 1, + 2,
    ... while the outcome still fits the budget and is not yet exhaustive.

    Exact, without trying every euro: between two shares at which some comparison of a run
    tips (`next_change`), every run chooses the same ideas, so those shares all fit and none is
    exhaustive. The search jumps to the first whole share at or after such a point.
    """
    cost = {p.id: p.cost for p in candidates}
    n = sum(groups.values())
    share = Fraction(budget // n)
    first = True
    while True:
        spent = sum(cost[pid] for pid in run.selected)
        if all(p.id in run.payment or spent + p.cost > budget for p in candidates):
            return share, run  # exhaustive: nothing with votes fits any more
        if first:
            step = share + 1  # `run` was counted with budget/n, not with `share`
        elif run.next_change is None:
            return share, run  # nothing can change any more
        else:
            step = max(share + 1, Fraction(math.ceil(run.next_change)))
        attempt = _mes_run(candidates, groups, votes, step)
        if sum(cost[pid] for pid in attempt.selected) > budget:
            if step - 1 > share:  # the shares in between chose what `run` chose, and fit
                share, run = step - 1, _mes_run(candidates, groups, votes, step - 1)
            return share, run
        share, run, first = step, attempt, False


def equal_shares(
    projects: Sequence[Project],
    ballots: Sequence[Collection[str]],
    budget: int,
    completion: Completion = "add1u",
) -> Outcome:
    """Method of Equal Shares (approval ballots, cost utilities), as on equalshares.net.

    completion: "none" runs MES once with budget/n per voter; "add1" then raises the
    endowment (to floor(budget/n) + 1, + 2, ...) while the outcome still fits the budget and is
    not yet exhaustive, keeping the last outcome that fit; "add1u" (default) also fills what
    budget is left greedily by votes, like equalshares.net's recommended variant.
    """
    _validate_all("equal_shares", ballots, projects)
    votes = Counter(pid for ballot in ballots for pid in ballot)
    order = {p.id: i for i, p in enumerate(projects)}
    ranking = sorted(order, key=lambda pid: (-votes[pid], order[pid]))
    groups = Counter(frozenset(b) for b in ballots)
    n = len(ballots)
    free = [p.id for p in projects if p.cost == 0 and votes[p.id] > 0]
    candidates = [p for p in projects if p.cost > 0 and votes[p.id] > 0]
    cost = {p.id: p.cost for p in projects}

    share = Fraction(budget, n) if n else Fraction(0)
    run = _mes_run(candidates, groups, votes, share) if n else _MESRun([], {}, {})
    if completion in ("add1", "add1u") and n:
        share, run = _add_one(candidates, groups, votes, budget, run)
    elif completion not in ("none", "add1", "add1u"):
        raise ValueError(f"unknown completion {completion!r}")

    selected = free + run.selected
    reasons = {
        pid: Reason("shared", votes[pid], cost=0, supporters=votes[pid], max_payment=0)
        for pid in free
    }
    for pid in run.selected:
        reasons[pid] = Reason(
            "shared",
            votes[pid],
            cost=cost[pid],
            supporters=votes[pid],
            max_payment=run.payment[pid],
        )
    # The greedy pass also sorts out which ideas were out of reach anyway (no votes, dearer
    # than the whole budget); its selection is only kept for the "add1u" completion.
    filled_selection, filled, leftover = _greedy_fill(
        projects, votes, ranking, budget, selected, "completion"
    )
    if completion == "add1u":
        selected = filled_selection
    else:
        filled = {pid: r for pid, r in filled.items() if r.code != "completion"}
    for pid in ranking:
        if pid in reasons:
            continue
        reason = filled.get(pid)
        if reason is not None and reason.code in ("no_votes", "over_budget", "completion"):
            reasons[pid] = reason
            continue
        backers_money = _fraction(sum(groups[b] * m for b, m in run.money.items() if pid in b))
        reasons[pid] = Reason(
            "supporters_out_of_money",
            votes[pid],
            cost=cost[pid],
            supporters=votes[pid],
            supporters_money=backers_money,
            remaining=leftover if completion == "add1u" else None,
        )
    return Outcome(
        "equal_shares",
        selected,
        {pid: votes[pid] for pid in ranking},
        {pid: reasons[pid] for pid in ranking},
        ranking,
        {"budget": budget, "completion": completion, "voter_share": share},
    )


# --- explanations -----------------------------------------------------------------------------


def money(amount: Number) -> str:
    """An amount in euros for the current locale (Dutch outside a request): '€ 1.200'."""
    value = Fraction(amount)
    if value.denominator == 1:
        return format_currency(
            Decimal(value.numerator),
            "EUR",
            format="¤ #,##0",
            locale=get_locale() or "nl_NL",
            currency_digits=False,
        )
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format_currency(
        exact, "EUR", format="¤ #,##0.00", locale=get_locale() or "nl_NL", currency_digits=False
    )


def _count(reason: Reason) -> str:
    n = reason.score
    if reason.unit == "points":
        return ngettext("%(num)s punt", "%(num)s punten", int(n))
    return ngettext("%(num)s stem", "%(num)s stemmen", int(n))


def explain(reason: Reason) -> str:
    """One short sentence for a resident, translated with Flask-Babel.

    Inside a Flask app context with Flask-Babel initialised the text follows the request
    locale; outside one it is the Dutch source text.
    """
    code = reason.code
    if code == "winner":
        return _("Gekozen: %(count)s (plaats %(rank)s).", count=_count(reason), rank=reason.rank)
    if code == "not_chosen":
        return _(
            "Niet gekozen: %(count)s (plaats %(rank)s); het laatst gekozen idee had er "
            "%(threshold)s.",
            count=_count(reason),
            rank=reason.rank,
            threshold=reason.threshold,
        )
    if code == "tie_lost":
        return _(
            "Niet gekozen: evenveel als het laatst gekozen idee (%(count)s), maar dat staat "
            "eerder op de lijst.",
            count=_count(reason),
        )
    if code == "no_votes":
        if reason.unit == "points":
            return _("Niet gekozen: dit idee kreeg geen punten.")
        return _("Niet gekozen: niemand heeft op dit idee gestemd.")
    if code == "fits":
        return _(
            "Gekozen: %(count)s, past binnen het budget (nog %(left)s over).",
            count=_count(reason),
            left=money(reason.remaining or 0),
        )
    if code == "no_longer_fits":
        return _(
            "Niet gekozen: paste niet meer in het resterende budget van %(left)s.",
            left=money(reason.remaining or 0),
        )
    if code == "over_budget":
        return _(
            "Niet gekozen: kost meer dan het hele budget van %(budget)s.",
            budget=money(reason.remaining or 0),
        )
    if code == "shared":
        return ngettext(
            "Gekozen: de enige voorstander kon het betalen uit zijn of haar gelijke deel "
            "(hooguit %(payment)s).",
            "Gekozen: de %(num)s voorstanders konden het samen betalen uit hun "
            "gelijke deel (elk hooguit %(payment)s).",
            reason.supporters or 0,
            payment=money(reason.max_payment or 0),
        )
    if code == "completion":
        return _(
            "Gekozen bij het aanvullen: %(count)s en het paste nog in het budget (nog "
            "%(left)s over).",
            count=_count(reason),
            left=money(reason.remaining or 0),
        )
    if code == "supporters_out_of_money":
        text = _("Niet gekozen: de voorstanders hadden samen niet genoeg budget over.")
        if reason.remaining is not None:
            text += " " + _(
                "Het paste ook niet meer in het resterende budget van %(left)s.",
                left=money(reason.remaining),
            )
        return text
    raise ValueError(f"unknown reason code {code!r}")
