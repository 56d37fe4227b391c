"""Survey results: tallies per question with small-group protection applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vliegwiel.question_types import Tally
from vliegwiel.responses import responses_of
from vliegwiel.summaries import Summary
from vliegwiel.suppression import Counts, suppress_counts
from vliegwiel.survey_schema import Question, Survey


@dataclass
class QuestionResult:
    question: Question
    #: The raw tally; never shown as is: use ``counts`` and ``stats``.
    tally: Tally
    #: Answer counts as they may be published (None: hidden), for choice-like questions.
    counts: Counts | None
    #: Numeric statistics, None when fewer than k respondents answered.
    stats: dict[str, float] | None
    #: True when the question had fewer than k respondents: nothing is shown.
    hidden: bool
    parts: dict[str, QuestionResult] = field(default_factory=dict)


@dataclass
class SurveyResults:
    survey: Survey
    respondents: int
    k: int
    questions: list[QuestionResult]
    summaries: list[Summary]
    channels: Counts
    first_response: str | None = None
    last_response: str | None = None


def protect_tally(question: Question, tally: Tally, k: int) -> QuestionResult:
    hidden = tally.respondents < k
    counts = None
    stats = None
    parts: dict[str, QuestionResult] = {}
    if tally.kind in ("choice", "ranking"):
        # Multiple choice and ranking rows do not add up to the respondents: no complementary line.
        total = tally.respondents if tally.kind == "choice" and _is_single(tally) else None
        counts = suppress_counts(tally.counts(), k, total=total)
        if total is None and hidden:
            counts = Counts({key: None for key in tally.counts()}, None)
    if tally.stats and not hidden:
        stats = {key: value for key, value in tally.stats.items() if not key.startswith("first:")}
    if tally.kind == "number" and tally.respondents >= k:
        stats = dict(tally.stats)
    for key, part in tally.parts.items():
        parts[key] = protect_tally(question, part, k)
    return QuestionResult(question, tally, counts, stats, hidden, parts)


def _is_single(tally: Tally) -> bool:
    return sum(row.count for row in tally.rows) == tally.respondents


def compute_results(
    village: Any, survey: Survey, responses: list[dict[str, Any]] | None = None
) -> SurveyResults:
    responses = responses_of(village, survey.id) if responses is None else responses
    k = village.config.min_group_size
    results = []
    for question in survey.questions():
        answers = [r["answers"][question.id] for r in responses if question.id in r["answers"]]
        tally = village.question_types[question.type].tally(question, answers)
        results.append(protect_tally(question, tally, k))
    summaries = [
        summary
        for _plugin, summary in village.call_hook(
            "vliegwiel_survey_summary", survey=survey, responses=responses, k=k
        )
        if isinstance(summary, Summary)
    ]
    channels: dict[str, int] = {}
    for r in responses:
        channels[r.get("channel", "web")] = channels.get(r.get("channel", "web"), 0) + 1
    times = sorted(r["submitted_at"] for r in responses)
    return SurveyResults(
        survey=survey,
        respondents=len(responses),
        k=k,
        questions=results,
        summaries=summaries,
        channels=suppress_counts(channels, k),
        first_response=times[0] if times else None,
        last_response=times[-1] if times else None,
    )
