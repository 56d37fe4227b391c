"""Voting in the prioritise phase: ballots from the web form, one per person, the outcome by
the round's method (vliegwiel.rounds.voting) and ballots in and out as pabulib ``.pb`` files.

Costs always come from the stored shortlist, never from a form or an imported file: a ballot
is checked against the budget with the organiser's costs. Collection: ``rounds/<id>/ballots``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from vliegwiel.rounds.ideas import shortlist
from vliegwiel.rounds.model import (
    BUDGET_METHODS,
    RoundError,
    collection,
    participant_hash,
    require_phase,
)
from vliegwiel.rounds.pabulib import PabulibError, PBInstance, PBVote, read_pb, write_pb
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
PB_RULES = {
    "approval": "approval",
    "dots": "cumulative",
    "borda": "borda",
    "greedy_budget": "greedy",
    "equal_shares": "equalshares",
}


def ballots_of(round_id: str) -> str:
    return collection(round_id, "ballots")


def projects_of(storage, round_id: str) -> list[Project]:
    return [
        Project(i["id"], int(i.get("cost", 0)), i["title"]) for i in shortlist(storage, round_id)
    ]


def _limits(settings: Mapping[str, Any]) -> dict[str, int | None]:
    method = settings["method"]
    return {
        "points": settings["points"] if method == "dots" else None,
        "budget": settings["budget"] if method in BUDGET_METHODS else None,
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


def has_voted(storage, round_id: str, participant: str) -> bool:
    return bool(storage.find(ballots_of(round_id), participant=participant))


def cast_ballot(
    storage,
    round_record: dict[str, Any],
    ballot: list[str] | dict[str, int],
    *,
    participant: str,
    now: datetime,
) -> str:
    """Store one valid ballot per person while the prioritise phase is open, else refuse."""
    require_phase(round_record, "prioritise", now)
    projects = projects_of(storage, round_record["id"])
    if not projects:
        raise RoundError(_("Er staan nog geen ideeën op de stemlijst."))
    check_ballot(round_record, projects, ballot)
    name = ballots_of(round_record["id"])
    with storage.locked(name):
        if storage.find(name, participant=participant):
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


def stored_ballots(storage, round_id: str) -> list[dict[str, Any]]:
    return storage.all(ballots_of(round_id))


def count_votes(storage, round_record: dict[str, Any]) -> Outcome | None:
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


def export_pb(storage, round_record: dict[str, Any], unit: str = "") -> str:
    """The shortlist and every ballot as a .pb file; voter ids are ballot ids, not people."""
    settings = round_record["settings"]
    method = settings["method"]
    projects = projects_of(storage, round_record["id"])
    vote_type = VOTE_TYPES.get(method, "approval")
    budget = settings["budget"] if method in BUDGET_METHODS else sum(p.cost for p in projects)
    meta = {
        "description": round_record["title"],
        "country": "Netherlands",
        "unit": unit,
        "instance": round_record["id"],
        "budget": str(budget),
        "vote_type": vote_type,
        "rule": PB_RULES[method],
    }
    if method == "dots":
        meta["max_sum_points"] = str(settings["points"])
    votes = []
    for record in stored_ballots(storage, round_record["id"]):
        ballot = record["ballot"]
        voter = record.get("voter_id") or record["id"]
        if vote_type == "cumulative":
            votes.append(PBVote(voter, list(ballot), [int(v) for v in ballot.values()]))
        else:
            votes.append(PBVote(voter, list(ballot)))
    return write_pb(PBInstance(meta, projects, votes))


def import_pb(storage, round_record: dict[str, Any], text: str, *, now: datetime) -> int:
    """Add the ballots of a .pb file (paper ballots counted elsewhere, another tool).

    All or nothing: the file's projects must be the round's shortlist with the same costs and
    its vote type the round's; every ballot must be valid and its voter id new. Returns the
    number of ballots added. Raises RoundError with a Dutch message otherwise.
    """
    try:
        instance = read_pb(text)
    except PabulibError as error:
        raise RoundError(str(error)) from None
    method = round_record["settings"]["method"]
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
    known = {p.id: p for p in projects}
    for p in instance.projects:
        if p.id not in known:
            raise RoundError(_("Onbekend idee in het bestand: %(id)s.", id=p.id))
        if p.cost != known[p.id].cost:
            raise RoundError(
                _(
                    "De kosten van %(id)s in het bestand (%(found)s) wijken af van de ronde "
                    "(%(expected)s).",
                    id=p.id,
                    found=p.cost,
                    expected=known[p.id].cost,
                )
            )
    ballots = instance.ballots()
    name = ballots_of(round_record["id"])
    with storage.locked(name):
        existing = {b.get("voter_id") or b["id"] for b in storage.all(name)}
        for number, (vote, ballot) in enumerate(zip(instance.votes, ballots, strict=True), 1):
            if vote.voter_id in existing:
                raise RoundError(_("Stem %(voter)s staat al in deze ronde.", voter=vote.voter_id))
            try:
                check_ballot(round_record, projects, ballot)
            except BallotError as error:
                raise RoundError(
                    _("Stembiljet %(number)s: %(error)s", number=number, error=error)
                ) from None
        for vote, ballot in zip(instance.votes, ballots, strict=True):
            stored = ballot if isinstance(ballot, dict) else list(ballot)
            if isinstance(ballot, set):
                stored = list(vote.vote)
            storage.insert(
                name,
                {
                    "participant": participant_hash(round_record["id"], f"pb:{vote.voter_id}"),
                    "voter_id": vote.voter_id,
                    "ballot": stored,
                    "channel": "import",
                    "created_at": now.isoformat(),
                },
            )
    return len(ballots)
