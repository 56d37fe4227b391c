"""The flywheel figures: per round, over time, is the community's own strength growing?

Participants, ideas that became pilots and pilots done, active volunteers, pledged hours and
money. Counts of people are published, so they go through small-group protection: a count of
1 to k-1 people is hidden, and so is a sum (hours, euros) made up by fewer than k people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vliegwiel.core.storage import Storage
from vliegwiel.results.suppression import suppress_counts
from vliegwiel.rounds.ideas import PILOT_DECISIONS, all_ideas
from vliegwiel.rounds.model import (
    DRAFT,
    PUBLISHED,
    SURVEY_ID,
    collection,
    list_rounds,
    phase,
    status_of,
)
from vliegwiel.rounds.publication import shown_ideas

#: Collections whose records carry a ``participant``: everyone who took part in a round.
ACTIVITY = ("ideas", "supports", "comments", "ballots", "pledges", "poll_answers")


@dataclass(frozen=True)
class RoundFigures:
    round_id: str
    title: str
    start: datetime | None
    status: str
    participants: int | None  # None: hidden (fewer than k)
    survey_responses: int | None
    ideas: int
    pilots: int | None  # None: results not published yet
    pilots_done: int | None
    volunteers: int | None
    hours_per_month: int | None
    money: int | None


def protect(count: int, k: int) -> int | None:
    """A single published count of people, or None when it is 1 to k-1."""
    return suppress_counts({"n": count}, k).cells["n"]


def participants(storage: Storage, round_id: str) -> set[str]:
    people: set[str] = set()
    for name in ACTIVITY:
        people.update(
            r["participant"] for r in storage.all(collection(round_id, name)) if "participant" in r
        )
    return people


def survey_responses(storage: Storage, record: dict[str, Any]) -> int:
    """Responses to the round's survey given while its survey phase was open."""
    survey_id = record["settings"].get("survey_id")
    survey_phase = phase(record, "survey")
    if not survey_id or not SURVEY_ID.fullmatch(survey_id) or survey_phase is None:
        return 0
    count = 0
    for response in storage.all(f"responses/{survey_id}"):
        submitted = datetime.fromisoformat(response["submitted_at"])
        if survey_phase.start <= submitted and (
            survey_phase.end is None or submitted < survey_phase.end
        ):
            count += 1
    return count


def round_figures(storage: Storage, record: dict[str, Any], k: int, now: datetime) -> RoundFigures:
    round_id = record["id"]
    status = status_of(record, now)
    ideas = [i for i in all_ideas(storage, round_id) if not i.get("hidden")]
    published = status == PUBLISHED
    # Pilots as the decisions were published, not as they are edited since.
    decided = [i for i in shown_ideas(storage, round_id, published) if not i.get("hidden")]
    pledges = storage.all(collection(round_id, "pledges"))
    volunteers = {p["participant"] for p in pledges if p["hours"] or p["skills"]}
    hour_givers = {p["participant"] for p in pledges if p["hours"]}
    money_givers = {p["participant"] for p in pledges if p["money"]}
    hours = sum(p["hours"] for p in pledges)
    money = sum(p["money"] for p in pledges)
    first = record.get("phases")
    return RoundFigures(
        round_id=round_id,
        title=record["title"],
        start=datetime.fromisoformat(first[0]["start"]) if first else None,
        status=status,
        participants=protect(len(participants(storage, round_id)), k),
        survey_responses=protect(survey_responses(storage, record), k),
        ideas=sum(1 for i in ideas if not i.get("merged_into")),
        pilots=sum(1 for i in decided if i.get("decision") in PILOT_DECISIONS)
        if published
        else None,
        pilots_done=sum(1 for i in decided if i.get("decision") == "klaar") if published else None,
        volunteers=protect(len(volunteers), k),
        hours_per_month=hours if protect(len(hour_givers), k) is not None else None,
        money=money if protect(len(money_givers), k) is not None else None,
    )


def flywheel(storage: Storage, k: int, now: datetime) -> list[RoundFigures]:
    """Figures of every round residents can see, oldest first."""
    return [
        round_figures(storage, r, k, now)
        for r in list_rounds(storage)
        if status_of(r, now) != DRAFT
    ]


@dataclass(frozen=True)
class Participation:
    """One way residents took part outside rounds and surveys, for the flywheel page; public
    as ``vliegwiel.plugin_support.Participation``.

    ``participants`` is the true count of people; the core hides it when it is 1 to k-1.
    ``url`` is the path of the page where residents can see it (``url_for(...)``).
    """

    title: str
    url: str
    start: datetime | None
    participants: int


@dataclass(frozen=True)
class OtherFigures:
    """Participation a plugin counts outside rounds (``vliegwiel_flywheel_participation``)."""

    plugin: str
    title: str
    url: str
    start: datetime | None
    participants: int | None  # None: hidden (fewer than k)


def other_participation(village: Any, k: int) -> list[OtherFigures]:
    """Every plugin's rows, protected like the rounds' counts, oldest first."""
    rows = [
        OtherFigures(plugin, item.title, item.url, item.start, protect(item.participants, k))
        for plugin, found in village.call_hook("vliegwiel_flywheel_participation", village=village)
        for item in (found or [])
        if isinstance(item, Participation)
    ]
    return sorted(rows, key=lambda r: (r.start is None, r.start.isoformat() if r.start else ""))
