"""Codes in the web app: the resident's code page, single use across web and paper,
anonymity of stored responses, throttling, and the ambassadors' data entry."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from access_helpers import add_survey, answer_online, enter_code, text_of

from vliegwiel.reach.codes import (
    Household,
    code_hash,
    codes_collection,
    create_codes,
    normalise_code,
)
from vliegwiel.surveys.responses import responses_collection


@pytest.fixture
def code_app(instance_dir, make_app):
    add_survey(instance_dir, "buurt", access="code", anonymous=True)
    add_survey(instance_dir, "gekoppeld", access="code", anonymous=False)
    add_survey(instance_dir, "open", access="open")
    return make_app()


@pytest.fixture
def village(code_app):
    return code_app.extensions["vliegwiel"]


def new_code(village, survey_id="buurt", **kw) -> str:
    households = [Household("Kerkstraat", "1", "1234 AB")]
    return create_codes(village.storage, village.config.secret_key, survey_id, households, **kw)[
        0
    ].code


def enter_paper(client, survey_id, code, **answers):
    data = {"household_code": code, "tevreden": "ja", **answers}
    return client.post_form(f"/beheer/enquete/{survey_id}/invoer", data)


def test_a_code_survey_asks_for_the_code_first(code_app):
    response = code_app.test_client().get("/enquete/buurt/pagina/1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/code/buurt")


def test_the_qr_link_fills_in_the_code(code_app, village):
    code = new_code(village)
    page = code_app.test_client().get(f"/code/buurt?c={code.replace('-', '')}")
    assert page.status_code == 200
    assert f'value="{code.replace("-", "")}"' in page.get_data(as_text=True)


def test_a_code_answers_once_online_and_is_then_refused_on_paper(code_app, village):
    code = new_code(village)
    resident = code_app.test_client()
    assert enter_code(resident, code.lower().replace("-", " ")).status_code == 302
    done = answer_online(resident)
    assert done.status_code == 302 and done.headers["Location"].endswith("/bedankt")

    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    refused = enter_paper(ambassador, "buurt", code)
    assert refused.status_code == 400
    assert "al gebruikt" in text_of(refused)
    assert village.storage.count(responses_collection("buurt")) == 1

    again = code_app.test_client()
    second = enter_code(again, code)
    assert second.status_code == 400 and "al gebruikt" in text_of(second)


def test_a_code_used_on_paper_is_refused_online(code_app, village):
    code = new_code(village)
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    saved = enter_paper(ambassador, "buurt", code)
    assert saved.status_code == 302
    [record] = village.storage.all(responses_collection("buurt"))
    assert record["channel"] == "paper"
    assert record["answers"] == {"tevreden": "ja"}

    resident = code_app.test_client()
    refused = enter_code(resident, code)
    assert refused.status_code == 400
    assert "al gebruikt" in text_of(refused)
    assert "Vraag hulp" in text_of(refused)
    # The same code keyed in a second time is refused too: a duplicate paper form.
    twice = enter_paper(ambassador, "buurt", code)
    assert twice.status_code == 400 and "dubbel" in text_of(twice)


def test_paper_entered_while_a_resident_is_answering_wins_without_a_crash(code_app, village):
    code = new_code(village)
    resident = code_app.test_client()
    enter_code(resident, code)
    resident.post_form("/enquete/buurt/pagina/1", {"tevreden": "nee", "action": "next"})
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    assert enter_paper(ambassador, "buurt", code).status_code == 302
    late = resident.get("/enquete/buurt/controle")
    assert late.status_code == 302 and late.headers["Location"].endswith("/code/buurt")
    follow = resident.get(late.headers["Location"])
    assert "al gebruikt" in text_of(follow)
    assert village.storage.count(responses_collection("buurt")) == 1


def _everything_stored(village) -> str:
    data_dir = village.storage.data_dir
    return "\n".join(p.read_text() for p in sorted(data_dir.rglob("*.json")))


def test_anonymous_responses_hold_nothing_that_links_them_to_a_code(code_app, village):
    web_code, paper_code = new_code(village), new_code(village)
    resident = code_app.test_client()
    enter_code(resident, web_code)
    answer_online(resident)
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    assert enter_paper(ambassador, "buurt", paper_code).status_code == 302

    responses = village.storage.all(responses_collection("buurt"))
    codes = village.storage.all(codes_collection("buurt"))
    assert len(responses) == 2 and all(c["used"] for c in codes)
    secret = village.config.secret_key
    for code in (web_code, paper_code):
        needles = [code, normalise_code(code), code_hash(secret, "buurt", code)]
        for response in responses:
            dumped = json.dumps(response)
            assert not any(n in dumped for n in needles)
    for response in responses:
        assert set(response) == {
            "id",
            "survey_id",
            "survey_version",
            "submitted_at",
            "channel",
            "answers",
            "indicators",
        }
    for record in codes:
        # No time, no channel, no response id: nothing to join the two collections on.
        assert set(record) == {"id", "street", "batch", "created_on", "expires_on", "used"}
        dumped = json.dumps(record)
        assert not any(r["id"] in dumped or r["submitted_at"] in dumped for r in responses)
    # And no plain code anywhere in the data folder.
    everything = _everything_stored(village)
    assert web_code not in everything and normalise_code(web_code) not in everything


def test_linked_mode_keeps_a_reference_to_the_code(code_app, village):
    code = new_code(village, "gekoppeld")
    resident = code_app.test_client()
    enter_code(resident, code, "gekoppeld")
    answer_online(resident, "gekoppeld")
    [response] = village.storage.all(responses_collection("gekoppeld"))
    key = code_hash(village.config.secret_key, "gekoppeld", code)
    assert response["access_code"] == key
    record = village.storage.get(codes_collection("gekoppeld"), key)
    assert record["used"] and record["channel"] == "web"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("K7PM-4XQD", "12 tekens"),
        ("K7PM-4XQD-93H!", "12 tekens"),
        ("ZZZZ-ZZZZ-ZZZZ", "kennen we niet"),
        ("", "12 tekens"),
    ],
)
def test_wrong_codes_get_a_friendly_dutch_message(code_app, typed, message):
    response = enter_code(code_app.test_client(), typed)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and "Vraag hulp" in page
    assert "Traceback" not in page


def test_an_expired_code_says_so(code_app, village):
    code = new_code(village, expires_on=date.today() - timedelta(days=1))
    response = enter_code(code_app.test_client(), code)
    assert response.status_code == 400 and "verlopen" in text_of(response)


def test_guessing_codes_is_throttled_per_ip(code_app):
    code_app.config["ACCESS_FAILURES_PER_IP"] = 3
    for _ in range(3):
        # Fresh clients: a guesser who throws away cookies still shares the IP address.
        assert enter_code(code_app.test_client(), "ZZZZ-ZZZZ-ZZZZ").status_code == 400
    blocked = enter_code(code_app.test_client(), "ZZZZ-ZZZZ-ZZZY")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "te veel verkeerde codes" in text_of(blocked)


def test_guessing_codes_is_throttled_per_session_and_typos_do_not_count(code_app):
    code_app.config["ACCESS_FAILURES_PER_SESSION"] = 2
    client = code_app.test_client()
    for _ in range(5):
        assert enter_code(client, "K7PM").status_code == 400  # mistyped: not a guess
    enter_code(client, "ZZZZ-ZZZZ-ZZZZ")
    enter_code(client, "ZZZZ-ZZZZ-ZZZY")
    assert enter_code(client, "ZZZZ-ZZZZ-ZZZX").status_code == 429
    assert enter_code(code_app.test_client(), "ZZZZ-ZZZZ-ZZZW").status_code == 400


def test_data_entry_stores_paper_responses_and_flags_identical_answers(code_app, village):
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    form = ambassador.get("/beheer/enquete/open/invoer")
    html = form.get_data(as_text=True)
    # The household code comes first, and every question of every page is on the one screen.
    assert html.index('name="household_code"') < html.index('name="tevreden"')
    assert 'name="cijfer"' in html and 'name="opmerking"' in html

    data = {"household_code": "", "tevreden": "nee", "vervoer": ["Fiets", "Bus"], "cijfer": "2"}
    assert ambassador.post_form("/beheer/enquete/open/invoer", data).status_code == 302
    # An ambassadeur is not told that such a form exists (that would let them test whether
    # someone answered so): it is saved, flagged for the beheerder.
    again = ambassador.post_form("/beheer/enquete/open/invoer", data)
    assert again.status_code == 302
    stored = village.storage.all(responses_collection("open"))
    assert [r["channel"] for r in stored] == ["paper", "paper"]
    assert stored[0]["answers"] == {"tevreden": "nee", "vervoer": ["Fiets", "Bus"], "cijfer": 2}
    assert stored[1].get("possible_duplicate") is True
    # A beheerder, who sees every response anyway, is warned and asked to confirm.
    beheerder = code_app.test_client()
    beheerder.login("beheerder")
    warned = beheerder.post_form("/beheer/enquete/open/invoer", data)
    assert warned.status_code == 409 and "Mogelijk dubbel" in text_of(warned)
    assert village.storage.count(responses_collection("open")) == 2
    confirmed = beheerder.post_form("/beheer/enquete/open/invoer", {**data, "toch_opslaan": "ja"})
    assert confirmed.status_code == 302
    assert village.storage.count(responses_collection("open")) == 3

    survey_page = ambassador.get("/beheer/enquete/open")
    assert "op papier" in text_of(survey_page)


def test_data_entry_of_a_code_survey_needs_the_code(code_app):
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    missing = enter_paper(ambassador, "buurt", "")
    assert missing.status_code == 400 and "12 tekens" in text_of(missing)
    # What was keyed in stays on the screen, so nothing has to be typed again.
    assert 'value="ja"' in missing.get_data(as_text=True)
    assert "checked" in missing.get_data(as_text=True)


def test_data_entry_saves_a_paper_form_that_skipped_a_required_question(code_app, village):
    # A resident may leave a required question blank on paper; the ambassador must still be
    # able to enter what was written, while the web keeps insisting on an answer.
    ambassador = code_app.test_client()
    ambassador.login("ambassadeur")
    data = {"household_code": "", "cijfer": "4"}
    assert ambassador.post_form("/beheer/enquete/open/invoer", data).status_code == 302
    stored = village.storage.all(responses_collection("open"))
    assert [(r["channel"], r["answers"]) for r in stored] == [("paper", {"cijfer": 4})]
