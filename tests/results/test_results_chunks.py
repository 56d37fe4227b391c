"""Results added up per storage chunk (results_cache._added_up, tallies.RawTally).

On both backends: after responses added across a bucket boundary, one changed and one removed
inside a full bucket, a paper form keyed in by another store object, a new round and a
restart, the results added up per chunk equal a fresh count of every response; after one new
response only the chunk it went to is counted again. Also: every built-in question type
tallies from counted answers exactly as from the list of answers.
"""

from __future__ import annotations

import math
import random

import pytest
from conftest import instance_on

from vliegwiel.core.config import load_config
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.results import results_cache
from vliegwiel.results.results_json import results_json
from vliegwiel.results.tallies import (
    APPROVED,
    compute_results,
    needs_responses,
    set_text_status,
    text_items,
)
from vliegwiel.results.waves import FIRST, start_wave, wave_responses
from vliegwiel.surveys.question_types import number_stats, number_stats_counted
from vliegwiel.surveys.responses import now, responses_collection
from vliegwiel.web.app import create_app

SURVEY = "dorpsenquete"
COLLECTION = responses_collection(SURVEY)


@pytest.fixture
def instance(tmp_path, database_url):
    return instance_on(tmp_path / "dorp", database_url)


def _record(village, rng: random.Random) -> dict:
    """A varied stored response: every question answered as the demo data would (other
    texts, matrices, rankings, numbers), some left open."""
    survey = village.surveys.get(SURVEY)
    answers = {}
    for question in survey.questions():
        qtype = village.question_types[question.type]
        if not qtype.answers or rng.random() < 0.1:
            continue
        answer = qtype.sample(question, rng)
        if answer is not None:
            answers[question.id] = answer
    if rng.random() < 0.5:
        answers["idee"] = rng.choice(["Een bankje", "een bankje", f"Idee {rng.randint(0, 999)}"])
    return {
        "answers": answers,
        "channel": rng.choice(["web", "web", "paper"]),
        "submitted_at": now(),
        "indicators": {},
    }


VIEWS = [
    {},
    {"with_texts": True},
    {"breakdown": "blijven_wonen"},
    {"breakdown": "huishouden", "with_texts": True},
]


def _check(app) -> None:
    """Every view added up per chunk equals a fresh count of the round's responses."""
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get(SURVEY)
    with app.test_request_context():
        for view in VIEWS:
            added = results_cache.cached_results(village, survey, **view)
            wave, responses = wave_responses(village, survey)
            fresh = compute_results(village, survey, responses, wave=wave, **view)
            assert results_json(added) == results_json(fresh), view
            assert added.respondents == len(responses)


def _counted_after(app, write) -> int:
    """How many chunks one page view counts after ``write``."""
    village = app.extensions["vliegwiel"]
    write()
    before = results_cache.chunks_counted
    with app.test_request_context():
        results_cache.cached_results(village, village.surveys.get(SURVEY))
    return results_cache.chunks_counted - before


def test_added_up_per_chunk_equals_a_fresh_count_after_every_kind_of_write(
    instance, database_url
) -> None:
    app = create_app(instance, {"TESTING": True})
    village = app.extensions["vliegwiel"]
    storage = village.storage
    survey = village.surveys.get(SURVEY)
    rng = random.Random(12)
    results_cache.clear()
    with app.test_request_context():
        # Plugin summaries are not this survey's concern, weighting is off: added up.
        assert not needs_responses(village, survey)

    # Up to just below a chunk's end: 100 records per TinyDB bucket, 1,000 per PostgreSQL
    # chunk (postgres_storage.CHUNK_SIZE).
    storage.insert_many(COLLECTION, [_record(village, rng) for _ in range(995)])
    _check(app)
    # One at a time across that chunk's end.
    for _ in range(8):
        counted = _counted_after(app, lambda: storage.insert(COLLECTION, _record(village, rng)))
        # Only the chunk the response went to is counted again.
        assert counted == 1
        _check(app)
    chunks = storage.chunks(COLLECTION)
    assert len(chunks) == (2 if database_url else 11)
    read = [r for key, _version in chunks for r in storage.chunk(COLLECTION, key)[1]]
    assert read == storage.all(COLLECTION) and len(read) == 1003

    first = storage.all(COLLECTION)
    # Changed and removed inside the full first bucket: that bucket is counted again.
    assert _counted_after(
        app, lambda: storage.update(COLLECTION, first[3]["id"], _record(village, rng))
    ) == 1
    _check(app)
    assert _counted_after(app, lambda: storage.delete(COLLECTION, first[50]["id"])) == 1
    _check(app)

    # A paper form keyed in by another process (its own store object).
    other = open_storage(load_config(instance))
    other.insert(COLLECTION, {**_record(village, rng), "channel": "paper"})
    _check(app)
    other.update(COLLECTION, first[10]["id"], {"channel": "paper"})
    _check(app)

    # Approved texts, including one of a response in a full bucket.
    with app.test_request_context():
        items = text_items(village, survey, storage.all(COLLECTION))
    for item in (items[0], items[-1]):
        set_text_status(storage, SURVEY, item.key, APPROVED)
    _check(app)

    # Viewed again: nothing counted.
    assert _counted_after(app, lambda: None) == 0

    # A restart: a new app (and village) on the same data counts every chunk once.
    restarted = create_app(instance, {"TESTING": True})
    _check(restarted)

    # A new round: the latest round starts empty, the first is still there.
    start_wave(storage, SURVEY, "2027", at="9999-01-01T00:00:00+00:00")
    _check(app)
    with app.test_request_context():
        assert results_cache.cached_results(village, survey).respondents == 0
        added = results_cache.cached_results(village, survey, wave=FIRST)
        fresh = compute_results(village, survey, storage.all(COLLECTION), wave=FIRST)
        assert results_json(added) == results_json(fresh)


def test_every_builtin_type_tallies_the_same_from_counts(instance) -> None:
    """``tally_counted`` of (answer, count) pairs equals ``tally`` of the repeated answers."""
    app = create_app(instance, {"TESTING": True})
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get(SURVEY)
    rng = random.Random(7)
    with app.test_request_context():
        for question in survey.questions():
            qtype = village.question_types[question.type]
            if not qtype.answers:
                continue
            answers = [qtype.sample(question, rng) for _ in range(300)]
            answers = [a for a in answers if a is not None]  # open answers are not stored
            answers = answers or ["Een bankje", "een bankje", "Meer bussen"]  # free texts
            answers += [answers[0], answers[1], answers[0]]
            counted: dict[str, list] = {}
            for answer in answers:
                counted.setdefault(repr(answer), [answer, 0])[1] += 1
            direct = qtype.tally(question, answers)
            from_counts = qtype.tally_counted(question, [(a, n) for a, n in counted.values()])
            direct.texts.sort()
            from_counts.texts.sort()
            assert from_counts == direct, question.id


def test_number_stats_from_counts_are_exact() -> None:
    """Mean, median, minimum, maximum and standard deviation to the last bit, whatever the
    order or the kinds of the values (1, 1.0 and True; 0.0 and -0.0)."""
    rng = random.Random(3)
    for trial in range(2000):
        pool = [rng.randint(-5, 50), rng.uniform(-1e6, 1e6), rng.random() * 1e-300]
        pool += [1, 1.0, True, 0, 0.0, -0.0, round(rng.random(), 1)]
        values = [rng.choice(pool) for _ in range(rng.randint(1, 40))]
        counted: dict[tuple, list] = {}
        for value in values:
            key = (type(value), value, math.copysign(1, value))
            counted.setdefault(key, [value, 0])[1] += 1
        expected = number_stats(values)
        rng.shuffle(values)
        assert repr(number_stats(values)) == repr(expected)  # arrival order does not matter
        pairs = [(v, n) for v, n in counted.values()]
        assert repr(number_stats_counted(pairs)) == repr(expected), (trial, values)
