"""Voting rules for the "prioritise" phase of a participation round.

Pure functions over plain data: no Flask, no storage. Every rule returns an `Outcome` whose
`reasons` say, per idea, why it was or was not chosen as structured data (`Reason`);
`explain()` turns a reason into a Dutch sentence through Flask-Babel, so the same outcome can be
shown in any language the app has a catalogue for. See docs/voting.md for the rules in words.

Ties are always broken the same way: the idea listed first in `projects` (the order of the
shortlist) wins. Equal Shares first prefers the idea with more supporters, then list order.
"""

from __future__ import annotations

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


def _mes_run(
    candidates: list[Project],
    groups: Counter[frozenset[str]],
    supporters: Counter[str],
    share: Fraction,
) -> _MESRun:
    """One run of Equal Shares with cost utilities and a fixed endowment `share` per voter.

    Voters with the same ballot always hold the same money, so they are kept as one group
    with a multiplicity: this makes the add-one completion cheap on real turnouts.
    """
    money = {ballot: share for ballot in groups}
    backers_of = {p.id: [b for b in groups if p.id in b] for p in candidates}
    order = {p.id: i for i, p in enumerate(candidates)}
    open_projects = list(candidates)
    run = _MESRun([], {}, money)
    while True:
        best: tuple[Fraction, int, int] | None = None
        best_project: Project | None = None
        best_payment = Fraction(0)
        still_open = []
        for project in open_projects:
            backers = backers_of[project.id]
            if sum(groups[b] * money[b] for b in backers) < project.cost:
                continue  # its supporters can never afford it again: money only goes down
            still_open.append(project)
            # Smallest payment cap p with sum(min(money, p)) == cost. With cost utilities each
            # supporter's utility is `cost`, so rho = p / cost; the poorest pay all they have.
            paid, count = Fraction(0), sum(groups[b] for b in backers)
            cap = Fraction(project.cost, count)
            for b in sorted(backers, key=lambda b: money[b]):
                cap = (project.cost - paid) / count
                if cap <= money[b]:
                    break
                paid += groups[b] * money[b]
                count -= groups[b]
            key = (cap / project.cost, -supporters[project.id], order[project.id])
            if best is None or key < best:
                best, best_project, best_payment = key, project, cap
        if best_project is None:
            return run
        open_projects = [p for p in still_open if p is not best_project]
        for b in backers_of[best_project.id]:
            money[b] -= min(money[b], best_payment)
        run.selected.append(best_project.id)
        run.payment[best_project.id] = best_payment


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
        share = Fraction(budget // n)
        while True:
            spent = sum(cost[pid] for pid in run.selected)
            if all(p.id in run.payment or spent + p.cost > budget for p in candidates):
                break  # exhaustive: nothing with votes fits any more
            attempt = _mes_run(candidates, groups, votes, share + 1)
            if sum(cost[pid] for pid in attempt.selected) > budget:
                break
            share, run = share + 1, attempt
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
        backers_money = sum(groups[b] * m for b, m in run.money.items() if pid in b)
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
