"""The province index and the organisers' server comparison in Chromium, on a phone and a
computer: readable, no sideways scrolling at 320 px, no serious accessibility violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from vliegwiel.accounts.model import add_user
from vliegwiel.cli.demo import add_sample_responses
from vliegwiel.core.instance import init_instance
from vliegwiel.core.village import build_village
from vliegwiel.results.tallies import set_published
from vliegwiel.web.province import create_province

from .flows import ORGANISER, ORGANISER_PASSWORD
from .live import DESKTOP, PHONE, REFLOW, LiveServer, new_context, serve
from .test_accessibility import OVERFLOW, blocking_violations


@pytest.fixture
def province_server(tmp_path: Path) -> Iterator[LiveServer]:
    parent = tmp_path / "provincie"
    for seed, (folder, name, published) in enumerate(
        (
            ("achterveld", "Achterveld", True),
            ("stoutenburg", "Stoutenburg", True),
            ("de-glind", "De Glind", False),
        )
    ):
        path = init_instance(parent / folder, name)
        village = build_village(path)
        add_user(village.storage, ORGANISER, "beheerder", ORGANISER_PASSWORD)
        survey = village.surveys.get("dorpsenquete")
        add_sample_responses(village, survey, 40, seed=seed)
        set_published(village.storage, survey.id, published)
    (parent / "province.toml").write_text('[province]\nname = "Provincie Utrecht"\n')
    yield from serve(create_province(parent))


def test_the_province_index_lists_villages_and_published_results(
    browser: Browser, province_server: LiveServer, screenshot_dir: Path
):
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP), ("reflow", REFLOW)):
        context = new_context(browser, province_server, viewport=viewport)
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Dorpen en kernen")
        expect(page.get_by_role("link", name="Provincie Utrecht")).to_be_visible()
        cards = page.locator("li.card")
        expect(cards).to_have_count(3)
        expect(cards.nth(0)).to_contain_text("Achterveld")
        expect(cards.nth(0).get_by_role("link", name="Dorpsenquête")).to_have_attribute(
            "href", "/achterveld/uitslag/dorpsenquete"
        )
        expect(cards.nth(1)).to_contain_text("De Glind")
        expect(cards.nth(1)).to_contain_text("Nog geen gepubliceerde uitslagen.")
        assert page.evaluate(OVERFLOW) in ([], None, ""), label
        page.screenshot(path=screenshot_dir / f"province-index-{label}.png", full_page=True)
        if label == "desktop":
            assert blocking_violations(page) == []
            # A resident follows the link to a village's published results, and into it.
            cards.nth(0).get_by_role("link", name="Dorpsenquête").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Dorpsenquête")
            page.goto("/achterveld/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij Achterveld")
        context.close()


def test_the_server_comparison_page(
    browser: Browser, province_server: LiveServer, screenshot_dir: Path
):
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = new_context(browser, province_server, viewport=viewport)
        page = context.new_page()
        page.goto("/de-glind/beheer/login")
        page.get_by_label("Gebruikersnaam").fill(ORGANISER)
        page.get_by_label("Wachtwoord").fill(ORGANISER_PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")
        page.goto("/de-glind/beheer/uitslag/dorpsenquete/vergelijken")
        page.get_by_role(
            "link", name="Zet de gepubliceerde uitslagen van de andere dorpen op deze server"
        ).click()
        first = page.locator("table.compare").first
        expect(first.locator("thead th")).to_have_text(
            ["Antwoord", "De Glind", "Achterveld", "Stoutenburg"]
        )
        page.screenshot(path=screenshot_dir / f"province-compare-{label}.png", full_page=True)
        if label == "desktop":
            assert blocking_violations(page) == []
        context.close()
