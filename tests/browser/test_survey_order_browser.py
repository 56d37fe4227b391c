"""The organiser orders the home page with the arrow buttons (no JavaScript needed), on a phone
and a desktop; the export links offer the Dutch Excel CSV next to plain CSV."""

from __future__ import annotations

import pytest
from conftest import write_survey
from playwright.sync_api import Browser, expect

from .flows import log_in
from .live import DESKTOP, PHONE, LiveServer, new_context

SURVEY = """\
id: {id}
title: {{nl: "{title}"}}
pages:
  - id: p1
    questions:
      - id: q1
        type: yes_no
        text: {{nl: "Vraag?"}}
"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_arrows_reorder_the_home_page(
    browser: Browser, live_server: LiveServer, instance_dir, viewport
) -> None:
    write_survey(instance_dir, SURVEY.format(id="zz_speeltuin", title="Speeltuin"), "zz.yaml")
    team = new_context(browser, live_server, viewport=viewport, java_script_enabled=False)
    page = team.new_page()
    log_in(page)
    page.goto(live_server("/beheer/"))
    page.get_by_role("button", name="Speeltuin hoger zetten").click()
    expect(page.get_by_text("De volgorde op de startpagina is aangepast.")).to_be_visible()
    # Nothing sticks out sideways on a phone: the arrows fit in the table.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    titles = page.locator("main table.data tbody th").all_inner_texts()
    assert titles == ["Speeltuin", "Dorpsenquête"]
    page.screenshot(path=str(instance_dir / f"overzicht-{viewport['width']}.png"), full_page=True)

    resident = new_context(browser, live_server, viewport=viewport).new_page()
    resident.goto(live_server("/"))
    expect(resident.locator(".cards h2 a")).to_have_text(["Speeltuin", "Dorpsenquête"])

    page.goto(live_server("/beheer/enquete/dorpsenquete"))
    link = page.get_by_role("link", name="CSV voor Nederlandse Excel")
    expect(link).to_have_attribute("href", "/beheer/enquete/dorpsenquete/export.csv-nl")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(instance_dir / f"enquete-{viewport['width']}.png"), full_page=True)
