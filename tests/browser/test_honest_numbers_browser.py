"""Margins of error, who answered and weighting, read in a real Chromium at 320, 390 and
1280 CSS px (issue 16): the pages fit, the words are there, nothing scrolls sideways, and
axe-core finds no serious violation."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.flows import EXAMPLE, log_in
from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_phone_results import MEASURE
from vliegwiel.cli.demo import add_sample_responses
from vliegwiel.results.population import save_margins
from vliegwiel.results.publications import publish
from vliegwiel.results.tallies import set_published

from .live import LiveServer, new_context

WIDTHS = [320, 390, 1280]
#: The example survey's age groups, as a village of 400 households might count its adults.
AGES = {"tot_25": 60, "25_44": 150, "45_64": 190, "65_79": 110, "80_plus": 40}


@pytest.fixture
def honest_server(live_server: LiveServer) -> LiveServer:
    village = live_server.village
    village.config.households = 400
    survey = village.surveys.get(EXAMPLE)
    save_margins(village.storage, survey, {"leeftijd": AGES})
    with live_server.app.test_request_context():
        add_sample_responses(village, survey, 60)
        publish(village, survey)
    set_published(village.storage, survey.id, True)
    return live_server


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page_at(request, browser: Browser, honest_server: LiveServer) -> Iterator[Page]:
    context = new_context(browser, honest_server, viewport={"width": request.param, "height": 800})
    yield context.new_page()
    context.close()


def _check(page: Page, path: str, name: str) -> str:
    page.goto(path)
    found = page.evaluate(MEASURE)
    shots = os.environ.get("VLIEGWIEL_SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/{name}-{page.viewport_size['width']}.png", full_page=True)
    assert found["problems"] == [], (path, found["problems"])
    assert blocking_violations(page) == [], path
    return page.inner_text("main") if page.query_selector("main") else page.inner_text("body")


def test_resident_sees_margins_and_can_read_what_they_mean(page_at: Page) -> None:
    text = _check(page_at, f"/uitslag/{EXAMPLE}", "public-results")
    assert "tussen " in text and "Foutmarge" in text
    assert "Wie antwoordde, vergeleken met wie er woont" in text
    page_at.get_by_role("link", name="Wat betekent de foutmarge?").first.click()
    explained = _check(page_at, "/uitleg/foutmarge", "margin-explained")
    assert "tussen 31% en 45%" in explained


def test_organiser_sees_margins_representation_and_the_population_form(page_at: Page) -> None:
    log_in(page_at)
    text = _check(page_at, f"/beheer/uitslag/{EXAMPLE}", "organiser-results")
    assert "tussen " in text and "Deel van het dorp" in text
    form = _check(page_at, f"/beheer/uitslag/{EXAMPLE}/bevolking", "population")
    assert "Bevolkingscijfers" in form
    assert page_at.get_by_label("80 jaar of ouder").input_value() == "40"


@pytest.fixture
def wijkpeiling_file(instance_dir):
    """The crafted survey of tests/results_data.py, written before the server starts."""
    from results_data import write_wijkpeiling

    write_wijkpeiling(instance_dir)


@pytest.fixture
def weighted_server(wijkpeiling_file, live_server: LiveServer) -> LiveServer:
    from vliegwiel.surveys.responses import save_response

    village = live_server.village
    village.config.weighting = "poststratify"
    survey = village.surveys.get("wijkpeiling")
    for wijk, mening, n in (("noord", "ja", 10), ("noord", "nee", 5), ("zuid", "ja", 5)):
        for _ in range(n):
            save_response(village, survey, {"wijk": wijk, "mening": mening})
    save_margins(village.storage, survey, {"wijk": {"noord": 100, "zuid": 100, "oost": 0}})
    return live_server


@pytest.mark.parametrize("width", WIDTHS)
def test_weighted_figures_fit_next_to_the_unweighted(browser: Browser, weighted_server, width):
    context = new_context(browser, weighted_server, viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        log_in(page)
        text = _check(page, "/beheer/uitslag/wijkpeiling", "weighted-results")
        assert "Gewogen" in text and "83%" in text and "designeffect 1,33" in text
    finally:
        context.close()
