"""A budget vote in a real Chromium: the running total after "Bereken" without JavaScript and
live with it, "U heeft gestemd", a vote changed before the deadline (one ballot, the new one)
and a change refused after it."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from vliegwiel.rounds.ballots import stored_ballots
from vliegwiel.rounds.count import outcome_now
from vliegwiel.rounds.model import get_round

from .flows import round_in_phase, seed_ideas, tick
from .live import DESKTOP, LiveServer, new_context
from .test_rounds_browser import close_the_vote

COSTS = {"Speeltuin": 1800, "Jeu-de-boulesbaan": 900, "Bankjes": 400}


def _round(server: LiveServer) -> tuple[dict, dict[str, str]]:
    storage = server.village.storage
    record = round_in_phase(
        storage, "prioritise", title="Dorpsbudget", method="greedy_budget", budget=3000
    )
    return record, {i["title"]: i["id"] for i in seed_ideas(storage, record, COSTS)}


def _total(page: Page) -> str:
    return re.sub(r"\s+", " ", page.locator("#totaal").inner_text())


def _amount(text: str) -> re.Pattern[str]:
    return re.compile(r"€\s" + re.escape(text))


def test_vote_without_javascript_bereken_then_change_before_the_deadline(
    browser: Browser, live_server: LiveServer
):
    record, ids = _round(live_server)
    storage = live_server.village.storage
    context = new_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/ronde/{record['id']}")
    page.get_by_role("link", name="Stem nu").click()

    # Without JavaScript the total waits for "Bereken": a submit that keeps the ticks and
    # shows the figures, and casts nothing.
    tick(page, ["Speeltuin", "Bankjes"])
    page.get_by_role("button", name="Bereken").click()
    expect(page.locator("#totaal")).to_contain_text(_amount("2.200"))
    assert "Gekozen: € 2.200 van € 3.000" in _total(page).replace("\u00a0", " ")
    assert "Nog over: € 800" in _total(page).replace("\u00a0", " ")
    expect(page.get_by_label("Speeltuin")).to_be_checked()
    expect(page.get_by_label("Bankjes")).to_be_checked()
    expect(page.get_by_label("Jeu-de-boulesbaan")).not_to_be_checked()
    assert stored_ballots(storage, record["id"]) == []

    # Over the budget: the page says by how much.
    tick(page, ["Jeu-de-boulesbaan"])
    page.get_by_role("button", name="Bereken").click()
    expect(page.locator("#totaal")).to_contain_text("meer dan het budget")
    assert "€ 100 meer dan het budget" in _total(page).replace("\u00a0", " ")
    page.get_by_label("Jeu-de-boulesbaan").uncheck()
    page.get_by_role("button", name="Stem uitbrengen").click()
    expect(page.get_by_role("status")).to_have_text("Uw stem is opgeslagen. Dank u wel!")
    expect(page.get_by_text("U heeft gestemd.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Stem nu")).to_have_count(0)

    # Change the vote: the form shows the ballot as cast; the new one replaces it.
    page.get_by_role("link", name="Bekijk of wijzig uw stem").click()
    expect(page.get_by_text("U heeft gestemd. Dank u wel!")).to_be_visible()
    expect(page.get_by_label("Speeltuin")).to_be_checked()
    page.get_by_label("Speeltuin").uncheck()
    tick(page, ["Jeu-de-boulesbaan"])
    page.get_by_role("button", name="Stem wijzigen").click()
    expect(page.get_by_role("status")).to_have_text("Uw stem is gewijzigd. Dank u wel!")
    [ballot] = stored_ballots(storage, record["id"])
    assert sorted(ballot["ballot"]) == sorted([ids["Jeu-de-boulesbaan"], ids["Bankjes"]])
    outcome = outcome_now(storage, get_round(storage, record["id"])).outcome
    assert outcome.scores == {ids["Jeu-de-boulesbaan"]: 1, ids["Bankjes"]: 1, ids["Speeltuin"]: 0}

    # A form opened before the deadline and sent after it changes nothing.
    page.get_by_role("link", name="Bekijk of wijzig uw stem").click()
    tick(page, ["Speeltuin"])
    close_the_vote(live_server, record)
    page.get_by_role("button", name="Stem wijzigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit is niet opgeslagen")
    [ballot] = stored_ballots(storage, record["id"])
    assert sorted(ballot["ballot"]) == sorted([ids["Jeu-de-boulesbaan"], ids["Bankjes"]])
    expect(page.get_by_role("button", name="Stem wijzigen")).to_have_count(0)
    context.close()


def test_running_total_is_live_with_javascript(browser: Browser, live_server: LiveServer):
    record, _ids = _round(live_server)
    for viewport in (None, DESKTOP):
        options = {"viewport": viewport} if viewport else {}
        context = new_context(browser, live_server, **options)
        page = context.new_page()
        page.goto(f"/ronde/{record['id']}/stemmen")
        # The script makes the button unnecessary: it is hidden, the figures follow each tick.
        expect(page.get_by_role("button", name="Bereken")).to_be_hidden()
        page.get_by_label("Speeltuin").check()
        expect(page.locator("[data-ballot-total]")).to_have_text(_amount("1.800"))
        expect(page.locator("[data-ballot-left-amount]")).to_have_text(_amount("1.200"))
        tick(page, ["Jeu-de-boulesbaan", "Bankjes"])
        expect(page.locator("[data-ballot-over]")).to_be_visible()
        expect(page.locator("[data-ballot-over-amount]")).to_have_text(_amount("100"))
        expect(page.locator("[data-ballot-left]")).to_be_hidden()
        # "(€ 1.800)" stays on one line next to its idea, also on a phone.
        amount = page.locator("label[for^='idee-'] .amount").first
        box = amount.bounding_box()
        assert box is not None and box["height"] < 40
        assert stored_ballots(live_server.village.storage, record["id"]) == []
        context.close()
