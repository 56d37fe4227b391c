"""Participation rounds in a real Chromium: submit an idea and support another, vote in a
budget round and read the outcome, with and without JavaScript and with the keyboard only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from vliegwiel.rounds.ballots import stored_ballots
from vliegwiel.rounds.count import wait_for_counts
from vliegwiel.rounds.ideas import all_ideas, support_counts
from vliegwiel.rounds.model import phase

from .flows import round_in_phase, seed_ballots, seed_ideas, tick
from .live import LiveServer, new_context
from .test_resident_browser import assert_focus_visible, press_enter_and_wait, tab_to

IDEA = "Een pluktuin bij het dorpshuis"
OTHER = "Bomen langs de Dorpsstraat"
BUDGET = {"Speeltuin": 600, "Jeu-de-boulesbaan": 500, "Bankjes": 300}


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def resident(request, browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A resident on a phone, once with JavaScript and once without."""
    context = new_context(browser, live_server, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_resident_submits_an_idea_and_supports_another(resident: Page, live_server: LiveServer):
    storage = live_server.village.storage
    record = round_in_phase(storage, "ideas", title="Groener dorp")
    [other] = seed_ideas(storage, record, {OTHER: 0}, supporters=2)

    resident.goto("/rondes")
    resident.get_by_role("link", name="Groener dorp").click()
    resident.get_by_role("link", name="Bekijk de ideeën").click()
    resident.get_by_role("link", name="Stuur een idee in").click()
    expect(heading(resident)).to_have_text("Stuur een idee in")

    # The server, not the browser, says what is missing.
    resident.get_by_role("button", name="Idee insturen").click()
    expect(resident.get_by_role("alert")).to_contain_text("Geef uw idee een titel.")
    assert len(all_ideas(storage, record["id"])) == 1

    resident.get_by_label("Titel").fill(IDEA)
    resident.get_by_label("Beschrijving").fill("Fruitbomen en bessen waar iedereen mag plukken.")
    resident.get_by_label("Thema (niet verplicht)").fill("groen")
    resident.get_by_label("Ik wil hier zelf aan meewerken").check()
    resident.get_by_role("button", name="Idee insturen").click()
    thanks = "Dank u wel! Uw idee staat nu bij de ideeën."
    expect(resident.get_by_role("status")).to_have_text(thanks)
    expect(heading(resident)).to_have_text(IDEA)
    own = resident.get_by_text("0 keer gesteund")
    expect(own).to_contain_text("de indiener wil zelf meewerken")

    # Support someone else's idea: the count goes up by one and the button is gone.
    resident.get_by_role("link", name="Alle ideeën").click()
    resident.get_by_role("link", name=OTHER).click()
    expect(resident.get_by_text("2 keer gesteund")).to_be_visible()
    resident.get_by_role("button", name="Ik steun dit idee").click()
    expect(resident.get_by_role("status")).to_have_text("U steunt dit idee. Dank u wel!")
    expect(resident.get_by_text("3 keer gesteund")).to_be_visible()
    expect(resident.get_by_text("U steunt dit idee.", exact=True)).to_be_visible()
    expect(resident.get_by_role("button", name="Ik steun dit idee")).to_have_count(0)

    # The list shows both counts.
    resident.get_by_role("link", name="Alle ideeën").click()
    cards = resident.get_by_role("listitem")
    expect(cards.filter(has_text=OTHER)).to_contain_text("3 keer gesteund")
    expect(cards.filter(has_text=IDEA)).to_contain_text("0 keer gesteund")

    ideas = {i["title"]: i for i in all_ideas(storage, record["id"])}
    assert ideas[IDEA]["wants_to_help"] is True and ideas[IDEA]["theme"] == "groen"
    assert support_counts(storage, record["id"]) == {other["id"]: 3}


def budget_round(server: LiveServer) -> tuple[dict, dict[str, str]]:
    """A greedy budget round (€ 1.000) in its voting week, with two ballots in already."""
    storage = server.village.storage
    record = round_in_phase(
        storage, "prioritise", title="Dorpsbudget", method="greedy_budget", budget=1000
    )
    ids = {i["title"]: i["id"] for i in seed_ideas(storage, record, BUDGET)}
    seed_ballots(storage, record, [[ids["Speeltuin"], ids["Bankjes"]], [ids["Jeu-de-boulesbaan"]]])
    return record, ids


def close_the_vote(server: LiveServer, record: dict) -> None:
    """Move the app's clock past the end of the voting week."""
    after = phase(record, "prioritise").end + timedelta(hours=1)
    server.app.config["VLIEGWIEL_NOW"] = lambda: after


def check_outcome(page: Page, server: LiveServer) -> None:
    # A resident's page never counts: the first visit after the vote may say "De stemmen
    # worden nu geteld" while the server counts in the background; then the page shows it.
    wait_for_counts(server.village.storage)
    page.reload()
    expect(heading(page)).to_have_text("Uitslag van de stemming")
    expect(page.get_by_text("3 stembiljetten")).to_be_visible()
    # Speeltuin and Bankjes have 2 votes each (the list order breaks the tie), the
    # jeu-de-boulesbaan 1: after 600 and 300 only € 100 is left.
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Speeltuin").get_by_role("cell").first).to_have_text("ja")
    expect(rows.filter(has_text="Bankjes").get_by_role("cell").first).to_have_text("ja")
    boules = rows.filter(has_text="Jeu-de-boulesbaan").get_by_role("cell")
    expect(boules.first).to_have_text("nee")
    expect(boules.last).to_have_text(
        re.compile(r"Niet gekozen: paste niet meer in het resterende budget van €\s100\.")
    )


def test_resident_votes_in_a_budget_round_and_reads_the_outcome(
    resident: Page, live_server: LiveServer
):
    record, ids = budget_round(live_server)
    storage = live_server.village.storage
    resident.goto(f"/ronde/{record['id']}")
    resident.get_by_role("link", name="Stem nu").click()
    expect(heading(resident)).to_have_text("Stemmen")
    expect(resident.get_by_text(re.compile(r"Het budget is €\s1\.000"))).to_be_visible()

    # All three cost € 1.400: refused, nothing stored, the ticks are kept.
    tick(resident, list(BUDGET))
    resident.get_by_role("button", name="Stem uitbrengen").click()
    expect(resident.get_by_role("alert")).to_contain_text("meer dan het budget")
    assert len(stored_ballots(storage, record["id"])) == 2
    expect(resident.get_by_label("Speeltuin")).to_be_checked()

    resident.get_by_label("Jeu-de-boulesbaan").uncheck()
    resident.get_by_role("button", name="Stem uitbrengen").click()
    expect(resident.get_by_role("status")).to_have_text("Uw stem is opgeslagen. Dank u wel!")
    ballots = stored_ballots(storage, record["id"])
    assert len(ballots) == 3
    assert set(ballots[-1]["ballot"]) == {ids["Speeltuin"], ids["Bankjes"]}
    expect(resident.get_by_text("U heeft gestemd.", exact=True)).to_be_visible()
    expect(resident.get_by_role("link", name="Stem nu")).to_have_count(0)
    resident.get_by_role("link", name="Bekijk of wijzig uw stem").click()
    expect(resident.get_by_text("U heeft gestemd. Dank u wel!")).to_be_visible()

    close_the_vote(live_server, record)
    resident.goto(f"/ronde/{record['id']}")
    expect(resident.get_by_role("link", name="Stem nu")).to_have_count(0)
    resident.get_by_role("link", name=re.compile("Bekijk de uitslag van de stemming")).click()
    check_outcome(resident, live_server)


def test_resident_votes_with_the_keyboard_only(page: Page, live_server: LiveServer):
    record, ids = budget_round(live_server)
    page.goto(f"/ronde/{record['id']}")
    tab_to(page, f'a[href="/ronde/{record["id"]}/stemmen"]')
    assert_focus_visible(page)
    press_enter_and_wait(page)

    for title in ("Speeltuin", "Bankjes"):
        tab_to(page, f'input[value="{ids[title]}"]')
        assert_focus_visible(page)
        page.keyboard.press("Space")
        expect(page.get_by_label(title)).to_be_checked()
    tab_to(page, 'button[value="stem"]')
    assert_focus_visible(page)
    press_enter_and_wait(page)
    expect(page.get_by_role("status")).to_have_text("Uw stem is opgeslagen. Dank u wel!")

    ballots = stored_ballots(live_server.village.storage, record["id"])
    assert set(ballots[-1]["ballot"]) == {ids["Speeltuin"], ids["Bankjes"]}

    close_the_vote(live_server, record)
    page.reload()
    tab_to(page, f'a[href="/ronde/{record["id"]}/uitslag"]')
    press_enter_and_wait(page)
    check_outcome(page, live_server)
