"""Linked mode in two real Chromium profiles: a household starts on a phone, continues with the
same code on a PC, and the phone can then not send a second time."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from vliegwiel.surveys.status import OPEN, set_status

from .flows import fill, issue_codes, next_page, send
from .live import LiveServer, new_context

SURVEY = "woonwensen"
YAML = f"""\
id: {SURVEY}
title: Woonwensen
access: code
anonymous: false
pages:
  - id: nu
    title: Uw woning nu
    questions:
      - id: tevreden
        type: yes_no
        text: Bent u tevreden over uw woning?
        required: true
      - id: vervoer
        type: multiple_choice
        text: Hoe reist u meestal?
        options: [Fiets, Auto, Bus]
  - id: later
    title: Later
    questions:
      - id: cijfer
        type: scale
        text: Welk cijfer geeft u de buurt?
        min: 1
        max: 5
"""


def enter(page: Page, code: str) -> None:
    page.goto(f"/code/{SURVEY}")
    expect(page.locator("main")).to_contain_text(
        "op dit of een ander apparaat verder gaan met dezelfde code"
    )
    page.get_by_label("Uw code").fill(code)
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Woonwensen")


def test_the_same_code_continues_on_another_device(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    (live_server.village.instance_dir / "surveys" / f"{SURVEY}.yaml").write_text(
        YAML, encoding="utf-8"
    )
    set_status(live_server.village.storage, SURVEY, OPEN)
    [code] = issue_codes(live_server, 1, SURVEY)

    phone = new_context(browser, live_server)
    pc = new_context(browser, live_server, viewport={"width": 1280, "height": 900})
    try:
        on_phone = phone.new_page()
        enter(on_phone, code)
        on_phone.get_by_role("link", name="Begin de enquête").click()
        fill(on_phone, {"tevreden": "nee", "vervoer": ["Bus"]})
        next_page(on_phone)
        expect(on_phone.get_by_role("heading", level=1)).to_have_text("Later")

        on_pc = pc.new_page()
        enter(on_pc, code.lower().replace("-", " "))
        expect(on_pc.locator("main")).to_contain_text("ook op een ander apparaat")
        on_pc.screenshot(path=screenshot_dir / "linked-draft-intro-1280.png", full_page=True)
        on_pc.get_by_role("link", name="Verder waar u was").click()
        expect(on_pc.get_by_role("heading", level=1)).to_have_text("Later")
        on_pc.get_by_role("button", name="Vorige").click()
        expect(on_pc.locator('input[name="tevreden"][value="nee"]')).to_be_checked()
        expect(on_pc.locator('input[name="vervoer"][value="Bus"]')).to_be_checked()
        next_page(on_pc)
        fill(on_pc, {"cijfer": "4"})
        next_page(on_pc)
        send(on_pc)

        # The phone still shows page 2: going on finds the code used, nothing is saved twice.
        fill(on_phone, {"cijfer": "2"})
        next_page(on_phone)
        expect(on_phone).to_have_url(re.compile(f"/code/{SURVEY}$"))
        expect(on_phone.locator("main")).to_contain_text("Deze code is al gebruikt")
        on_phone.screenshot(path=screenshot_dir / "linked-draft-used-390.png", full_page=True)
    finally:
        phone.close()
        pc.close()
    storage = live_server.village.storage
    [response] = storage.all(f"responses/{SURVEY}")
    assert response["answers"] == {"tevreden": "nee", "vervoer": ["Bus"], "cijfer": 4}
    assert storage.count("drafts") == 0
