"""Whether a survey takes answers: organisers open and close surveys; open by default."""

from __future__ import annotations

from vliegwiel.core.storage import Storage, put_record
from vliegwiel.surveys.responses import now

STATUS = "survey_status"
OPEN, CLOSED = "open", "closed"


def status_of(storage: Storage, survey_id: str) -> str:
    record = storage.get(STATUS, survey_id)
    return record["status"] if record else OPEN


def is_open(storage: Storage, survey_id: str) -> bool:
    return status_of(storage, survey_id) == OPEN


def set_status(storage: Storage, survey_id: str, status: str) -> None:
    if status not in (OPEN, CLOSED):
        raise ValueError(f"unknown status {status!r}")
    put_record(storage, STATUS, survey_id, {"status": status, "changed_at": now()})
