"""Participation rounds: a round, its dated phases and the status that follows from the clock.

A round is one record in the collection ``rounds``; everything residents add to it lives in
collections under ``rounds/<round id>/`` (see ideas.py, ballots.py, pledges.py, meetings.py).
Status is never stored: it is computed from the phase dates and the current time, so a phase
opens and closes on time without anyone pressing a button. Every function that depends on
time takes ``now`` explicitly; the web layer passes the app's clock (``VLIEGWIEL_NOW``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import Storage

ROUNDS = "rounds"
#: Villages using vliegwiel are Dutch; phase dates are entered and shown in local time.
TIMEZONE = ZoneInfo("Europe/Amsterdam")

PHASE_KINDS = ("survey", "ideas", "prioritise", "commit", "results")
PHASE_LABELS = {
    "survey": lazy_gettext("Enquête"),
    "ideas": lazy_gettext("Ideeën"),
    "prioritise": lazy_gettext("Kiezen"),
    "commit": lazy_gettext("Wie doet mee?"),
    "results": lazy_gettext("Resultaten"),
}
DRAFT, OPEN, CLOSED, PUBLISHED = "draft", "open", "closed", "published"
STATUS_LABELS = {
    DRAFT: lazy_gettext("in voorbereiding"),
    OPEN: lazy_gettext("open"),
    CLOSED: lazy_gettext("gesloten"),
    PUBLISHED: lazy_gettext("resultaten gepubliceerd"),
}
METHODS = ("approval", "dots", "borda", "greedy_budget", "equal_shares")
METHOD_LABELS = {
    "approval": lazy_gettext("Stemmen voor (kies er zoveel u wilt)"),
    "dots": lazy_gettext("Punten verdelen"),
    "borda": lazy_gettext("Rangorde"),
    "greedy_budget": lazy_gettext("Budget: meeste stemmen eerst"),
    "equal_shares": lazy_gettext("Budget: gelijke delen"),
}
BUDGET_METHODS = ("greedy_budget", "equal_shares")

DEFAULT_SETTINGS: dict[str, Any] = {
    "method": "approval",
    "seats": 3,
    "points": 10,
    "budget": 0,
    "completion": "add1u",
    "requires_codes": False,
    "survey_id": "",
    "criteria": [],
}


class RoundError(VliegwielError, ValueError):
    """Input a round refuses; the message is Dutch and meant for the person who sent it."""

    code = "round"


def utc_now() -> datetime:
    return datetime.now(UTC)


def collection(round_id: str, name: str) -> str:
    """The collection of one kind of record of a round, e.g. ``rounds/<id>/ideas``."""
    return f"{ROUNDS}/{round_id}/{name}"


def participant_hash(round_id: str, key: str) -> str:
    """What is stored for a participant: never the browser id or code itself."""
    return hashlib.sha256(f"{round_id}:{key}".encode()).hexdigest()[:32]


# --- dates --------------------------------------------------------------------------------------


def parse_day(text: str, *, end: bool = False) -> datetime:
    """A date typed as YYYY-MM-DD as a moment in local time: the start of that day, or with
    ``end`` the end of it (the next midnight), so "t/m 14 maart" includes all of 14 March."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise RoundError(
            _("Geen geldige datum: %(text)s (gebruik JJJJ-MM-DD).", text=text)
        ) from None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=TIMEZONE)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def last_day(end: datetime) -> date:
    """The last day included by an exclusive end moment."""
    return (end.astimezone(TIMEZONE) - timedelta(seconds=1)).date()


@dataclass(frozen=True)
class Phase:
    kind: str
    start: datetime
    end: datetime | None  # None: open-ended (only the results phase)

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self.kind])

    @property
    def last_day(self) -> date | None:
        return last_day(self.end) if self.end else None

    def is_open(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)


def phases_of(record: dict[str, Any]) -> list[Phase]:
    return [
        Phase(p["kind"], moment(p["start"]), moment(p["end"]) if p.get("end") else None)
        for p in record.get("phases", [])
    ]


def check_phases(phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Phases in the fixed order, each once, each ending after it starts, none overlapping."""
    kinds = [p["kind"] for p in phases]
    if any(k not in PHASE_KINDS for k in kinds):
        raise RoundError(_("Onbekende fase."))
    if len(set(kinds)) != len(kinds):
        raise RoundError(_("Elke fase mag maar één keer voorkomen."))
    ordered = sorted(phases, key=lambda p: PHASE_KINDS.index(p["kind"]))
    previous_end: datetime | None = None
    for p in ordered:
        start, end = moment(p["start"]), moment(p["end"]) if p.get("end") else None
        label = PHASE_LABELS[p["kind"]]
        if end is None and p["kind"] != "results":
            raise RoundError(_("De fase %(phase)s heeft een einddatum nodig.", phase=label))
        if end is not None and end <= start:
            raise RoundError(_("De fase %(phase)s eindigt voordat hij begint.", phase=label))
        if previous_end is not None and start < previous_end:
            raise RoundError(
                _("De fase %(phase)s begint voordat de vorige fase is afgelopen.", phase=label)
            )
        previous_end = end if end is not None else start
    return [{"kind": p["kind"], "start": p["start"], "end": p.get("end") or None} for p in ordered]


#: The form of a survey id (vliegwiel.surveys.schema.SurveyId).
SURVEY_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    clean = {**DEFAULT_SETTINGS, **settings}
    if clean["method"] not in METHODS:
        raise RoundError(_("Onbekende stemmethode."))
    for key in ("seats", "points", "budget"):
        value = clean[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RoundError(_("%(field)s moet een geheel getal van 0 of meer zijn.", field=key))
    if clean["method"] == "dots" and clean["points"] < 1:
        raise RoundError(_("Bij punten verdelen heeft iedereen minstens 1 punt nodig."))
    if clean["method"] in BUDGET_METHODS and clean["budget"] < 1:
        raise RoundError(_("Een stemming met budget heeft een budget nodig."))
    if clean["method"] in ("approval", "dots", "borda") and clean["seats"] < 1:
        raise RoundError(_("Kies minstens 1 idee dat gekozen wordt."))
    if clean["completion"] not in ("none", "add1", "add1u"):
        raise RoundError(_("Onbekende aanvulling voor gelijke delen."))
    survey_id = clean["survey_id"]
    if not isinstance(survey_id, str) or (survey_id and not SURVEY_ID.fullmatch(survey_id)):
        # It names a collection on disk: a design file could otherwise point anywhere.
        raise RoundError(_("Geen geldige enquête-id."))
    if not isinstance(clean["criteria"], list):
        raise RoundError(_("De criteria moeten een lijst zijn."))
    clean = {key: clean[key] for key in DEFAULT_SETTINGS}  # nothing unknown is kept
    clean["criteria"] = [str(c).strip() for c in clean["criteria"] if str(c).strip()]
    clean["requires_codes"] = bool(clean["requires_codes"])
    return clean


# --- rounds -------------------------------------------------------------------------------------


def create_round(
    storage,
    *,
    title: str,
    theme: str = "",
    purpose: str = "",
    phases: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    now: datetime | None = None,
    origin: str = "",
) -> dict[str, Any]:
    """A new round, unscheduled: it stays a draft until an organiser schedules it."""
    if not title.strip():
        raise RoundError(_("Geef de ronde een titel."))
    record = {
        "title": title.strip(),
        "theme": theme.strip(),
        "purpose": purpose.strip(),
        "phases": check_phases(phases or []),
        "settings": check_settings(settings or {}),
        "scheduled": False,
        "results_published": False,
        "created_at": (now or utc_now()).isoformat(),
        "origin": origin,
    }
    record["id"] = storage.insert(ROUNDS, record)
    return record


def get_round(storage: Storage, round_id: str) -> dict[str, Any] | None:
    return storage.get(ROUNDS, round_id)


def list_rounds(storage: Storage) -> list[dict[str, Any]]:
    """All rounds, the one that starts first first (undated rounds last)."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(
        storage.all(ROUNDS),
        key=lambda r: phases_of(r)[0].start if r.get("phases") else far,
    )


def update_round(storage: Storage, round_id: str, changes: dict[str, Any]) -> None:
    if "phases" in changes:
        changes = {**changes, "phases": check_phases(changes["phases"])}
    if "settings" in changes:
        changes = {**changes, "settings": check_settings(changes["settings"])}
    storage.update(ROUNDS, round_id, changes)


def status_of(record: dict[str, Any], now: datetime) -> str:
    """draft until scheduled and the first phase starts; open until the last working phase
    ends; then closed, or published once results are published and the results phase began."""
    phases = phases_of(record)
    if not record.get("scheduled") or not phases or now < phases[0].start:
        return DRAFT
    work = [p for p in phases if p.kind != "results"]
    results = next((p for p in phases if p.kind == "results"), None)
    work_end = work[-1].end if work else phases[0].start
    published_from = results.start if results else work_end
    if record.get("results_published") and published_from is not None and now >= published_from:
        return PUBLISHED
    if work_end is not None and now < work_end:
        return OPEN
    return CLOSED


def current_phase(record: dict[str, Any], now: datetime) -> Phase | None:
    if status_of(record, now) == DRAFT:
        return None
    return next((p for p in phases_of(record) if p.is_open(now)), None)


def phase(record: dict[str, Any], kind: str) -> Phase | None:
    return next((p for p in phases_of(record) if p.kind == kind), None)


def phase_open(record: dict[str, Any], kind: str, now: datetime) -> bool:
    p = phase(record, kind)
    return p is not None and status_of(record, now) != DRAFT and p.is_open(now)


def phase_over(record: dict[str, Any], kind: str, now: datetime) -> bool:
    p = phase(record, kind)
    return bool(p is not None and p.end is not None and now >= p.end and record.get("scheduled"))


def require_phase(record: dict[str, Any], kind: str, now: datetime) -> None:
    """Raise RoundError unless the phase ``kind`` is open right now."""
    p = phase(record, kind)
    if p is None:
        raise RoundError(_("Deze ronde heeft geen fase %(phase)s.", phase=PHASE_LABELS[kind]))
    if not phase_open(record, kind, now):
        if p.end is not None and now >= p.end:
            raise RoundError(
                _("De fase %(phase)s is gesloten; er wordt niets meer opgeslagen.", phase=p.label)
            )
        raise RoundError(_("De fase %(phase)s is nog niet begonnen.", phase=p.label))
