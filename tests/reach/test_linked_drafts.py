"""Linked mode: the code carries the draft, so a household continues on another device;
anonymous code surveys keep drafts per browser, tied to nothing."""

from __future__ import annotations

import re

import pytest
from access_helpers import add_survey, enter_code, text_of
from conftest import csrf_token
from itsdangerous import URLSafeSerializer

from vliegwiel.reach.codes import Household, code_hash, create_codes
from vliegwiel.surveys.responses import now, responses_collection
from vliegwiel.surveys.views_resident import DRAFT_COOKIE


@pytest.fixture
def code_app(instance_dir, make_app):
    add_survey(instance_dir, "buurt", access="code", anonymous=True)
    add_survey(instance_dir, "gekoppeld", access="code", anonymous=False)
    return make_app()


@pytest.fixture
def village(code_app):
    return code_app.extensions["vliegwiel"]


def new_code(village, survey_id: str) -> str:
    households = [Household("Kerkstraat", "1", "1234 AB")]
    return create_codes(village.storage, village.config.secret_key, survey_id, households)[0].code


def resume_link(client, survey_id: str) -> str | None:
    found = re.search(
        r'href="([^"]+)"[^>]*>\s*Verder waar u was',
        client.get(f"/enquete/{survey_id}").get_data(as_text=True),
    )
    return found.group(1) if found else None


def test_the_same_code_continues_the_draft_on_another_device(code_app, village):
    code = new_code(village, "gekoppeld")
    device_a = code_app.test_client()
    enter_code(device_a, code, "gekoppeld")
    first = device_a.post_form(
        "/enquete/gekoppeld/pagina/1", {"tevreden": "nee", "vervoer": "Bus", "action": "next"}
    )
    assert first.headers["Location"].endswith("/enquete/gekoppeld/pagina/2")

    # Device B: a separate browser (no cookies shared), same code typed differently.
    device_b = code_app.test_client()
    entered = enter_code(device_b, code.lower().replace("-", " "), "gekoppeld")
    assert entered.headers["Location"].endswith("/enquete/gekoppeld")
    intro = text_of(device_b.get("/enquete/gekoppeld"))
    assert "ook op een ander apparaat" in intro
    assert resume_link(device_b, "gekoppeld") == "/enquete/gekoppeld/pagina/2"
    back = device_b.get("/enquete/gekoppeld/pagina/1").get_data(as_text=True)
    assert re.search(r'value="nee"[^>]*checked', back)
    assert re.search(r'value="Bus"[^>]*checked', back)

    device_b.post_form("/enquete/gekoppeld/pagina/2", {"cijfer": "4", "action": "next"})
    # Device A opens the review page too (same shared draft) and leaves it open.
    open_tab = device_a.get("/enquete/gekoppeld/controle")
    assert "Welk cijfer" in text_of(open_tab) and "4" in text_of(open_tab)
    token = csrf_token(open_tab.get_data(as_text=True))
    done = device_b.post_form("/enquete/gekoppeld/controle", {})
    assert done.headers["Location"].endswith("/bedankt")
    [response] = village.storage.all(responses_collection("gekoppeld"))
    assert response["answers"] == {"tevreden": "nee", "vervoer": ["Bus"], "cijfer": 4}
    assert village.storage.count("drafts") == 0  # the shared draft went with the response

    # Device A still has the review page open: sending again is refused, nothing is saved.
    again = device_a.post("/enquete/gekoppeld/controle", data={"csrf_token": token})
    assert again.status_code == 302 and again.headers["Location"].endswith("/code/gekoppeld")
    assert "al gebruikt" in text_of(device_a.get(again.headers["Location"]))
    assert village.storage.count(responses_collection("gekoppeld")) == 1
    assert village.storage.count("drafts") == 0


def test_the_shared_draft_holds_no_code_and_no_code_hash(code_app, village):
    code = new_code(village, "gekoppeld")
    device = code_app.test_client()
    enter_code(device, code, "gekoppeld")
    device.post_form("/enquete/gekoppeld/pagina/1", {"tevreden": "ja", "action": "next"})
    [draft] = village.storage.all("drafts")
    stored = repr(draft)
    key = code_hash(village.config.secret_key, "gekoppeld", code)
    assert key not in stored and code not in stored and code.replace("-", "") not in stored
    # The code, not the browser, holds it: no draft cookie is set in linked mode.
    assert device.get_cookie(DRAFT_COOKIE) is None


def test_two_codes_on_one_device_keep_two_drafts(code_app, village):
    first, second = new_code(village, "gekoppeld"), new_code(village, "gekoppeld")
    shared_pc = code_app.test_client()
    enter_code(shared_pc, first, "gekoppeld")
    shared_pc.post_form("/enquete/gekoppeld/pagina/1", {"tevreden": "nee", "action": "next"})
    enter_code(shared_pc, second, "gekoppeld")
    # The neighbour's code on the same computer starts empty: drafts belong to codes.
    assert resume_link(shared_pc, "gekoppeld") is None
    assert "checked" not in shared_pc.get("/enquete/gekoppeld/pagina/1").get_data(as_text=True)


def test_an_anonymous_code_survey_keeps_drafts_per_browser(code_app, village):
    code = new_code(village, "buurt")
    device_a = code_app.test_client()
    enter_code(device_a, code, "buurt")
    device_a.post_form("/enquete/buurt/pagina/1", {"tevreden": "nee", "action": "next"})
    assert device_a.get_cookie(DRAFT_COOKIE) is not None
    assert "ander apparaat" not in text_of(device_a.get("/enquete/buurt"))

    device_b = code_app.test_client()
    assert enter_code(device_b, code, "buurt").status_code == 302
    assert resume_link(device_b, "buurt") is None
    assert "checked" not in device_b.get("/enquete/buurt/pagina/1").get_data(as_text=True)
    # Device A still finds its own draft.
    assert resume_link(device_a, "buurt") == "/enquete/buurt/pagina/2"


def test_a_browser_draft_from_before_is_moved_under_the_code(code_app, village):
    code = new_code(village, "gekoppeld")
    started = now()
    village.storage.insert(
        "drafts",
        {
            "id": "oud-concept",
            "survey_id": "gekoppeld",
            "answers": {"tevreden": "ja"},
            "resume": 2,
            "test": False,
            "created_at": started,
            "updated_at": started,
        },
    )
    device = code_app.test_client()
    cookie = URLSafeSerializer(code_app.secret_key, salt="vliegwiel-drafts")
    device.set_cookie(DRAFT_COOKIE, cookie.dumps({"gekoppeld": "oud-concept"}))
    enter_code(device, code, "gekoppeld")
    assert resume_link(device, "gekoppeld") == "/enquete/gekoppeld/pagina/2"
    device.post_form("/enquete/gekoppeld/pagina/2", {"cijfer": "3", "action": "next"})
    [draft] = village.storage.all("drafts")
    assert draft["id"] != "oud-concept" and draft["created_at"] == started
    assert draft["answers"] == {"tevreden": "ja", "cijfer": 3}
    assert device.get_cookie(DRAFT_COOKIE) is None
    # And another device with the code now finds it.
    other = code_app.test_client()
    enter_code(other, code, "gekoppeld")
    assert resume_link(other, "gekoppeld") == "/enquete/gekoppeld/controle"
