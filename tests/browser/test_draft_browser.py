"""A resident's unfinished answers survive closing the browser, as the intro page promises."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, expect

from .flows import answer_pages, send, start_example_survey
from .live import LiveServer, new_context


def test_a_draft_survives_a_browser_restart(
    browser: Browser, context: BrowserContext, live_server: LiveServer
):
    page = context.new_page()
    start_example_survey(page)
    answer_pages(page, 0, 1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorzieningen")
    stored = context.storage_state()
    context.close()  # the resident closes the browser

    # A restarted browser keeps cookies that have an expiry and drops session cookies.
    survivors = [c for c in stored["cookies"] if c["expires"] != -1]
    assert {c["name"] for c in stored["cookies"]} - {c["name"] for c in survivors}, (
        "the session cookie should be dropped by the restart"
    )
    restarted = new_context(browser, live_server, storage_state={"cookies": survivors})
    try:
        page = restarted.new_page()
        page.goto("/")
        page.get_by_role("link", name="Dorpsenquête").click()
        page.get_by_role("link", name="Verder waar u was").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Voorzieningen")
        page.get_by_role("button", name="Vorige").click()
        expect(page.locator('input[name="prettig_wonen"][value="8"]')).to_be_checked()
        page.get_by_role("button", name="Volgende").click()
        answer_pages(page, 2)
        send(page)
    finally:
        restarted.close()
    assert live_server.village.storage.count("responses/dorpsenquete") == 1
