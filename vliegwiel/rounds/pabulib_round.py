"""A round straight from a pabulib ``.pb`` file (`vliegwiel round import-pb`).

Each project becomes a shortlisted idea with its cost (the file's project id kept as
``pb_project_id``, so a later export or import can be matched back), the method follows the
file's rule and vote type, and every vote becomes a ballot. The round is an unscheduled draft;
it has a prioritise phase on the file's voting dates when the file states them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from vliegwiel.rounds.ballots import import_pb
from vliegwiel.rounds.ideas import DESCRIPTION_MAX, TITLE_MAX, ideas_of, new_idea, set_shortlist
from vliegwiel.rounds.model import (
    ROUNDS,
    TIMEZONE,
    RoundError,
    collection,
    create_round,
    participant_hash,
)
from vliegwiel.rounds.pabulib import PabulibError, PBInstance, read_pb
from vliegwiel.rounds.pabulib_rules import default_method, points_limit
from vliegwiel.rounds.voting import BallotError, Completion, Method


def _pb_day(text: str) -> date | None:
    # pabulib dates are DD.MM.YYYY, or only a year.
    text = text.strip()
    try:
        if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", text):
            return datetime.strptime(text, "%d.%m.%Y").date()
    except ValueError:
        return None
    return None


def _phases(instance: PBInstance) -> list[dict[str, Any]]:
    begin = _pb_day(instance.meta.get("date_begin", ""))
    end = _pb_day(instance.meta.get("date_end", ""))
    if begin is None or end is None or end < begin:
        return []
    start = datetime.combine(begin, datetime.min.time(), tzinfo=TIMEZONE)
    stop = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=TIMEZONE)
    return [
        {"kind": "prioritise", "start": start.isoformat(), "end": stop.isoformat()},
        {"kind": "results", "start": stop.isoformat(), "end": None},
    ]


def _settings(instance: PBInstance, method: Method | None, completion: Completion | None):
    chosen = (method, completion or "add1u") if method else default_method(instance)
    if chosen is None:
        raise RoundError(
            _(
                "Het bestand noemt geen regel die vliegwiel kent (rule: %(rule)s); kies een "
                "methode.",
                rule=instance.meta.get("rule", ""),
            )
        )
    method, completion = chosen
    settings: dict[str, Any] = {"method": method, "completion": completion or "add1u"}
    settings["budget"] = instance.budget
    if method == "dots":
        settings["points"] = points_limit(instance)
    return settings


def _title(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def round_from_pb(
    storage,
    text: str,
    *,
    now: datetime,
    method: Method | None = None,
    completion: Completion | None = None,
    file_name: str = "",
) -> tuple[dict[str, Any], int]:
    """Create a draft round from a .pb file; return it and the number of ballots.

    All or nothing: a file that cannot be read, whose rule vliegwiel does not know (without
    ``method``) or whose ballots its own META refuses leaves no round behind.
    """
    try:
        instance = read_pb(text)
    except PabulibError as error:
        raise RoundError(str(error)) from None
    settings = _settings(instance, method, completion)
    title = _title(instance.meta.get("description", "") or file_name or _("Ronde uit pabulib"))
    record = create_round(
        storage,
        title=title,
        purpose=instance.meta.get("unit", ""),
        phases=_phases(instance),
        settings=settings,
        now=now,
        origin=file_name or "pabulib",
    )
    try:
        entries = []
        for position, project in enumerate(instance.projects, 1):
            extra = instance.project_fields.get(project.id, {})
            name = project.name.strip() or _("Project %(id)s", id=project.id)
            description = (extra.get("description") or name)[:DESCRIPTION_MAX]
            idea = new_idea(
                title=_title(name),
                description=description,
                theme=(extra.get("category") or "")[:60],
                participant=participant_hash(record["id"], f"pb-project:{project.id}"),
                now=now,
            )
            idea["pb_project_id"] = project.id
            idea_id = storage.insert(ideas_of(record["id"]), idea)
            entries.append((idea_id, position, project.cost))
        set_shortlist(storage, record["id"], entries, locked_by_votes=False)
        added = import_pb(storage, record, text, now=now)
    except (RoundError, BallotError):
        _remove_round(storage, record["id"])
        raise
    return record, added


def _remove_round(storage, round_id: str) -> None:
    for name in ("ballots", "ideas"):
        for item in storage.all(collection(round_id, name)):
            storage.delete(collection(round_id, name), item["id"])
    storage.delete(ROUNDS, round_id)
