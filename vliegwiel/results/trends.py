"""The change per question from one survey round (wave, see ``waves``) to the next.

Each round is its own set of results, protected on its own. Results over all rounds
together are never shown: with the per-round results they would form a breakdown by round
that nobody protected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from vliegwiel.core.village import Village
from vliegwiel.results.charts import line_chart, responsive
from vliegwiel.results.suppression import stepped
from vliegwiel.results.tallies import compute_results
from vliegwiel.results.waves import split_by_wave, waves_of
from vliegwiel.surveys.responses import responses_of
from vliegwiel.surveys.schema import Question, Survey
from vliegwiel.web.i18n import localise


@dataclass
class QuestionTrend:
    question: Question
    x_labels: list[str]
    #: Series name -> one published value per round (None: hidden or not asked).
    series: dict[str, list[float | None]]
    unit: str

    def chart(self) -> Markup:
        title = localise(self.question.text)
        return Markup(
            responsive(lambda width: line_chart(title, self.series, self.x_labels, width=width))
        )


def compute_trends(
    village: Village, survey: Survey, *, step: int | None = None
) -> list[QuestionTrend]:
    """Per question, the published value in every round: percentages per answer for
    choice questions, the mean for numbers. Empty when the survey ran only once.

    ``step`` (k) limits every round to its first multiple of k responses, as every view
    outside the beheerders' is (``vliegwiel.results.suppression.stepped``).
    """

    waves = waves_of(village.storage, survey.id)
    if len(waves) < 2:
        return []
    groups = split_by_wave(waves, responses_of(village, survey.id))
    if step:
        groups = {key: stepped(found, step) for key, found in groups.items()}
    per_wave = [
        {r.question.id: r for r in compute_results(village, survey, groups[w.id]).questions}
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
