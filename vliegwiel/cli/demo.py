"""Believable sample data for the demo village, generated through the normal save paths.

Every draw comes from one seeded ``random.Random``, so two runs give the same village. Answers
follow plausible distributions rather than uniform noise: numbers are skewed towards the low
end as amounts and counts are, the example survey's questions on volunteering and feeling
alone follow Dutch figures (``_PROFILES``), and plugins answer their own scales through the
``vliegwiel_sample_answers`` hook (the eenzaamheid plugin's De Jong Gierveld scale comes out
near the national loneliness figures). The sample round is open for voting now, with a
shortlist, and its texts are written from its dates.
"""

from __future__ import annotations

import math
import os
import random
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_date

from vliegwiel.core.config import CONFIG_NAME
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
        return _skewed_number(question, rng)
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


def _skewed_number(question: Question, rng: random.Random) -> int | float:
    """Amounts and counts are mostly small with a few large ones: a log-normal draw whose
    median is near the low end of the allowed range (3 % of it), clamped to the range."""
    settings = question.settings
    low = settings.min if settings.min is not None else 0
    high = settings.max if settings.max is not None else 100
    median = max(1.0, (high - low) * 0.03)
    value = min(high, low + rng.lognormvariate(math.log(median), 0.9))
    return int(value) if settings.integer else round(value, 1)


def _pick(weights: dict[str, float]) -> Callable[[Question, random.Random], Any]:
    """An answer drawn with these weights per option value."""

    def draw(question: Question, rng: random.Random) -> Any:
        values = [o.value for o in question.settings.options]
        known = [v for v in weights if v in values]
        if not known:  # the survey was edited: fall back to the generic answer
            return None
        return rng.choices(known, weights=[weights[v] for v in known])[0]

    return draw


def _volunteer_hours(question: Question, rng: random.Random) -> int:
    """Hours a month of those who volunteer: mostly 1 to 10, some up to 20, few more."""
    roll = rng.random()
    if roll < 0.75:
        return rng.randint(1, 10)
    if roll < 0.93:
        return rng.randint(11, 20)
    return rng.randint(21, 60)


def _years_here(question: Question, rng: random.Random) -> int:
    """Years in the village: newcomers and people who were born here."""
    return int(rng.triangular(0, 75, 8))


#: Distributions for the example survey (surveys/dorpsenquete.yaml), by question id. About a
#: third of Dutch adults volunteer in a given month (CBS); most people feel alone sometimes or
#: never, about one in ten often (CBS/GGD Gezondheidsmonitor).
_PROFILES: dict[str, dict[str, Callable[[Question, random.Random], Any]]] = {
    "dorpsenquete": {
        "vrijwilliger": _pick({"ja": 0.35, "nee": 0.65}),
        "uren": _volunteer_hours,
        "eenzaam_gevoel": _pick({"nooit": 0.45, "soms": 0.43, "vaak": 0.12}),
        "woonduur": _years_here,
    }
}


def _plugin_answers(village: Village, survey: Survey, rng: random.Random) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for _plugin, answers in village.call_hook("vliegwiel_sample_answers", survey=survey, rng=rng):
        if isinstance(answers, dict):
            found.update(answers)
    return found


def generate_answers(village: Village, survey: Survey, rng: random.Random) -> dict[str, Any]:
    """Answers that respect show_if; optional questions are sometimes skipped.

    Plugins answer the questions they know (``vliegwiel_sample_answers``); the example
    survey's questions follow ``_PROFILES``; the rest gets a generic plausible answer.
    """
    from_plugins = _plugin_answers(village, survey, rng)
    profile = _PROFILES.get(survey.id, {})
    answers: dict[str, Any] = {}
    for question in survey.questions():
        if not question.visible(answers):
            continue
        if question.id in from_plugins:
            answers[question.id] = from_plugins[question.id]
            continue
        if not question.required and rng.random() < 0.12:
            continue
        answer = profile[question.id](question, rng) if question.id in profile else None
        if answer is None:
            answer = village.question_types[question.type].sample(question, rng)
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


#: Title, description and estimated cost (euro) of the sample round's ideas.
_SAMPLE_IDEAS = (
    (
        "Zonnepanelen op het dorpshuis",
        "Samen investeren in panelen op het dak; de opbrengst "
        "gaat naar de activiteiten in het dorpshuis.",
        3500,
    ),
    (
        "Buurtbus naar de huisarts",
        "Vrijwilligers rijden twee keer per week naar de huisarts en de supermarkt in de stad.",
        1500,
    ),
    (
        "Koffieochtend voor ouderen",
        "Elke woensdag koffie in het dorpshuis, met vervoer voor wie niet meer zelf kan komen.",
        400,
    ),
    (
        "Jongerenhoek in het dorpshuis",
        "Een eigen plek voor jongeren, die zij zelf inrichten.",
        1200,
    ),
    ("Deelauto bij de kerk", "Een elektrische deelauto voor wie geen tweede auto wil.", 2500),
)
#: How popular each sample idea is with the demo's voters (same order as _SAMPLE_IDEAS).
_POPULARITY = (0.45, 0.6, 0.7, 0.35, 0.25)
DEMO_BUDGET = 5000
#: Households of the demo village: with 200 responses per survey the report shows a response
#: rate of about 38 %.
DEMO_HOUSEHOLDS = 520


def _day_text(day: date) -> str:
    return format_date(day, "d MMMM", locale="nl")


def round_purpose(vote_start: date, vote_last_day: date, budget_text: str) -> str:
    """The sample round's purpose, written from its voting dates (never a fixed month)."""
    return (
        "Wat pakken we het komende jaar samen op? De ideeën zijn binnen; kies van "
        f"{_day_text(vote_start)} tot en met {_day_text(vote_last_day)} welke we met het "
        f"dorpsbudget van {budget_text} uitvoeren."
    )


def add_sample_round(village: Village, *, participants: int = 40, seed: int = 7) -> dict[str, Any]:
    """A participation round in its voting phase: ideas came in and were supported over the
    past weeks, the shortlist has costs within a budget, and the vote is open until two weeks
    from today, with some ballots already cast."""
    from vliegwiel.rounds.ballots import cast_ballot
    from vliegwiel.rounds.ideas import set_shortlist, submit_idea, support
    from vliegwiel.rounds.model import (
        ROUNDS,
        create_round,
        get_round,
        last_day,
        parse_day,
        participant_hash,
    )
    from vliegwiel.rounds.voting import money

    rng = random.Random(f"{seed}-round")
    now = datetime.now(UTC)

    def day(offset: int) -> datetime:
        return parse_day((now + timedelta(days=offset)).date().isoformat())

    vote_start, vote_end = day(-3), day(15)
    record = create_round(
        village.storage,
        title="Samen aan de slag in Achterveld",
        theme="algemeen",
        purpose=round_purpose(vote_start.date(), last_day(vote_end), money(DEMO_BUDGET)),
        phases=[
            {"kind": "ideas", "start": day(-31).isoformat(), "end": vote_start.isoformat()},
            {"kind": "prioritise", "start": vote_start.isoformat(), "end": vote_end.isoformat()},
            {"kind": "commit", "start": vote_end.isoformat(), "end": day(29).isoformat()},
            {"kind": "results", "start": day(29).isoformat(), "end": None},
        ],
        settings={"method": "equal_shares", "budget": DEMO_BUDGET},
        now=day(-35),
    )
    village.storage.update(ROUNDS, record["id"], {"scheduled": True})
    record = get_round(village.storage, record["id"])
    in_ideas = day(-20)
    ideas = [
        submit_idea(
            village.storage,
            record,
            title=title,
            description=text,
            wants_to_help=rng.random() < 0.5,
            participant=participant_hash(record["id"], f"demo-{n}"),
            now=in_ideas,
        )
        for n, (title, text, _cost) in enumerate(_SAMPLE_IDEAS)
    ]
    for n in range(participants):
        who = participant_hash(record["id"], f"demo-{n}")
        for idea in rng.sample(ideas, rng.randint(1, 3)):
            if idea["participant"] != who:
                support(village.storage, record, idea["id"], participant=who, now=in_ideas)
    set_shortlist(
        village.storage,
        record["id"],
        [
            (idea["id"], n, cost)
            for n, (idea, (*_, cost)) in enumerate(zip(ideas, _SAMPLE_IDEAS, strict=True), 1)
        ],
        locked_by_votes=False,
        budget_round=True,
    )
    costs = [cost for *_, cost in _SAMPLE_IDEAS]
    for n in range(participants // 2):  # half the village voted so far
        ballot, spent = [], 0
        for index in rng.sample(range(len(ideas)), len(ideas)):
            if rng.random() < _POPULARITY[index] and spent + costs[index] <= DEMO_BUDGET:
                ballot.append(ideas[index]["id"])
                spent += costs[index]
        if ballot:
            cast_ballot(
                village.storage,
                record,
                ballot,
                participant=participant_hash(record["id"], f"demo-voter-{n}"),
                now=now,
            )
    return get_round(village.storage, record["id"])


def _rewrite_config(instance_dir: Path, pattern: str, replacement: str, what: str) -> None:
    """Replace the first line of the demo's vliegwiel.toml that matches ``pattern``."""
    path = Path(instance_dir) / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    updated, found = re.subn(pattern, replacement, text, count=1, flags=re.M)
    if not found:
        raise ValueError(f"{path} has no {what} setting to fill in")
    # Whole or not at all, and readable by the owner only: the file holds the secret key.
    tmp = path.with_suffix(".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(updated)
    tmp.replace(path)


def set_households(instance_dir: Path, households: int = DEMO_HOUSEHOLDS) -> None:
    """Write ``[village] households`` into the demo's vliegwiel.toml, so its reports show a
    response rate (init leaves the setting commented out)."""
    _rewrite_config(
        instance_dir, r"^#?\s*households\s*=.*$", f"households = {households}", "households"
    )


def set_demo_address(instance_dir: Path, host: str, port: int) -> None:
    """The demo's letters print the address it serves on, even a loopback one."""
    shown = host if host not in ("0.0.0.0", "::", "") else _lan_address()
    if ":" in shown:
        shown = f"[{shown}]"
    _rewrite_config(
        instance_dir,
        r"^# base_url = .*$",
        f'base_url = "http://{shown}:{port}"\n'
        "# The demo prints letters for its own address, even one only this computer reaches.\n"
        "allow_local_base_url = true",
        "base_url",
    )


def _lan_address() -> str:
    """This computer's address on the local network (no packet is sent), else 127.0.0.1."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, nothing is sent
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
