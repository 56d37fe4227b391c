"""The 1-10 scale on a phone: all ten steps on one line at 320 and 390 px, each a radio of at
least 24 by 24 px with its number as label, the end labels part of the radio's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .flows import answer_pages, start_example_survey
from .live import PHONE, REFLOW, LiveServer, new_context


@pytest.mark.parametrize("viewport", [REFLOW, PHONE], ids=["320px", "390px"])
def test_the_ten_steps_of_a_scale_share_one_line(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path, viewport: dict
):
    context = new_context(browser, live_server, viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    start_example_survey(page)
    answer_pages(page, 0, 0)
    scale = page.get_by_role("group", name="Hoe prettig vindt u het om in het dorp te wonen?")
    radios = [scale.locator(f'input[type="radio"][value="{n}"]') for n in range(1, 11)]
    boxes = [r.bounding_box() for r in radios]
    assert len({round(b["y"]) for b in boxes}) == 1, "the steps wrap over more than one line"
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in boxes)
    assert [b["x"] for b in boxes] == sorted(b["x"] for b in boxes)
    assert boxes[-1]["x"] + boxes[-1]["width"] <= viewport["width"]
    # The end labels are read with their radio and shown once under the row.
    expect(scale.get_by_role("radio", name="1 heel onprettig")).to_have_count(1)
    expect(scale.get_by_role("radio", name="10 heel prettig")).to_have_count(1)
    expect(scale.get_by_text("10 = heel prettig")).to_be_visible()
    # Clicking a number chooses it, as a label should.
    scale.locator("label", has_text="7").click()
    expect(radios[6]).to_be_checked()
    page.screenshot(path=screenshot_dir / f"schaal-{viewport['width']}.png", full_page=True)
    context.close()
