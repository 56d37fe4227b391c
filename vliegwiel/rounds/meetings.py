"""Exchange meetings (uitwisselingsbijeenkomsten) of a round: agenda, place, sign-up with an
optional name, quick polls answered from phones or counted by hand, and recorded outcomes
linked to the round's ideas.

Collections: ``rounds/<id>/meetings``, ``rounds/<id>/signups``, ``rounds/<id>/polls``,
``rounds/<id>/poll_answers``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.storage import Storage
from vliegwiel.rounds.ideas import get_idea
from vliegwiel.rounds.model import TIMEZONE, RoundError, collection

OPTIONS_MAX = 8


def _text(value: str, limit: int, empty: str | None = None) -> str:
    value = (value or "").strip()
    if empty and not value:
        raise RoundError(empty)
    if len(value) > limit:
        raise RoundError(_("Deze tekst is te lang: hooguit %(max)s tekens.", max=limit))
    return value


def parse_start(text: str) -> datetime:
    """A meeting time typed as YYYY-MM-DDTHH:MM (a datetime-local field), in local time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RoundError(_("Geen geldig tijdstip: %(text)s.", text=text)) from None
    return value.replace(tzinfo=TIMEZONE) if value.tzinfo is None else value


def _check_ideas(storage: Storage, round_id: str, idea_ids: list[str]) -> list[str]:
    for idea_id in idea_ids:
        if get_idea(storage, round_id, idea_id) is None:
            raise RoundError(_("Dit idee bestaat niet."))
    return list(dict.fromkeys(idea_ids))


def create_meeting(
    storage,
    round_id: str,
    *,
    title: str,
    starts_at: datetime,
    place: str,
    agenda: str = "",
    idea_ids: list[str] | None = None,
) -> dict[str, Any]:
    record = {
        "title": _text(title, 120, _("Geef de bijeenkomst een titel.")),
        "starts_at": starts_at.isoformat(),
        "place": _text(place, 200, _("Vul de plaats in.")),
        "agenda": _text(agenda, 3000),
        "idea_ids": _check_ideas(storage, round_id, idea_ids or []),
        "outcomes": "",
    }
    record["id"] = storage.insert(collection(round_id, "meetings"), record)
    return record


def meetings_of(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    return sorted(storage.all(collection(round_id, "meetings")), key=lambda m: m["starts_at"])


def get_meeting(storage: Storage, round_id: str, meeting_id: str) -> dict[str, Any] | None:
    return storage.get(collection(round_id, "meetings"), meeting_id)


def record_outcomes(
    storage, round_id: str, meeting_id: str, outcomes: str, idea_ids: list[str]
) -> None:
    if get_meeting(storage, round_id, meeting_id) is None:
        raise RoundError(_("Deze bijeenkomst bestaat niet."))
    storage.update(
        collection(round_id, "meetings"),
        meeting_id,
        {
            "outcomes": _text(outcomes, 5000),
            "idea_ids": _check_ideas(storage, round_id, idea_ids),
        },
    )


def sign_up(
    storage: Storage, round_id: str, meeting_id: str, name: str = "", *, now: datetime
) -> None:
    meeting = get_meeting(storage, round_id, meeting_id)
    if meeting is None:
        raise RoundError(_("Deze bijeenkomst bestaat niet."))
    if now >= datetime.fromisoformat(meeting["starts_at"]):
        raise RoundError(_("Deze bijeenkomst is al begonnen; aanmelden kan niet meer."))
    storage.insert(
        collection(round_id, "signups"),
        {"meeting_id": meeting_id, "name": _text(name, 80), "created_at": now.isoformat()},
    )


def signups_of(storage: Storage, round_id: str, meeting_id: str) -> list[dict[str, Any]]:
    return storage.find(collection(round_id, "signups"), meeting_id=meeting_id)


# --- quick polls --------------------------------------------------------------------------------


def create_poll(
    storage, round_id: str, meeting_id: str, question: str, options: list[str]
) -> dict[str, Any]:
    if get_meeting(storage, round_id, meeting_id) is None:
        raise RoundError(_("Deze bijeenkomst bestaat niet."))
    options = list(dict.fromkeys(o.strip() for o in options if o.strip()))
    if not 2 <= len(options) <= OPTIONS_MAX:
        raise RoundError(_("Een peiling heeft 2 tot %(max)s antwoorden.", max=OPTIONS_MAX))
    record = {
        "meeting_id": meeting_id,
        "question": _text(question, 200, _("Vul de vraag in.")),
        "options": [_text(o, 80) for o in options],
        "open": True,
        "hand_counts": {},
    }
    record["id"] = storage.insert(collection(round_id, "polls"), record)
    return record


def get_poll(storage: Storage, round_id: str, poll_id: str) -> dict[str, Any] | None:
    return storage.get(collection(round_id, "polls"), poll_id)


def polls_of(storage: Storage, round_id: str, meeting_id: str) -> list[dict[str, Any]]:
    return storage.find(collection(round_id, "polls"), meeting_id=meeting_id)


def set_poll_open(storage: Storage, round_id: str, poll_id: str, is_open: bool) -> None:
    storage.update(collection(round_id, "polls"), poll_id, {"open": is_open})


def answer_poll(
    storage, round_id: str, poll_id: str, option: str, *, participant: str, now: datetime
) -> None:
    """One answer per phone; refused once the organiser closed the poll."""
    poll = get_poll(storage, round_id, poll_id)
    if poll is None:
        raise RoundError(_("Deze peiling bestaat niet."))
    if not poll["open"]:
        raise RoundError(_("Deze peiling is gesloten."))
    if option not in poll["options"]:
        raise RoundError(_("Kies een van de antwoorden."))
    name = collection(round_id, "poll_answers")
    with storage.locked(name):
        if storage.find(name, poll_id=poll_id, participant=participant):
            raise RoundError(_("U heeft deze vraag al beantwoord."))
        storage.insert(
            name,
            {
                "poll_id": poll_id,
                "option": option,
                "participant": participant,
                "created_at": now.isoformat(),
            },
        )


def record_hand_count(
    storage: Storage, round_id: str, poll_id: str, counts: dict[str, int]
) -> None:
    """Hands counted in the room, typed in by the organiser; replaces an earlier count."""
    poll = get_poll(storage, round_id, poll_id)
    if poll is None:
        raise RoundError(_("Deze peiling bestaat niet."))
    if set(counts) - set(poll["options"]):
        raise RoundError(_("Kies een van de antwoorden."))
    if any(n < 0 for n in counts.values()):
        raise RoundError(_("Een aantal handen kan niet negatief zijn."))
    storage.update(collection(round_id, "polls"), poll_id, {"hand_counts": dict(counts)})


def poll_results(storage: Storage, round_id: str, poll: dict[str, Any]) -> list[dict[str, Any]]:
    """Per answer: phone answers, hands and their sum, in the poll's order."""
    phones = {o: 0 for o in poll["options"]}
    for a in storage.find(collection(round_id, "poll_answers"), poll_id=poll["id"]):
        phones[a["option"]] = phones.get(a["option"], 0) + 1
    hands = poll.get("hand_counts", {})
    return [
        {
            "option": o,
            "phones": phones[o],
            "hands": hands.get(o, 0),
            "total": phones[o] + hands.get(o, 0),
        }
        for o in poll["options"]
    ]
