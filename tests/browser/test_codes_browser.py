"""Invitation codes in a real Chromium: a letter's QR link on a phone, a code typed by hand,
a used code refused, with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from vliegwiel.reach.codes import codes_collection

from .flows import (
    CODE_SURVEY,
    add_code_survey,
    fill,
    issue_codes,
    letter_url,
    next_page,
    send,
)
from .live import PHONE, LiveServer, new_context

RESPONSES = f"responses/{CODE_SURVEY}"
USED = "Deze code is al gebruikt"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def resident(request, browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A resident on a phone, once with JavaScript and once without."""
    context = new_context(browser, live_server, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def answer_code_survey(page: Page) -> None:
    """From the survey's intro page to the thank-you page."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Buurtbus")
    page.get_by_role("link", name="Begin de enquête").click()
    fill(page, {"buurtbus_gebruik": "ja"})
    next_page(page)
    send(page)


def used_codes(server: LiveServer) -> int:
    return sum(1 for r in server.village.storage.all(codes_collection(CODE_SURVEY)) if r["used"])


def test_a_letters_link_opens_the_survey_once(resident: Page, live_server: LiveServer):
    add_code_survey(live_server)
    [code] = issue_codes(live_server, 1)
    url = letter_url(live_server, code)
    assert resident.viewport_size == PHONE

    # Scanning the QR code opens the code page with the code already filled in.
    resident.goto(url)
    expect(resident.get_by_label("Uw code")).to_have_value(code.replace("-", ""))
    resident.get_by_role("button", name="Verder").click()
    answer_code_survey(resident)

    stored = live_server.village.storage.all(RESPONSES)
    assert [r["answers"] for r in stored] == [{"buurtbus_gebruik": "ja"}]
    assert "access_code" not in stored[0]  # anonymous: the answers do not point to the code
    assert used_codes(live_server) == 1

    # The same letter a second time: a friendly Dutch refusal, and no way into the survey.
    resident.goto(url)
    resident.get_by_role("button", name="Verder").click()
    expect(resident.get_by_role("alert")).to_contain_text(USED)
    expect(resident.get_by_label("Uw code")).to_have_attribute("aria-invalid", "true")
    resident.goto(f"/enquete/{CODE_SURVEY}/pagina/1")
    expect(resident).to_have_url(re.compile(f"/code/{CODE_SURVEY}$"))
    assert live_server.village.storage.count(RESPONSES) == 1


def test_a_code_typed_by_hand_in_lowercase_with_spaces(resident: Page, live_server: LiveServer):
    add_code_survey(live_server)
    code, other = issue_codes(live_server, 2)

    # Without a code the survey sends the resident to the code page.
    resident.goto("/")
    resident.get_by_role("link", name="Buurtbus").click()
    resident.get_by_role("link", name="Begin de enquête").click()
    expect(resident).to_have_url(re.compile(f"/code/{CODE_SURVEY}$"))
    field = resident.get_by_label("Uw code")

    # A code that cannot be one says what a code looks like; one we never issued says so.
    field.fill("K7PM 4XQD")
    resident.get_by_role("button", name="Verder").click()
    expect(resident.get_by_role("alert")).to_contain_text("Een code heeft 12 tekens")
    field.fill("0000 0000 0000")
    resident.get_by_role("button", name="Verder").click()
    expect(resident.get_by_role("alert")).to_contain_text("Deze code kennen we niet")

    # Case, spaces instead of dashes, an O for a zero: the code still counts.
    typed = code.lower().replace("-", " ").replace("0", "o")
    field.fill(typed)
    resident.get_by_role("button", name="Verder").click()
    answer_code_survey(resident)

    assert live_server.village.storage.count(RESPONSES) == 1
    assert used_codes(live_server) == 1  # only the typed code; the other letter is still valid
    resident.goto(letter_url(live_server, other))
    resident.get_by_role("button", name="Verder").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Buurtbus")
    expect(resident.get_by_role("link", name="Begin de enquête")).to_be_visible()
