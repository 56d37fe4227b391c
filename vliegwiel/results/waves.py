"""Survey rounds (waves): which round a response belongs to.

The model (docs/results.md): a village runs the *same* survey (same id, same question ids)
again a year later. When the organiser starts a new round, they give it a label ("2027");
the start time is stored in the collection ``survey_waves``. A response belongs to the last
round that started before it was submitted; responses from before the first labelled round
form the first round, "Ronde 1". Responses themselves are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from vliegwiel.surveys.responses import now, responses_of
from vliegwiel.surveys.schema import Survey

WAVES = "survey_waves"
MAX_LABEL = 40


@dataclass(frozen=True)
class Wave:
    label: str
    #: ISO time the round started; "" for the first, implicit round.
    started_at: str


def waves_of(storage: Any, survey_id: str) -> list[Wave]:
    """The survey's rounds, oldest first; there is always at least one."""
    records = sorted(storage.find(WAVES, survey_id=survey_id), key=lambda r: r["started_at"])
    return [Wave(_("Ronde 1"), "")] + [Wave(r["label"], r["started_at"]) for r in records]


def start_wave(storage: Any, survey_id: str, label: str, at: str | None = None) -> Wave:
    """Start a new round now (or ``at``): later responses belong to it."""
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL:
        raise ValueError(f"a round label has 1 to {MAX_LABEL} characters")
    with storage.locked(WAVES):
        if label in {w.label for w in waves_of(storage, survey_id)}:
            raise ValueError(f"there is already a round called {label!r}")
        started = at or now()
        storage.insert(WAVES, {"survey_id": survey_id, "label": label, "started_at": started})
    return Wave(label, started)


def split_by_wave(
    waves: list[Wave], responses: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Responses per round label, rounds in order."""
    groups: dict[str, list[dict[str, Any]]] = {w.label: [] for w in waves}
    for response in responses:
        wave = waves[0]
        for candidate in waves[1:]:
            if response["submitted_at"] >= candidate.started_at:
                wave = candidate
        groups[wave.label].append(response)
    return groups


def wave_responses(
    village: Any, survey: Survey, label: str | None = None
) -> tuple[str | None, list[dict[str, Any]]]:
    """The responses of round ``label`` (default: the latest) and that round's label.

    The label is None when the survey has only one round.
    """
    waves = waves_of(village.storage, survey.id)
    responses = responses_of(village, survey.id)
    if len(waves) == 1:
        return None, responses
    groups = split_by_wave(waves, responses)
    chosen = label if label in groups else waves[-1].label
    return chosen, groups[chosen]
