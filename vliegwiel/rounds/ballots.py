"""Voting in the prioritise phase: ballots from the web form, one per person, the outcome by
the round's method (vliegwiel.rounds.voting) and ballots in and out as pabulib ``.pb`` files.

Costs always come from the stored shortlist, never from a form or an imported file: a ballot
is checked against the budget with the organiser's costs. Collection: ``rounds/<id>/ballots``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.storage import Storage
from vliegwiel.rounds.ideas import shortlist
from vliegwiel.rounds.model import (
    BUDGET_METHODS,
    TIMEZONE,
    RoundError,
    collection,
    participant_hash,
    phases_of,
    require_phase,
)
from vliegwiel.rounds.pabulib import PabulibError, PBInstance, PBVote, read_pb, write_pb
from vliegwiel.rounds.pabulib_rules import check_votes
from vliegwiel.rounds.voting import (
    APPROVAL_STYLE,
    BallotError,
    Outcome,
    Project,
    approval,
    borda,
    dots,
    equal_shares,
    greedy_budget,
    validate_ballot,
)

VOTE_TYPES = {"dots": "cumulative", "borda": "ordinal"}  # the rest is "approval"
#: pabulib's rule names have no seat-based rules: those are "unknown" with a comment.
PB_RULES = {
    "approval": "unknown",
    "dots": "unknown",
    "borda": "unknown",
    "greedy_budget": "greedy",
    "equal_shares": "equalshares",
}
PB_METHOD_NAMES = {"approval": "approval voting", "dots": "dot voting", "borda": "Borda count"}


def ballots_of(round_id: str) -> str:
    return collection(round_id, "ballots")


def projects_of(storage: Storage, round_id: str) -> list[Project]:
    return [
        Project(i["id"], int(i.get("cost", 0)), i["title"]) for i in shortlist(storage, round_id)
    ]


def _limits(settings: Mapping[str, Any], *, knapsack: bool = True) -> dict[str, int | None]:
    """Limits a ballot is checked against; ``knapsack`` adds the budget of budget methods,
    which the web form enforces and imported pabulib files need not."""
    method = settings["method"]
    return {
        "points": settings["points"] if method == "dots" else None,
        "budget": settings["budget"] if knapsack and method in BUDGET_METHODS else None,
    }


def _whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise BallotError(_("Punten moeten hele getallen zijn.")) from None


def ballot_from_form(method: str, form: Any) -> list[str] | dict[str, int]:
    """Read a ballot from the vote form: ticked ``idee`` boxes, ``punten-<id>`` numbers or
    ``plaats-<id>`` places. Unknown ids are kept so validation can name them."""
    if method in APPROVAL_STYLE:
        return list(form.getlist("idee"))
    if method == "dots":
        points = {}
        for key in form:
            if key.startswith("punten-") and form[key].strip():
                value = _whole(form[key])
                if value:
                    points[key.removeprefix("punten-")] = value
        return points
    places: dict[str, int] = {}
    for key in form:
        if key.startswith("plaats-") and form[key].strip():
            places[key.removeprefix("plaats-")] = _whole(form[key])
    taken = sorted(places.values())
    if len(set(taken)) != len(taken):
        raise BallotError(_("Twee ideeën staan op dezelfde plaats. Geef elke plaats één keer."))
    if any(p < 1 for p in taken):
        raise BallotError(_("Plaatsen beginnen bij 1."))
    return sorted(places, key=places.__getitem__)


def check_ballot(round_record: dict[str, Any], projects: list[Project], ballot: Any) -> None:
    settings = round_record["settings"]
    validate_ballot(settings["method"], ballot, projects, **_limits(settings))
    if not ballot:
        raise BallotError(_("Uw stembiljet is leeg. Kies minstens één idee."))


def ballot_of(storage: Storage, round_id: str, participant: str) -> Any:
    """The ballot this participant cast (to show and change it), or None."""
    found = storage.find(ballots_of(round_id), participant=participant)
    return found[0]["ballot"] if found else None


def cast_ballot(
    storage,
    round_record: dict[str, Any],
    ballot: list[str] | dict[str, int],
    *,
    participant: str,
    now: datetime,
    replace: bool = False,
) -> str:
    """Store one valid ballot per person while the prioritise phase is open, else refuse.

    With ``replace`` a participant who already voted changes that ballot in place (one
    update under the collection's lock, so a count never sees two ballots or none); without
    it a second ballot is refused, so a form sent twice cannot change a vote by accident.
    """
    require_phase(round_record, "prioritise", now)
    projects = projects_of(storage, round_record["id"])
    if not projects:
        raise RoundError(_("Er staan nog geen ideeën op de stemlijst."))
    check_ballot(round_record, projects, ballot)
    name = ballots_of(round_record["id"])
    with storage.locked(name):
        found = storage.find(name, participant=participant)
        if found and replace:
            storage.update(name, found[0]["id"], {"ballot": ballot, "changed_at": now.isoformat()})
            return found[0]["id"]
        if found:
            raise RoundError(_("U heeft al gestemd. Iedereen kan één keer stemmen."))
        return storage.insert(
            name,
            {
                "participant": participant,
                "ballot": ballot,
                "channel": "web",
                "created_at": now.isoformat(),
            },
        )


def ballot_total(projects: list[Project], ballot: Any) -> int:
    """What the ticked ideas cost together (unknown ids count as nothing)."""
    cost = {p.id: p.cost for p in projects}
    return sum(cost.get(pid, 0) for pid in set(ballot or ()))


def stored_ballots(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    return storage.all(ballots_of(round_id))


def count_votes(storage: Storage, round_record: dict[str, Any]) -> Outcome | None:
    """The outcome of the round's method over all stored ballots; None without a shortlist."""
    projects = projects_of(storage, round_record["id"])
    if not projects:
        return None
    settings = round_record["settings"]
    method = settings["method"]
    raw = [b["ballot"] for b in stored_ballots(storage, round_record["id"])]
    if method == "approval":
        return approval(projects, [set(b) for b in raw], seats=settings["seats"])
    if method == "dots":
        return dots(projects, raw, settings["points"], seats=settings["seats"])
    if method == "borda":
        return borda(projects, raw, seats=settings["seats"])
    if method == "greedy_budget":
        return greedy_budget(projects, [set(b) for b in raw], settings["budget"])
    return equal_shares(projects, [set(b) for b in raw], settings["budget"], settings["completion"])


# --- pabulib ------------------------------------------------------------------------------------


def _pb_date(moment: datetime) -> str:
    return moment.astimezone(TIMEZONE).strftime("%d.%m.%Y")


def _pb_dates(round_record: dict[str, Any]) -> tuple[str, str]:
    """First and last day of voting as pabulib writes them (DD.MM.YYYY): the prioritise
    phase, else the round's first and last dated phase, else the day it was created."""
    phases = phases_of(round_record)
    voting = [p for p in phases if p.kind == "prioritise"] or phases
    if not voting:
        created = _pb_date(datetime.fromisoformat(round_record["created_at"]))
        return created, created
    begin = _pb_date(voting[0].start)
    ends = [p.last_day for p in voting if p.last_day is not None]
    end = ends[-1].strftime("%d.%m.%Y") if ends else _pb_date(voting[-1].start)
    return begin, end


def export_pb(storage: Storage, round_record: dict[str, Any], unit: str = "") -> str:
    """The shortlist, every ballot and the outcome as a .pb file that pabulib-checker accepts.

    Voter ids are ballot ids, not people. ``budget`` is the round's budget for budget methods;
    for approval, dots and Borda (which choose a number of ideas, not an amount) it is what
    the chosen ideas cost together. ``selected`` marks the outcome: 1 chosen by the rule, 2
    added by the "add1u" completion of Equal Shares (explained in ``comment``).
    """
    settings = round_record["settings"]
    method = settings["method"]
    projects = projects_of(storage, round_record["id"])
    vote_type = VOTE_TYPES.get(method, "approval")
    outcome = count_votes(storage, round_record)
    chosen = set(outcome.selected) if outcome else set()
    cost = {p.id: p.cost for p in projects}
    if method in BUDGET_METHODS:
        budget = settings["budget"]
    else:
        budget = sum(cost[pid] for pid in chosen)
    begin, end = _pb_dates(round_record)
    meta = {
        "description": round_record["title"],
        "country": "Netherlands",
        "unit": unit,
        "instance": round_record["id"],
        "budget": str(budget),
        "vote_type": vote_type,
        "rule": _pb_rule(method, settings),
        "date_begin": begin,
        "date_end": end,
    }
    votes = []
    for record in stored_ballots(storage, round_record["id"]):
        ballot = record["ballot"]
        voter = record.get("voter_id") or record["id"]
        if vote_type == "cumulative":
            votes.append(PBVote(voter, list(ballot), [int(v) for v in ballot.values()]))
        else:
            votes.append(PBVote(voter, list(ballot)))
    if method in BUDGET_METHODS and all(sum(cost[pid] for pid in v.vote) <= budget for v in votes):
        # The web form only takes ballots that fit the budget; say so when every ballot does.
        meta["max_sum_cost"] = str(budget)
    if method == "dots":
        meta["max_sum_points"] = str(settings["points"])
    if method not in BUDGET_METHODS and projects and budget >= sum(cost.values()):
        meta["fully_funded"] = "1"
    meta["language"] = "nl"
    meta["currency"] = "EUR"
    completed = set()
    if outcome and method == "equal_shares" and settings["completion"] == "add1u":
        completed = {pid for pid, r in outcome.reasons.items() if r.code == "completion"}
    comment = _pb_comment(method, settings, bool(completed))
    if comment:
        meta["comment"] = comment
    approvals = Counter(pid for v in votes for pid in v.vote)
    fields = {}
    for p in projects:
        row = {"votes": str(approvals[p.id])}
        if method == "dots" and outcome:
            # pabulib's "score" is summed points; for ordinal votes it means a Borda variant
            # by ballot length, not vliegwiel's, so Borda rounds leave it out.
            row["score"] = str(outcome.scores.get(p.id, 0))
        row["selected"] = "2" if p.id in completed else "1" if p.id in chosen else "0"
        fields[p.id] = row
    return write_pb(PBInstance(meta, projects, votes, fields))


def _pb_rule(method: str, settings: Mapping[str, Any]) -> str:
    if method == "equal_shares" and settings["completion"] != "none":
        # Our add1 stops once the outcome is exhaustive, as on equalshares.net; pabulib's
        # "equalshares/add1" keeps raising the budget, so it can choose differently.
        return "unknown"
    return PB_RULES[method]


def _pb_comment(method: str, settings: Mapping[str, Any], completed: bool) -> str:
    # pabulib asks rules it has no name for to be explained in a "#1: " comment.
    if method in ("approval", "dots", "borda"):
        return (
            f"#1: counted by vliegwiel with {PB_METHOD_NAMES[method]}, "
            f"{settings['seats']} winning project(s); budget is the cost of the winners"
        )
    if method == "equal_shares" and settings["completion"] != "none":
        text = (
            "#1: counted by vliegwiel with the Method of Equal Shares and the add1 completion "
            "as on equalshares.net (raised until the outcome is exhaustive)"
        )
        if completed:
            text += (
                ", then the leftover budget filled greedily by votes; selected 2 marks the "
                "projects that greedy step added"
            )
        return text
    return ""


def _map_projects(instance: PBInstance, ideas: list[dict[str, Any]]) -> dict[str, str]:
    """File project id -> idea id: by idea id, by the id of the file it came from, or by a
    name that matches exactly one idea title. Costs must agree with the shortlist."""
    by_id = {i["id"]: i for i in ideas}
    by_source = {i["pb_project_id"]: i for i in ideas if i.get("pb_project_id")}
    titles: dict[str, list[dict[str, Any]]] = {}
    for idea in ideas:
        titles.setdefault(idea["title"].strip().casefold(), []).append(idea)
    mapping: dict[str, str] = {}
    for p in instance.projects:
        idea = by_id.get(p.id) or by_source.get(p.id)
        if idea is None and p.name.strip():
            same = titles.get(p.name.strip().casefold(), [])
            idea = same[0] if len(same) == 1 else None
        if idea is None:
            label = f"{p.id} ({p.name})" if p.name else p.id
            raise RoundError(_("Onbekend idee in het bestand: %(id)s.", id=label))
        if idea["id"] in mapping.values():
            raise RoundError(
                _(
                    "Twee projecten in het bestand horen bij hetzelfde idee: %(title)s.",
                    title=idea["title"],
                )
            )
        if p.cost != int(idea.get("cost", 0)):
            raise RoundError(
                _(
                    "De kosten van %(id)s in het bestand (%(found)s) wijken af van de ronde "
                    "(%(expected)s).",
                    id=p.id,
                    found=p.cost,
                    expected=int(idea.get("cost", 0)),
                )
            )
        mapping[p.id] = idea["id"]
    return mapping


def import_pb(storage: Storage, round_record: dict[str, Any], text: str, *, now: datetime) -> int:
    """Add the ballots of a .pb file (paper ballots counted elsewhere, another tool).

    All or nothing. The file's projects are matched to the round's shortlist by id or name,
    with the same costs; its vote type must be the round's. A ballot is accepted when the
    file's own META allows it (min/max length, max_sum_cost, points limits): pabulib
    approval ballots may cost more than the budget unless the file says ``max_sum_cost``.
    A dot ballot must also stay within the round's points, which the count uses. Returns the
    number of ballots added. Raises RoundError with a Dutch message otherwise.
    """
    try:
        instance = read_pb(text)
        check_votes(instance)
    except (PabulibError, BallotError) as error:
        raise RoundError(str(error)) from None
    settings = round_record["settings"]
    method = settings["method"]
    expected = VOTE_TYPES.get(method, "approval")
    if instance.vote_type != expected:
        raise RoundError(
            _(
                "Het bestand heeft stemmen van het type %(found)s; deze ronde gebruikt "
                "%(expected)s.",
                found=instance.vote_type,
                expected=expected,
            )
        )
    projects = projects_of(storage, round_record["id"])
    mapping = _map_projects(instance, shortlist(storage, round_record["id"]))
    ballots: list[list[str] | dict[str, int]] = []
    for number, vote in enumerate(instance.votes, 1):
        ids = [mapping[pid] for pid in vote.vote]
        ballot = dict(zip(ids, vote.points or [], strict=True)) if method == "dots" else ids
        try:
            validate_ballot(method, ballot, projects, **_limits(settings, knapsack=False))
        except BallotError as error:
            raise RoundError(
                _("Stembiljet %(number)s: %(error)s", number=number, error=error)
            ) from None
        ballots.append(ballot)
    name = ballots_of(round_record["id"])
    with storage.locked(name):
        existing = {b.get("voter_id") or b["id"] for b in storage.all(name)}
        for vote in instance.votes:
            if vote.voter_id in existing:
                raise RoundError(_("Stem %(voter)s staat al in deze ronde.", voter=vote.voter_id))
        # One write per bucket: pabulib files from cities hold tens of thousands of votes.
        storage.insert_many(
            name,
            [
                {
                    "participant": participant_hash(round_record["id"], f"pb:{vote.voter_id}"),
                    "voter_id": vote.voter_id,
                    "ballot": ballot,
                    "channel": "import",
                    "created_at": now.isoformat(),
                }
                for vote, ballot in zip(instance.votes, ballots, strict=True)
            ],
        )
    return len(ballots)
