"""Commitments ("Wie doet mee?"): residents pledge hours a month, skills or money to a chosen
initiative. Name and contact details are stored only with explicit consent and are shown only
to beheerders. Collection: ``rounds/<id>/pledges``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.storage import Storage
from vliegwiel.rounds.ideas import PILOT_DECISIONS, all_ideas, is_active
from vliegwiel.rounds.model import RoundError, collection, require_phase

HOURS_MAX, MONEY_MAX, SKILLS_MAX, CONTACT_MAX = 200, 1_000_000, 300, 200


def pledges_of(round_id: str) -> str:
    return collection(round_id, "pledges")


def pledge_targets(
    storage: Storage, round_id: str, selected: list[str] | None
) -> list[dict[str, Any]]:
    """Ideas one can pledge to: those the vote chose, and those organisers made a pilot."""
    chosen = set(selected or [])
    return [
        i
        for i in all_ideas(storage, round_id)
        if is_active(i) and (i["id"] in chosen or i.get("decision") in PILOT_DECISIONS)
    ]


def make_pledge(
    storage,
    round_record: dict[str, Any],
    *,
    idea_id: str,
    hours: int = 0,
    money: int = 0,
    skills: str = "",
    name: str = "",
    contact: str = "",
    consent: bool = False,
    participant: str,
    targets: list[str],
    now: datetime,
) -> dict[str, Any]:
    require_phase(round_record, "commit", now)
    if idea_id not in targets:
        raise RoundError(_("U kunt alleen meedoen met een gekozen initiatief."))
    if not 0 <= hours <= HOURS_MAX:
        raise RoundError(_("Uren per maand: een geheel getal van 0 tot %(max)s.", max=HOURS_MAX))
    if not 0 <= money <= MONEY_MAX:
        raise RoundError(_("Bedrag: een geheel aantal euro van 0 of meer."))
    skills = (skills or "").strip()
    if len(skills) > SKILLS_MAX:
        raise RoundError(_("Deze tekst is te lang: hooguit %(max)s tekens.", max=SKILLS_MAX))
    if not hours and not money and not skills:
        raise RoundError(_("Vul uren, een bedrag of wat u kunt bijdragen in."))
    name, contact = (name or "").strip(), (contact or "").strip()
    if len(name) > 80 or len(contact) > CONTACT_MAX:
        raise RoundError(_("Deze tekst is te lang: hooguit %(max)s tekens.", max=CONTACT_MAX))
    if (name or contact) and not consent:
        # Refuse rather than silently drop: the resident typed them expecting to be called.
        raise RoundError(
            _(
                "U vulde contactgegevens in maar gaf geen toestemming om contact op te nemen. "
                "Vink de toestemming aan, of laat naam en contactgegevens leeg."
            )
        )
    if consent and not contact:
        raise RoundError(_("Vul in hoe we u kunnen bereiken, of vink de toestemming uit."))
    record = {
        "idea_id": idea_id,
        "hours": hours,
        "money": money,
        "skills": skills,
        "consent": bool(consent),
        "name": name if consent else "",
        "contact": contact if consent else "",
        "participant": participant,
        "created_at": now.isoformat(),
    }
    record["id"] = storage.insert(pledges_of(round_record["id"]), record)
    return record


def all_pledges(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    return storage.all(pledges_of(round_id))


def totals(storage: Storage, round_id: str) -> dict[str, dict[str, Any]]:
    """Per idea: people who pledged, hours a month, euros, and the skills offered."""
    result: dict[str, dict[str, Any]] = {}
    for p in all_pledges(storage, round_id):
        row = result.setdefault(
            p["idea_id"], {"people": set(), "hours": 0, "money": 0, "skills": []}
        )
        row["people"].add(p["participant"])
        row["hours"] += p["hours"]
        row["money"] += p["money"]
        if p["skills"]:
            row["skills"].append(p["skills"])
    for row in result.values():
        row["people"] = len(row["people"])
    return result


def contacts(storage: Storage, round_id: str) -> list[dict[str, Any]]:
    """Pledges whose maker consented to be contacted; for beheerders only."""
    return [p for p in all_pledges(storage, round_id) if p.get("consent") and p.get("contact")]
