"""Residents and organisers in a real Chromium: phone, leave and resume, keyboard, no JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, BrowserContext, Page, expect

from vliegwiel.cli.demo import add_sample_responses

from .flows import (
    EXAMPLE,
    EXAMPLE_STORED,
    answer_example_survey,
    answer_pages,
    log_in,
    next_page,
    send,
    start_example_survey,
)
from .live import DESKTOP, PHONE, LiveServer, new_context

RESPONSES = f"responses/{EXAMPLE}"


def stored_answers(server: LiveServer) -> list[dict]:
    return [record["answers"] for record in server.village.storage.all(RESPONSES)]


def test_resident_answers_the_example_survey_on_a_phone(page: Page, live_server: LiveServer):
    assert page.viewport_size == PHONE
    answer_example_survey(page)

    assert stored_answers(live_server) == [EXAMPLE_STORED]
    expect(page.get_by_role("link", name="Terug naar de startpagina")).to_be_visible()


def test_resident_leaves_and_comes_back_later(context: BrowserContext, live_server: LiveServer):
    page = context.new_page()
    start_example_survey(page)
    answer_pages(page, 0, 1)
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorzieningen")
    page.close()  # the resident closes the tab half-way

    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Dorpsenquête").click()
    page.get_by_role("link", name="Verder waar u was").click()
    # The resident continues at the page after the last one answered...
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorzieningen")
    # ...and the answers given before leaving are still there.
    page.get_by_role("button", name="Vorige").click()
    expect(page.locator('input[name="prettig_wonen"][value="8"]')).to_be_checked()
    page.get_by_role("button", name="Vorige").click()
    expect(page.locator('input[name="leeftijd"][value="45_64"]')).to_be_checked()
    expect(page.locator('input[name="woonduur"]')).to_have_value("12")
    next_page(page)
    next_page(page)
    answer_pages(page, 2)
    send(page)

    assert stored_answers(live_server) == [EXAMPLE_STORED]
    assert live_server.village.storage.count("drafts") == 0


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def choose_with_arrows(page: Page, name: str, value: str) -> None:
    """Move into a radio group with Tab, then to ``value`` with the arrow keys."""
    tab_to(page, f'input[name="{name}"]')
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()


def press_enter_and_wait(page: Page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_focus_visible(page: Page) -> None:
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "the focused element shows no focus outline"


def test_resident_completes_a_survey_with_the_keyboard_only(page: Page, live_server: LiveServer):
    page.goto("/")
    tab_to(page, f'a[href="/enquete/{EXAMPLE}"]')
    assert_focus_visible(page)
    press_enter_and_wait(page)
    tab_to(page, "a.button")
    press_enter_and_wait(page)

    choose_with_arrows(page, "leeftijd", "45_64")
    tab_to(page, 'input[name="woonduur"]')
    page.keyboard.type("12")
    tab_to(page, 'button[value="next"]')
    assert_focus_visible(page)
    press_enter_and_wait(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Wonen")
    choose_with_arrows(page, "prettig_wonen", "8")
    tab_to(page, 'input[name="woning_nodig"][value="ouderen"]')
    page.keyboard.press("Space")
    tab_to(page, 'button[value="next"]')
    press_enter_and_wait(page)

    # The other pages have no required questions: go on to the review page.
    for title in ("Voorzieningen", "Samen in het dorp", "Wie helpt mee?", "Uw ideeën"):
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        tab_to(page, 'button[value="next"]')
        press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer uw antwoorden")
    tab_to(page, 'button[type="submit"].button')
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw antwoorden")

    assert stored_answers(live_server) == [
        {"leeftijd": "45_64", "woonduur": 12, "prettig_wonen": 8, "woning_nodig": ["ouderen"]}
    ]


def test_survey_works_with_javascript_disabled(browser: Browser, live_server: LiveServer):
    context = new_context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        start_example_survey(page)
        next_page(page)  # the server, not a script, says what is missing
        expect(page.get_by_role("alert")).to_contain_text("Wat is uw leeftijd?")
        answer_pages(page)
        send(page)
    finally:
        context.close()

    assert stored_answers(live_server) == [EXAMPLE_STORED]


def test_organiser_logs_in_and_sees_the_results(browser: Browser, live_server: LiveServer):
    with live_server.app.app_context():
        survey = live_server.village.surveys.get(EXAMPLE)
        seeded = add_sample_responses(live_server.village, survey, 11)
    resident = new_context(browser, live_server)
    organiser = new_context(browser, live_server, viewport=DESKTOP)
    try:
        answer_example_survey(resident.new_page())
        total = seeded + 1

        page = organiser.new_page()
        page.goto(f"/beheer/enquete/{EXAMPLE}")
        expect(page).to_have_url(re.compile(r"/beheer/login"))  # results are not public
        log_in(page)
        row = page.get_by_role("row", name="Dorpsenquête")
        expect(row.get_by_role("cell").last).to_have_text(str(total))
        row.get_by_role("link", name="Dorpsenquête").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Dorpsenquête")
        expect(page.get_by_text(f"{total} antwoorden")).to_be_visible()
        age = page.get_by_role("region", name="Wat is uw leeftijd?", exact=True)
        counts = age.get_by_role("table").first
        expect(counts.get_by_role("row", name=re.compile("^45 tot 65 jaar"))).to_be_visible()
    finally:
        resident.close()
        organiser.close()
