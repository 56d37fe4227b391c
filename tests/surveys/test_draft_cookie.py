"""Drafts kept as promised: 30 days, across a browser restart, by a cookie holding only ids."""

from __future__ import annotations

from conftest import VillageClient
from test_resident_flow import BASE, page

from vliegwiel.surveys.views_resident import DRAFT_COOKIE

THIRTY_DAYS = 30 * 24 * 3600


def restarted(client: VillageClient) -> VillageClient:
    """The same browser after a restart: cookies with an expiry survive, session cookies not."""
    fresh = client.application.test_client()
    kept = client.get_cookie(DRAFT_COOKIE)
    if kept is not None:
        fresh.set_cookie(DRAFT_COOKIE, kept.value)
    return fresh


def test_the_draft_cookie_lasts_thirty_days_and_holds_no_answers(client, village):
    response = client.post_form(page(1), {"leeftijd": "tot_25", "woonduur": "3"})
    header = next(h for h in response.headers.getlist("Set-Cookie") if DRAFT_COOKIE in h)
    assert f"Max-Age={THIRTY_DAYS}" in header
    assert "HttpOnly" in header and "SameSite=Lax" in header
    value = client.get_cookie(DRAFT_COOKIE).value
    assert "tot_25" not in value and "leeftijd" not in value
    (draft,) = village.storage.all("drafts")
    assert draft["answers"]["leeftijd"] == "tot_25"


def test_a_draft_survives_a_browser_restart(client, village):
    client.post_form(page(1), {"leeftijd": "tot_25", "woonduur": "3"})
    client.post_form(page(2), {"prettig_wonen": "9"})

    after_restart = restarted(client)
    assert after_restart.get_cookie("vliegwiel") is None  # the session cookie is gone
    intro = after_restart.get(BASE).get_data(as_text=True)
    assert "Verder waar u was" in intro
    body = after_restart.get(page(1)).get_data(as_text=True)
    assert 'value="tot_25" checked' in body and 'value="3"' in body
    # Going on after the restart updates the same draft, not a new one.
    after_restart.post_form(page(2), {"prettig_wonen": "7"})
    (draft,) = village.storage.all("drafts")
    assert draft["answers"]["prettig_wonen"] == 7


def test_a_tampered_draft_cookie_is_ignored(client, village):
    client.post_form(page(1), {"leeftijd": "tot_25", "woonduur": "3"})
    forged = client.application.test_client()
    forged.set_cookie(DRAFT_COOKIE, client.get_cookie(DRAFT_COOKIE).value[:-3] + "abc")
    response = forged.get(page(1))
    assert response.status_code == 200
    assert "checked" not in response.get_data(as_text=True)


def test_sending_forgets_the_draft_in_the_cookie(client, village):
    from test_resident_flow import answer_example_survey

    answer_example_survey(client)
    response = client.post_form(f"{BASE}/controle", {})
    assert response.status_code == 302
    assert village.storage.count("drafts") == 0
    assert client.get_cookie(DRAFT_COOKIE) is None
    assert "Verder waar u was" not in restarted(client).get(BASE).get_data(as_text=True)
