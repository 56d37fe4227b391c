"""Survey rounds (waves) and the change per question from one round to the next.

The model (docs/results.md): a village runs the *same* survey (same id, same question ids)
again a year later. When the organiser starts a new round, they give it a label ("2027");
the start time is stored in the collection ``survey_waves``. A response belongs to the last
round that started before it was submitted; responses from before the first labelled round
form the first round, "Ronde 1". Responses themselves are never changed.

Each round is its own set of results, protected on its own. Results over all rounds
together are never shown: with the per-round results they would form a breakdown by round
that nobody protected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from vliegwiel.charts import line_chart
from vliegwiel.i18n import localise
from vliegwiel.responses import now, responses_of
from vliegwiel.survey_schema import Question, Survey

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


@dataclass
class QuestionTrend:
    question: Question
    x_labels: list[str]
    #: Series name -> one published value per round (None: hidden or not asked).
    series: dict[str, list[float | None]]
    unit: str

    def chart(self) -> Markup:
        return Markup(line_chart(localise(self.question.text), self.series, self.x_labels))


def compute_trends(village: Any, survey: Survey, *, step: int | None = None) -> list[QuestionTrend]:
    """Per question, the published value in every round: percentages per answer for
    choice questions, the mean for numbers. Empty when the survey ran only once.

    ``step`` (k) limits every round to its first multiple of k responses, as every view
    outside the beheerders' is (``vliegwiel.publications.stepped``).
    """
    from vliegwiel.publications import stepped
    from vliegwiel.results import compute_results

    waves = waves_of(village.storage, survey.id)
    if len(waves) < 2:
        return []
    groups = split_by_wave(waves, responses_of(village, survey.id))
    if step:
        groups = {label: stepped(found, step) for label, found in groups.items()}
    per_wave = [
        {r.question.id: r for r in compute_results(village, survey, groups[w.label]).questions}
        for w in waves
    ]
    labels = [w.label for w in waves]
    trends = []
    for question in survey.questions():
        results = [wave_results[question.id] for wave_results in per_wave]
        first = results[0]
        series: dict[str, list[float | None]] = {}
        if first.tally.kind == "choice":
            for row in first.tally.rows:
                series[localise(row.label)] = [_percent_of(r, row.key) for r in results]
            unit = "%"
        elif first.tally.kind == "number":
            series[_("Gemiddelde")] = [
                None if r.hidden or not r.stats else r.stats.get("mean") for r in results
            ]
            unit = ""
        else:
            continue
        if any(v is not None for values in series.values() for v in values):
            trends.append(QuestionTrend(question, labels, series, unit))
    return trends


def _percent_of(result: Any, key: str) -> float | None:
    for row_key, _label, _count, pct in result.rows():
        if row_key == key:
            return None if pct is None else round(pct, 1)
    return None
