"""Survey rounds (waves): which round a response belongs to.

The model (docs/results.md): a village runs the *same* survey (same id, same question ids)
again a year later. When the organiser starts a new round, they give it a label ("2027");
the start time is stored in the collection ``survey_waves``. A response belongs to the last
round that started before it was submitted; responses from before the first labelled round
form the first round, "Ronde 1". Responses themselves are never changed.

Rounds are keyed by a stable id, never by their label: the first round's label is
translated ("Ronde 1" / "Round 1"), and a label typed in one interface language must not
merge two rounds in another. The first, implicit round has the id ``FIRST``; a started
round keeps the id its record got when it was stored (every record in storage has one, so
existing data needs no migration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from vliegwiel.core.storage import Storage
from vliegwiel.core.village import Village
from vliegwiel.surveys.responses import now, responses_of
from vliegwiel.surveys.schema import Survey

WAVES = "survey_waves"
MAX_LABEL = 40
#: The id of the first, implicit round (the responses from before any labelled round).
FIRST = "eerste"


@dataclass(frozen=True)
class Wave:
    #: Stable id: what pages (``?ronde=``), publications and results refer to.
    id: str
    #: For display only.
    label: str
    #: ISO time the round started; "" for the first, implicit round.
    started_at: str


def waves_of(storage: Storage, survey_id: str) -> list[Wave]:
    """The survey's rounds, oldest first; there is always at least one."""
    records = sorted(storage.find(WAVES, survey_id=survey_id), key=lambda r: r["started_at"])
    first = Wave(FIRST, _("Ronde 1"), "")
    return [first] + [Wave(r["id"], r["label"], r["started_at"]) for r in records]


def find_wave(waves: list[Wave], key: str | None) -> Wave | None:
    """The round with id ``key``, or else with that label (people type labels on the
    command line); None when there is none."""
    if key is None:
        return None
    by_id = next((w for w in waves if w.id == key), None)
    return by_id or next((w for w in waves if w.label == key), None)


def wave_label(storage: Storage, survey_id: str, wave_id: str | None) -> str | None:
    """The display label of a round id (None for None or an unknown id)."""
    found = find_wave(waves_of(storage, survey_id), wave_id)
    return found.label if found and found.id == wave_id else None


def start_wave(storage: Storage, survey_id: str, label: str, at: str | None = None) -> Wave:
    """Start a new round now (or ``at``): later responses belong to it."""
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL:
        raise ValueError(f"a round label has 1 to {MAX_LABEL} characters")
    with storage.locked(WAVES):
        if label in {w.label for w in waves_of(storage, survey_id)}:
            raise ValueError(f"there is already a round called {label!r}")
        started = at or now()
        wave_id = storage.insert(
            WAVES, {"survey_id": survey_id, "label": label, "started_at": started}
        )
    return Wave(wave_id, label, started)


def split_by_wave(
    waves: list[Wave], responses: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Responses per round id, rounds in order."""
    groups: dict[str, list[dict[str, Any]]] = {w.id: [] for w in waves}
    for response in responses:
        wave = waves[0]
        for candidate in waves[1:]:
            if response["submitted_at"] >= candidate.started_at:
                wave = candidate
        groups[wave.id].append(response)
    return groups


def wave_responses(
    village: Village, survey: Survey, wave: str | None = None
) -> tuple[str | None, list[dict[str, Any]]]:
    """The responses of round ``wave`` (an id, or a label; default: the latest) and that
    round's id. The id is None when the survey has only one round."""
    waves = waves_of(village.storage, survey.id)
    responses = responses_of(village, survey.id)
    if len(waves) == 1:
        return None, responses
    groups = split_by_wave(waves, responses)
    chosen = find_wave(waves, wave) or waves[-1]
    return chosen.id, groups[chosen.id]
