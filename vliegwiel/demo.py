"""Realistic sample responses for the demo village, generated through the normal save path."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from vliegwiel.builtin_questions import OTHER
from vliegwiel.responses import IncompleteResponse, save_response, validate_answers
from vliegwiel.survey_schema import Question, Survey

_SAMPLE_TEXTS = (
    "Een bankje bij de bushalte zou fijn zijn.",
    "Meer activiteiten voor jongeren in het dorpshuis.",
    "Een buurtbus naar de huisarts op dinsdag en vrijdag.",
    "Zonnepanelen op het dak van de gymzaal, samen met de school.",
    "Een koffieochtend voor ouderen die alleen wonen.",
    "De stoep bij de kerk is slecht begaanbaar met een rollator.",
    "Een deelauto bij het dorpshuis.",
    "Samen de speeltuin opknappen.",
)


def _answer(question: Question, rng: random.Random) -> Any:
    settings = question.settings
    kind = question.type
    if kind in ("single_choice", "yes_no"):
        options = [o.value for o in settings.options]
        # Earlier options are a little more common, as in real surveys.
        weights = [len(options) - i + 1 for i in range(len(options))]
        if getattr(settings, "other", False) and rng.random() < 0.05:
            return {"value": OTHER, "other": "Bij mijn ouders"}
        return rng.choices(options, weights=weights)[0]
    if kind == "multiple_choice":
        options = [o.value for o in settings.options]
        count = rng.randint(1, min(3, settings.max_choices or 3))
        return rng.sample(options, count)
    if kind == "scale":
        low, high = settings.min, settings.max
        centre = low + (high - low) * 0.7
        return max(low, min(high, round(rng.gauss(centre, (high - low) / 5))))
    if kind == "number":
        low = settings.min if settings.min is not None else 0
        high = settings.max if settings.max is not None else 100
        value = rng.triangular(low, high, low + (high - low) * 0.2)
        return int(value) if settings.integer else round(value, 1)
    if kind == "matrix":
        options = [o.value for o in settings.options]
        return {
            s.id: rng.choices(
                options, weights=[5, 3, 2, 1][: len(options)] + [1] * (len(options) - 4)
            )[0]
            for s in settings.statements
        }
    if kind == "ranking":
        values = [o.value for o in settings.options]
        rng.shuffle(values)
        return values[: rng.randint(2, len(values))]
    if kind == "long_text":
        return rng.choice(_SAMPLE_TEXTS)
    return None


def generate_answers(village: Any, survey: Survey, rng: random.Random) -> dict[str, Any]:
    """Answers that respect show_if; optional questions are sometimes skipped."""
    answers: dict[str, Any] = {}
    for question in survey.questions():
        if not question.visible(answers):
            continue
        if not question.required and rng.random() < 0.12:
            continue
        qtype = village.question_types[question.type]
        answer = qtype.sample(question, rng)
        if answer is None:
            answer = _answer(question, rng)
        if answer is not None:
            answers[question.id] = answer
    return answers


def add_sample_responses(
    village: Any,
    survey: Survey,
    count: int,
    *,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Save ``count`` generated responses (web and paper, spread over three weeks)."""
    rng = random.Random(f"{seed}-{survey.id}")
    start = datetime.now(UTC) - timedelta(days=21)
    saved = 0
    for _ in range(count):
        answers = generate_answers(village, survey, rng)
        try:
            answers = validate_answers(village, survey, answers)
        except IncompleteResponse:
            continue  # a plugin question type this generator does not know: skip it
        moment = start + timedelta(minutes=rng.randint(0, 21 * 24 * 60))
        save_response(
            village,
            survey,
            answers,
            channel="paper" if rng.random() < 0.2 else "web",
            submitted_at=moment.isoformat(timespec="seconds"),
        )
        saved += 1
        if progress:
            progress(1)
    return saved
