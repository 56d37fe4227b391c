"""Organiser pages: login, dashboard, first results with small-group protection, status, exports."""

from __future__ import annotations

import html
import re

import pytest
from conftest import PASSWORDS, write_survey

from vliegwiel.surveys.responses import save_response

SURVEY_PAGE = "/beheer/enquete/dorpsenquete"


def add_responses(village, ages: list[str], **more) -> None:
    survey = village.surveys.get("dorpsenquete")
    for age in ages:
        save_response(village, survey, {"leeftijd": age, "prettig_wonen": 7, **more})


def section(page: str, question_id: str) -> str:
    """The visible text of one question's result block."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="resultaat-{question_id}".*?</section>', page, re.S
    )
    assert match, f"no result for {question_id}"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(0)))


def test_pages_need_a_login(client):
    for url in ("/beheer/", SURVEY_PAGE, f"{SURVEY_PAGE}/export.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/beheer/login?next=")


def test_wrong_password_is_refused_with_a_message(client):
    response = client.post_form(
        "/beheer/login", {"username": "beheerder", "password": "niet-het-wachtwoord"}
    )
    assert response.status_code == 400
    assert "Gebruikersnaam of wachtwoord klopt niet." in response.get_data(as_text=True)
    assert client.get("/beheer/").status_code == 302


def test_login_returns_to_the_page_asked_for_but_never_off_site(client):
    response = client.post_form(
        "/beheer/login?next=/beheer/enquete/dorpsenquete",
        {"username": "lezer", "password": PASSWORDS["lezer"]},
    )
    assert response.headers["Location"] == SURVEY_PAGE
    client.post_form("/beheer/logout", {}, page="/beheer/")
    response = client.post_form(
        "/beheer/login?next=//example.org/phish",
        {"username": "lezer", "password": PASSWORDS["lezer"]},
    )
    assert response.headers["Location"] == "/beheer/"


def test_dashboard_counts_responses(client, village):
    add_responses(village, ["45_64"] * 3)
    client.login("ambassadeur")
    body = client.get("/beheer/").get_data(as_text=True)
    row = re.search(
        r'href="/beheer/enquete/dorpsenquete">Dorpsenquête</a></th>(.*?)</tr>', body, re.S
    )
    assert row and re.findall(r">\s*(\w+)\s*<", row.group(1)) == ["open", "3"]


def test_tallies_hide_groups_below_five(client, village):
    add_responses(village, ["45_64"] * 6 + ["tot_25"])
    client.login("beheerder")
    page = client.get(SURVEY_PAGE).get_data(as_text=True)
    assert "7 antwoorden" in page
    leeftijd = section(page, "leeftijd")
    # One young resident answered: that cell, and one that would give it away, are hidden.
    assert "verborgen" in leeftijd
    assert not re.search(r"Jonger dan 25 jaar\W*1\b", leeftijd)
    # Nobody answered woonduur: too few to show anything.
    assert "Te weinig antwoorden om te tonen." in section(page, "woonduur")

    add_responses(village, ["tot_25"] * 5, woonduur=4)
    page = client.get(SURVEY_PAGE).get_data(as_text=True)
    assert "verborgen" not in section(page, "leeftijd")
    assert "Te weinig antwoorden" not in section(page, "woonduur")


def test_beheerder_closes_and_reopens_a_survey(client, village):
    client.login("beheerder")
    response = client.post_form(f"{SURVEY_PAGE}/status", {"status": "closed"}, page=SURVEY_PAGE)
    assert response.status_code == 302
    assert "gesloten" in client.get("/beheer/").get_data(as_text=True)
    resident = client.application.test_client()
    assert resident.get("/enquete/dorpsenquete/pagina/1").status_code == 404
    client.post_form(f"{SURVEY_PAGE}/status", {"status": "open"}, page=SURVEY_PAGE)
    assert resident.get("/enquete/dorpsenquete/pagina/1").status_code == 200


def test_status_change_needs_csrf(client, village):
    client.login("beheerder")
    assert client.post(f"{SURVEY_PAGE}/status", data={"status": "closed"}).status_code == 400
    assert "open" in client.get("/beheer/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["ambassadeur", "lezer"])
def test_only_beheerder_exports_and_changes_status(client, village, role):
    add_responses(village, ["45_64"])
    client.login(role)
    for fmt in ("csv", "json", "codebook.csv"):
        assert client.get(f"{SURVEY_PAGE}/export.{fmt}").status_code == 403
    response = client.post_form(f"{SURVEY_PAGE}/status", {"status": "closed"}, page=SURVEY_PAGE)
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


def test_beheerder_downloads_exports(client, village):
    add_responses(village, ["45_64"])
    client.login("beheerder")
    response = client.get(f"{SURVEY_PAGE}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="dorpsenquete.csv"'
    assert response.get_data(as_text=True).splitlines()[1].count("45_64") == 1
    assert client.get(f"{SURVEY_PAGE}/export.json").json["responses"][0]["answers"]["leeftijd"] == (
        "45_64"
    )
    assert client.get(f"{SURVEY_PAGE}/export.xml").status_code == 404
    assert client.get("/beheer/enquete/bestaat-niet/export.csv").status_code == 404


def test_broken_survey_is_listed_as_unavailable_with_its_errors(instance_dir, client):
    write_survey(
        instance_dir,
        "id: kapot\ntitle: Kapot\npages:\n  - id: p\n    questions:\n"
        "      - {id: q, type: lange_tekst, text: Vraag}\n",
        "kapot.yaml",
    )
    client.login("lezer")
    body = html.unescape(client.get("/beheer/").get_data(as_text=True))
    assert "Niet beschikbaar" in body and "kapot.yaml" in body
    # In Dutch, as the page is.
    assert f"{instance_dir / 'surveys' / 'kapot.yaml'}:6: vraag 'q': onbekend vraagtype" in body
    # The good survey is still listed and works.
    assert "Dorpsenquête" in body
    assert client.get(SURVEY_PAGE).status_code == 200
