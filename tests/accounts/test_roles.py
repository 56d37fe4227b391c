"""What each organiser role may open, and login throttling."""

from __future__ import annotations

import pytest
from conftest import PASSWORDS

SURVEY = "/beheer/enquete/dorpsenquete"
# page -> roles that may open it; everyone else logged in gets 403.
PAGES = {
    "/beheer/": {"beheerder", "ambassadeur", "lezer"},
    SURVEY: {"beheerder", "ambassadeur", "lezer"},
    f"{SURVEY}/invoer": {"beheerder", "ambassadeur"},
    f"{SURVEY}/papier.pdf": {"beheerder", "ambassadeur"},
    f"{SURVEY}/codes": {"beheerder"},
    f"{SURVEY}/export.csv": {"beheerder"},
    f"{SURVEY}/export.json": {"beheerder"},
}
ROLES = ("beheerder", "ambassadeur", "lezer")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_its_pages_and_is_refused_the_rest(client, role):
    client.login(role)
    for page, allowed in PAGES.items():
        status = client.get(page).status_code
        assert status == (200 if role in allowed else 403), (role, page, status)


@pytest.mark.parametrize("role", ("ambassadeur", "lezer"))
def test_only_the_beheerder_changes_things(client, role):
    client.login(role)
    assert client.post_form(f"{SURVEY}/status", {}, page="/beheer/").status_code == 403
    refused = client.post_form(f"{SURVEY}/codes", {"count": "3"}, page="/beheer/")
    assert refused.status_code == 403


def test_the_lezer_cannot_enter_paper_forms(client, village):
    client.login("lezer")
    response = client.post_form(f"{SURVEY}/invoer", {"leeftijd": "tot_25"}, page="/beheer/")
    assert response.status_code == 403
    assert village.storage.count("responses/dorpsenquete") == 0


def test_the_ambassadeur_sees_the_entry_links_but_not_codes_or_exports(client):
    client.login("ambassadeur")
    html = client.get(SURVEY).get_data(as_text=True)
    assert f"{SURVEY}/invoer" in html and f"{SURVEY}/papier.pdf" in html
    assert f"{SURVEY}/codes" not in html and "export.csv" not in html


def test_visitors_without_an_account_go_to_the_login_page(client):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302 and "/beheer/login" in response.headers["Location"]


def test_logins_are_throttled_per_ip_and_username(client, app):
    app.config["LOGIN_FAILURES"] = 3
    for _ in range(3):
        wrong = client.post_form(
            "/beheer/login", {"username": "lezer", "password": "fout-fout-fout"}
        )
        assert wrong.status_code == 400
    blocked = client.post_form(
        "/beheer/login", {"username": "lezer", "password": PASSWORDS["lezer"]}
    )
    assert blocked.status_code == 429
    assert "Wacht een kwartier" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked out.
    assert client.login("ambassadeur").status_code == 302
