"""Where a survey is in its life: concept -> test -> open -> closed, by hand or by date.

- ``concept``: being prepared; invisible to residents. A survey without a status record is a
  concept, so a template, ``vliegwiel init``'s example and a file copied into surveys/ by hand
  never go live by themselves.
- ``test``: the team answers it through the real pages while logged in; those answers go to a
  separate collection and are never counted. Residents still cannot see it.
- ``open``: residents answer it. ``closed``: no more answers; results stay.

A concept or test survey may carry ``opens_at``: it is open from that moment without anyone
clicking. Any survey that is not closed may carry ``closes_at``: it is closed from then on.
Opening or closing by hand overrides a date that has not come yet.

Instances from before the lifecycle had no status records and every survey was open; the
storage migration to schema version 2 leaves a note, and :func:`open_surveys_from_before_lifecycle`
turns it into an ``open`` record for every survey that instance had, at the first start-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from vliegwiel.core.errors import VliegwielError
from vliegwiel.core.storage import LIFECYCLE_UPGRADE, UPGRADES, Storage, put_record
from vliegwiel.core.village import Village
from vliegwiel.surveys.responses import now, responses_collection

STATUS = "survey_status"
CONCEPT, TEST, OPEN, CLOSED = "concept", "test", "open", "closed"
STATUSES = (CONCEPT, TEST, OPEN, CLOSED)
#: Dates are typed and shown in the village's own time (Dutch villages).
TIMEZONE = ZoneInfo("Europe/Amsterdam")


class StatusError(VliegwielError):
    """A status change that is not allowed; the message says why (for the CLI, in the
    instance's language)."""

    code = "survey_status"

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        #: A stable key the web pages translate: see views_organiser.STATUS_REFUSALS.
        self.reason = reason


@dataclass(frozen=True)
class Lifecycle:
    """The stored state of one survey: the phase the team set, and optional dates."""

    phase: str = CONCEPT
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    changed_at: str | None = None

    def status(self, moment: datetime | None = None) -> str:
        """The status at ``moment`` (default now), dates applied."""
        moment = moment or datetime.now(UTC)
        if self.phase == CLOSED:
            return CLOSED
        if self.phase in (CONCEPT, TEST) and (self.opens_at is None or moment < self.opens_at):
            return self.phase
        if self.closes_at is not None and moment >= self.closes_at:
            return CLOSED
        return OPEN


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _stamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def lifecycle_of(storage: Storage, survey_id: str) -> Lifecycle:
    """The survey's state as stored now."""
    written = storage.written(STATUS)  # before the read: a write during it shows next time
    record = storage.get(STATUS, survey_id)
    lifecycle = (
        Lifecycle()
        if record is None
        else Lifecycle(
            phase=record["status"],
            opens_at=_parse(record.get("opens_at")),
            closes_at=_parse(record.get("closes_at")),
            changed_at=record.get("changed_at"),
        )
    )
    _recent[(storage.describe(), survey_id)] = (time.monotonic(), written, lifecycle)
    return lifecycle


#: How old a stored state a page view may show (see ``recent_lifecycle``), in seconds.
RECENT_SECONDS = 1.0
#: (storage, survey id) -> (when read, the storage's ``written`` count then, state).
_recent: dict[tuple[str, str], tuple[float, int, Lifecycle]] = {}


def recent_lifecycle(storage: Storage, survey_id: str) -> Lifecycle:
    """The state as read at most RECENT_SECONDS ago, unless this process changed it since.

    For showing a resident's page: each page of a flow would otherwise read the state again
    (a database query per page, on a busy evening most of the reads). Any change made in this
    process shows at once (the store counts its own writes); one made by another process
    (``vliegwiel survey close`` while the server runs) shows within a second. Storing an
    answer always reads the state as stored now (``lifecycle_of``), so a closed survey never
    takes one more answer.
    """
    hit = _recent.get((storage.describe(), survey_id))
    if (
        hit is not None
        and time.monotonic() - hit[0] < RECENT_SECONDS
        and hit[1] == storage.written(STATUS)
    ):
        return hit[2]
    return lifecycle_of(storage, survey_id)


def status_of(storage: Storage, survey_id: str, moment: datetime | None = None) -> str:
    return lifecycle_of(storage, survey_id).status(moment)


def is_open(storage: Storage, survey_id: str) -> bool:
    return status_of(storage, survey_id) == OPEN


def _write(storage: Storage, survey_id: str, lifecycle: Lifecycle) -> None:
    record = {
        "status": lifecycle.phase,
        "opens_at": _stamp(lifecycle.opens_at),
        "closes_at": _stamp(lifecycle.closes_at),
        "changed_at": now(),
    }
    put_record(storage, STATUS, survey_id, record)
    # Another store object on the same data (a command's) has its own count.
    _recent.pop((storage.describe(), survey_id), None)


def set_status(storage: Storage, survey_id: str, status: str) -> Lifecycle:
    """Move a survey to ``status`` by hand; returns the new state.

    Back to concept or test is refused once residents have answered: their answers would
    vanish from sight while the team tests. Opening by hand drops a future opening date and a
    passed closing date (the team reopens it); closing by hand overrides both dates.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    with storage.locked(STATUS):
        current = lifecycle_of(storage, survey_id)
        moment = datetime.now(UTC)
        if status in (CONCEPT, TEST) and storage.count(responses_collection(survey_id)):
            raise StatusError(
                _(
                    "enquête '%(id)s' heeft antwoorden van bewoners; hij kan niet terug naar "
                    "%(status)s",
                    id=survey_id,
                    status=status,
                ),
                "has_answers",
            )
        opens_at, closes_at = current.opens_at, current.closes_at
        if status == OPEN:
            opens_at = None
            if closes_at is not None and closes_at <= moment:
                closes_at = None
        if status in (CONCEPT, TEST) and opens_at is not None and opens_at <= moment:
            opens_at = None
        new = Lifecycle(status, opens_at, closes_at)
        _write(storage, survey_id, new)
        return new


def schedule(
    storage: Storage,
    survey_id: str,
    *,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> Lifecycle:
    """Set (or clear, with None) the opening and closing moments; returns the new state."""
    for value in (opens_at, closes_at):
        if value is not None and value.tzinfo is None:
            raise ValueError("dates need a time zone")
    with storage.locked(STATUS):
        current = lifecycle_of(storage, survey_id)
        moment = datetime.now(UTC)
        status = current.status(moment)
        if opens_at is not None and status in (OPEN, CLOSED):
            raise StatusError(
                _(
                    "enquête '%(id)s' is al %(status)s; een openingsdatum is voor een concept "
                    "of een enquête in test",
                    id=survey_id,
                    status=status,
                ),
                "opening_too_late",
            )
        if status == CLOSED and closes_at is not None:
            raise StatusError(
                _("enquête '%(id)s' is gesloten; open hem eerst", id=survey_id), "closed"
            )
        if closes_at is not None and closes_at <= (opens_at or moment):
            raise StatusError(
                _("het sluitmoment moet na het openingsmoment en na nu komen"),
                "closes_before_opening",
            )
        # A test survey that opened by date is open for good: clearing its (passed) opening
        # date must not send it back to test.
        phase = OPEN if status == OPEN else current.phase
        new = Lifecycle(phase, opens_at, closes_at)
        _write(storage, survey_id, new)
        return new


def parse_local(text: str) -> datetime:
    """``2026-12-01 09:00``, ``2026-12-01T09:00`` or ``2026-12-01`` in the village's time."""
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=TIMEZONE) if value.tzinfo is None else value


def local(value: datetime | None) -> datetime | None:
    return value.astimezone(TIMEZONE) if value else None


def open_surveys_from_before_lifecycle(village: Village) -> int:
    """Open every survey of an instance upgraded from before the lifecycle; returns how many.

    Those surveys were live (a survey without a status record used to be open); without this
    they would vanish from the residents' pages after the upgrade. Runs once, on the note the
    schema-2 migration leaves; a survey file added later is a concept like any other.
    """
    storage = village.storage
    if storage.get(UPGRADES, LIFECYCLE_UPGRADE) is None:
        # Checked before taking the lock: locking creates the collection's folder, and a
        # fresh instance's data/ must stay empty (restore refuses to overwrite data).
        return 0
    with storage.locked(UPGRADES):
        note = storage.get(UPGRADES, LIFECYCLE_UPGRADE)
        if note is None or note.get("done"):
            return 0
        opened = 0
        for survey in village.surveys.all():
            if storage.get(STATUS, survey.id) is None:
                with storage.locked(STATUS):
                    _write(storage, survey.id, Lifecycle(OPEN))
                opened += 1
        storage.update(UPGRADES, LIFECYCLE_UPGRADE, {"done": True, "opened": opened})
        return opened
