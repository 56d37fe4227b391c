"""Screenshots of every page the tours reach, at phone and desktop width, for people to look at.

They land in ``screenshots/`` (gitignored; VLIEGWIEL_SCREENSHOTS moves it) as
``<stop>-phone.png`` and ``<stop>-desktop.png``. docs/img/ holds the two the README shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser

from .flows import walk
from .live import DESKTOP, PHONE, LiveServer, new_context


@pytest.mark.parametrize("label, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots_of_every_page(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path, label: str, viewport: dict
):
    context = new_context(browser, live_server, viewport=viewport)
    page = context.new_page()
    written = []
    try:
        for stop in walk(page, live_server):
            path = screenshot_dir / f"{stop}-{label}.png"
            page.screenshot(path=path, full_page=True)
            written.append(path)
    finally:
        context.close()

    assert len(written) == len({p.name for p in written}), "two stops share a name"
    for path in written:
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.width == viewport["width"], path.name
            assert image.height >= viewport["height"], path.name
            # A blank page (a failed render) has no variation at all.
            assert max(ImageStat.Stat(image.convert("L")).stddev) > 5, f"{path.name} is blank"
