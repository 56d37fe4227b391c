"""Whether a survey takes answers: organisers open and close surveys; open by default."""

from __future__ import annotations

from vliegwiel.surveys.responses import now

STATUS = "survey_status"
OPEN, CLOSED = "open", "closed"


def status_of(storage, survey_id: str) -> str:
    record = storage.get(STATUS, survey_id)
    return record["status"] if record else OPEN


def is_open(storage, survey_id: str) -> bool:
    return status_of(storage, survey_id) == OPEN


def set_status(storage, survey_id: str, status: str) -> None:
    if status not in (OPEN, CLOSED):
        raise ValueError(f"unknown status {status!r}")
    with storage.locked(STATUS):
        if storage.get(STATUS, survey_id) is None:
            storage.insert(STATUS, {"id": survey_id, "status": status, "changed_at": now()})
        else:
            storage.update(STATUS, survey_id, {"status": status, "changed_at": now()})
