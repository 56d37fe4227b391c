"""The team's survey cycle in a real Chromium: concept, test (answers not counted), open, a
resident answers, close."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from vliegwiel.surveys.responses import responses_of, trial_responses_collection
from vliegwiel.surveys.status import CONCEPT, set_status

from .flows import EXAMPLE, answer_example_survey, answer_pages, log_in, send
from .live import DESKTOP, LiveServer, new_context


def status_button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("status").first).to_be_visible()


def test_the_team_tests_opens_and_closes_a_survey(
    browser: Browser, page: Page, live_server: LiveServer
):
    village = live_server.village
    set_status(village.storage, EXAMPLE, CONCEPT)  # as `vliegwiel init` leaves it
    team = new_context(browser, live_server, viewport=DESKTOP).new_page()
    log_in(team)
    expect(team.get_by_role("row", name="Dorpsenquête")).to_contain_text("concept")

    # A concept does not exist for residents.
    page.goto("/")
    expect(page.get_by_role("link", name="Dorpsenquête")).to_have_count(0)
    assert page.goto(f"/enquete/{EXAMPLE}").status == 404

    team.get_by_role("link", name="Dorpsenquête").click()
    expect(team.get_by_text("Concept: de enquête wordt voorbereid")).to_be_visible()
    status_button(team, "In test zetten")
    expect(team.get_by_text("Status: test")).to_be_visible()

    # The team answers through the real pages, with a visible test notice.
    team.get_by_role("link", name="Zelf testen zoals een bewoner").click()
    expect(team.get_by_text("Testmodus.")).to_be_visible()
    team.get_by_role("link", name="Begin de enquête").click()
    answer_pages(team)
    send(team)
    expect(team.get_by_text("Dit was een testantwoord")).to_be_visible()
    assert page.goto(f"/enquete/{EXAMPLE}").status == 404  # still hidden from residents

    team.get_by_role("link", name="Terug naar de enquête in het beheer").click()
    summary = team.locator("h1 + p")
    expect(summary).to_contain_text("0 antwoorden")
    expect(team.get_by_text("1 testantwoord, apart bewaard; telt niet mee.")).to_be_visible()
    status_button(team, "Nu openen")
    expect(team.get_by_text("Status: open")).to_be_visible()

    answer_example_survey(page)  # a resident, from the home page
    team.reload()
    expect(summary).to_contain_text("1 antwoord ")
    assert len(responses_of(village, EXAMPLE)) == 1
    assert len(village.storage.all(trial_responses_collection(EXAMPLE))) == 1

    status_button(team, "Enquête sluiten")
    expect(team.get_by_text("Status: gesloten")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name="Dorpsenquête")).to_have_count(0)
    expect(page.get_by_text("Er zijn op dit moment geen open enquêtes.")).to_be_visible()
