"""Realistic sample responses for the demo village, generated through the normal save path."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from vliegwiel.core.village import Village
from vliegwiel.surveys.builtin_questions import OTHER
from vliegwiel.surveys.responses import IncompleteResponse, save_response, validate_answers
from vliegwiel.surveys.schema import Question, Survey

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
        # "Anders, namelijk" needs a text: it is added below, now and then.
        options = [o.value for o in settings.options if not o.other]
        # Earlier options are a little more common, as in real surveys.
        weights = [len(options) - i + 1 for i in range(len(options))]
        if getattr(settings, "other", False) and rng.random() < 0.05:
            return {"value": OTHER, "other": "Bij mijn ouders"}
        return rng.choices(options, weights=weights)[0]
    if kind == "multiple_choice":
        # An exclusive option ("weet niet") cannot be combined: leave it to the residents.
        options = [o.value for o in settings.options if not o.other and not o.exclusive]
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
        picks = {
            s.id: rng.choices(
                options, weights=[5, 3, 2, 1][: len(options)] + [1] * (len(options) - 4)
            )[0]
            for s in settings.statements
        }
        if getattr(settings, "multiple", False):
            return {key: [value] for key, value in picks.items()}
        return picks
    if kind == "ranking":
        values = [o.value for o in settings.options]
        rng.shuffle(values)
        return values[: rng.randint(2, len(values))]
    if kind == "long_text":
        return rng.choice(_SAMPLE_TEXTS)
    return None


def generate_answers(village: Village, survey: Survey, rng: random.Random) -> dict[str, Any]:
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
    village: Village,
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


_SAMPLE_IDEAS = (
    (
        "Zonnepanelen op het dorpshuis",
        "Samen investeren in panelen op het dak; de opbrengst "
        "gaat naar de activiteiten in het dorpshuis.",
    ),
    (
        "Buurtbus naar de huisarts",
        "Vrijwilligers rijden twee keer per week naar de huisarts en de supermarkt in de stad.",
    ),
    (
        "Koffieochtend voor ouderen",
        "Elke woensdag koffie in het dorpshuis, met vervoer voor wie niet meer zelf kan komen.",
    ),
    ("Jongerenhoek in het dorpshuis", "Een eigen plek voor jongeren, die zij zelf inrichten."),
    ("Deelauto bij de kerk", "Een elektrische deelauto voor wie geen tweede auto wil."),
)


def add_sample_round(village: Village, *, participants: int = 40, seed: int = 7) -> dict[str, Any]:
    """A participation round in its ideas phase, with ideas and supports from residents."""
    from vliegwiel.rounds.ideas import submit_idea, support
    from vliegwiel.rounds.model import ROUNDS, create_round, parse_day, participant_hash

    rng = random.Random(f"{seed}-round")
    now = datetime.now(UTC)

    def day(offset: int) -> str:
        return parse_day((now + timedelta(days=offset)).date().isoformat()).isoformat()

    record = create_round(
        village.storage,
        title="Samen aan de slag in Achterveld",
        theme="algemeen",
        purpose="Wat pakken we het komende jaar samen op? Stuur ideeën in, steun die van "
        "anderen, en kies in mei met het dorpsbudget.",
        phases=[
            {"kind": "ideas", "start": day(-7), "end": day(14)},
            {"kind": "prioritise", "start": day(14), "end": day(28)},
            {"kind": "commit", "start": day(28), "end": day(42)},
            {"kind": "results", "start": day(42), "end": None},
        ],
        settings={"method": "equal_shares", "budget": 5000},
    )
    village.storage.update(ROUNDS, record["id"], {"scheduled": True})
    record = village.storage.get(ROUNDS, record["id"])
    ideas = [
        submit_idea(
            village.storage,
            record,
            title=title,
            description=text,
            wants_to_help=rng.random() < 0.5,
            participant=participant_hash(record["id"], f"demo-{n}"),
            now=now,
        )
        for n, (title, text) in enumerate(_SAMPLE_IDEAS)
    ]
    for n in range(participants):
        who = participant_hash(record["id"], f"demo-{n}")
        for idea in rng.sample(ideas, rng.randint(1, 3)):
            if idea["participant"] != who:
                support(village.storage, record, idea["id"], participant=who, now=now)
    return record
