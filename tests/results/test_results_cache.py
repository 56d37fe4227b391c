"""Results counted once per version of the data (vliegwiel/results/results_cache.py).

On both backends: a page viewed again counts nothing, and whatever happened in between
(responses added across a bucket boundary, a stored response changed or removed in a full
bucket, a text approved, a new round, a paper form keyed in by another process, a server
restart) the cached results equal a fresh count.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from conftest import VillageClient, instance_on

from vliegwiel.core.config import load_config
from vliegwiel.core.storage_backends import open_storage
from vliegwiel.results import results_cache
from vliegwiel.results.results_json import results_json
from vliegwiel.results.suppression import stepped
from vliegwiel.results.tallies import APPROVED, compute_results, set_text_status, text_items
from vliegwiel.results.waves import start_wave, wave_responses
from vliegwiel.surveys.responses import now, responses_collection, save_response
from vliegwiel.web.app import create_app

SURVEY = "dorpsenquete"
COLLECTION = responses_collection(SURVEY)
AGES = ["tot_25", "25_44", "45_64", "65_79", "80_plus"]


def _answers(n: int) -> dict:
    return {
        "leeftijd": AGES[n % len(AGES)],
        "prettig_wonen": 1 + n % 10,
        "woonduur": n % 40,
        "blijven_wonen": "ja" if n % 3 else "nee",
        "idee": f"Idee nummer {n}",
    }


@pytest.fixture
def instance(tmp_path, database_url):
    return instance_on(tmp_path / "dorp", database_url)


def _app(instance):
    app = create_app(instance, {"TESTING": True})
    app.test_client_class = VillageClient
    return app


def _fresh(village, survey, *, step=None, with_texts=False, breakdown=None) -> dict:
    """What a count from scratch gives, as the results JSON."""
    wave, responses = wave_responses(village, survey)
    if step:
        responses = stepped(responses, step)
    return results_json(
        compute_results(
            village, survey, responses, wave=wave, with_texts=with_texts, breakdown=breakdown
        )
    )


def _check(app, *, expect_count: bool) -> None:
    """Every cached view equals a fresh count; counted again only when the data changed."""
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get(SURVEY)
    k = village.config.min_group_size
    views = [
        {},
        {"step": k},
        {"with_texts": True},
        {"breakdown": "blijven_wonen", "with_texts": True},
    ]
    with app.test_request_context():
        before = results_cache.computed
        for view in views:
            cached = results_cache.cached_results(village, survey, **view)
            assert results_json(cached) == _fresh(village, survey, **view), view
        counted = results_cache.computed - before
        assert counted == (len(views) if expect_count else 0)
        # A second look counts nothing and gives the same object.
        for view in views:
            again = results_cache.cached_results(village, survey, **view)
            assert again is results_cache.cached_results(village, survey, **view)
        assert results_cache.computed - before == counted


def test_cached_results_equal_a_fresh_count_after_every_kind_of_write(instance) -> None:
    app = _app(instance)
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get(SURVEY)
    storage = village.storage
    results_cache.clear()

    storage.insert_many(COLLECTION, [_record(n) for n in range(97)])
    _check(app, expect_count=True)
    _check(app, expect_count=False)

    # Across the first bucket's end (100 records per TinyDB bucket), one response at a time.
    for n in range(97, 104):
        save_response(village, survey, _answers(n))
        _check(app, expect_count=True)
    assert storage.count(COLLECTION) == 104
    # Memory: one kept result per view, not one per version seen.
    assert results_cache.size() == 4

    first = storage.all(COLLECTION)
    # A stored response changed, then one removed, both in the full first bucket.
    storage.update(COLLECTION, first[2]["id"], {"answers": _answers(4)})
    _check(app, expect_count=True)
    assert storage.delete(COLLECTION, first[5]["id"])
    _check(app, expect_count=True)

    # A text approved: the results with texts show it.
    with app.test_request_context():
        item = text_items(village, survey, storage.all(COLLECTION))[0]
    set_text_status(storage, SURVEY, item.key, APPROVED)
    _check(app, expect_count=True)
    with app.test_request_context():
        shown = results_cache.cached_results(village, survey, with_texts=True)
        idee = next(q for q in shown.questions if q.question.id == "idee")
        assert item.text in idee.texts

    # A new round: the latest round has no responses yet. It starts a second after the
    # last write: a response of the same second (times are whole seconds) would count in it.
    later = (datetime.fromisoformat(now()) + timedelta(seconds=1)).isoformat()
    start_wave(storage, SURVEY, "2027", at=later)
    _check(app, expect_count=True)
    with app.test_request_context():
        assert results_cache.cached_results(village, survey).respondents == 0


def _record(n: int) -> dict:
    """A stored response as save_response makes it, without the hooks (fast set-up)."""
    return {
        "answers": _answers(n),
        "channel": "paper" if n % 4 == 0 else "web",
        "submitted_at": now(),
        "indicators": {},
    }


def _page(client, url: str) -> str:
    """The page without what differs on every render (form tokens, the charts' random ids)."""
    html = client.get(url).get_data(as_text=True)
    html = re.sub(r"chart-[0-9a-f]{8}-[0-9a-f-]{27}", "chart-id", html)
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


def test_pages_show_a_paper_form_keyed_in_by_another_process_and_survive_a_restart(
    instance,
) -> None:
    """The organiser pages read the cache; a write through another store object (the
    command line keying in paper forms) and a restarted server both give fresh counts."""
    app = _app(instance)
    village = app.extensions["vliegwiel"]
    survey = village.surveys.get(SURVEY)
    for n in range(12):
        save_response(village, survey, _answers(n))
    results_cache.clear()
    client = app.test_client()
    client.login("beheerder")
    urls = [f"/beheer/uitslag/{SURVEY}", f"/beheer/enquete/{SURVEY}"]
    first = [_page(client, url) for url in urls]
    counted = results_cache.computed
    assert [_page(client, url) for url in urls] == first
    assert results_cache.computed == counted  # viewed again: nothing counted

    # Another process keys in a paper form: its own store object, its own village.
    other = open_storage(load_config(instance))
    assert "12 antwoorden" in first[1]
    other.insert(COLLECTION, {**_record(99), "channel": "paper"})
    after = [_page(client, url) for url in urls]
    assert after[0] != first[0]
    assert "13 antwoorden" in after[1]
    results_cache.clear()
    assert [_page(client, url) for url in urls] == after  # equal to a fresh count

    # A restart: a new app (and village) on the same data shows the same pages.
    restarted = _app(instance).test_client()
    restarted.login("beheerder")
    assert [_page(restarted, url) for url in urls] == after
