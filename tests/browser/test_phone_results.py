"""Results, round outcomes and the flywheel read on a phone and a desktop (issue 12).

At 320, 390 and 1280 CSS px, in a real Chromium: no page scrolls sideways, no table cell
breaks inside a word or number, a table wider than its column scrolls in its own box with
a visible cue, and chart text is at least 12 CSS px as drawn.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.flows import EXAMPLE, log_in, round_in_phase, seed_ballots, seed_ideas
from vliegwiel.cli.demo import add_sample_responses
from vliegwiel.results.publications import publish
from vliegwiel.results.tallies import set_published
from vliegwiel.rounds.ideas import set_decision
from vliegwiel.rounds.model import update_round

from .live import LiveServer, new_context

WIDTHS = [320, 390, 1280]

#: Problems a reader would notice, found by measuring the laid-out page.
MEASURE = """(boxesFit) => {
  const problems = [];
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`page scrolls sideways: ${page.scrollWidth} > ${window.innerWidth}`);
  }
  for (const cell of document.querySelectorAll("table th, table td")) {
    if (!cell.getClientRects().length) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // A word may end a line after its own hyphen (Jeu-de-boules), never elsewhere.
      for (const match of node.data.matchAll(/[^\\s-]+-?/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(
          [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))
        );
        if (lines.size > 1) problems.push(`word broken in a table cell: "${match[0]}"`);
      }
    }
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.getClientRects().length) continue;
    const box = table.closest(".table-scroll");
    const room = (box || table.parentElement).clientWidth;
    if (!box && table.getBoundingClientRect().width > room + 1) {
      problems.push(`table wider than the page: ${table.caption?.textContent.trim()}`);
    }
    if (box && box.scrollWidth > box.clientWidth + 1) {
      // A breakdown has a column per answer: it may scroll, with the cue, at any width.
      if (boxesFit && !table.classList.contains("breakdown")) {
        problems.push(`table scrolls sideways: ${table.caption?.textContent.trim()}`);
      }
      if (getComputedStyle(box).backgroundImage === "none") {
        problems.push(`scrolling table without a cue: ${table.caption?.textContent.trim()}`);
      }
    }
  }
  let charts = 0;
  for (const svg of document.querySelectorAll("svg.pygal-chart")) {
    const box = svg.getBoundingClientRect();
    if (!box.width) continue;  // the drawing for the other screen width
    charts += 1;
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text")) {
      if (!text.textContent.trim() || !text.getClientRects().length) continue;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < 12) {
        problems.push(`chart text ${size.toFixed(1)} px: "${text.textContent.trim()}"`);
      }
    }
  }
  for (const list of document.querySelectorAll(".bar-list")) {
    if (!list.getClientRects().length) continue;
    charts += 1;
    for (const text of list.querySelectorAll(".bar-title, .bar-label, .bar-value")) {
      const size = parseFloat(getComputedStyle(text).fontSize);
      if (size < 12) problems.push(`chart text ${size} px: "${text.textContent.trim()}"`);
    }
    const bar = list.querySelector("svg.bar");
    if (bar && bar.getBoundingClientRect().width < 80) problems.push("bars too short to read");
  }
  return {problems, charts};
}"""


@pytest.fixture
def results_server(live_server: LiveServer) -> LiveServer:
    """The example survey with 60 responses, published; rounds with an outcome,
    published decisions and flywheel figures."""
    village = live_server.village
    survey = village.surveys.get(EXAMPLE)
    with live_server.app.test_request_context():
        add_sample_responses(village, survey, 60)
        publish(village, survey)
    set_published(village.storage, survey.id, True)
    storage = village.storage
    voted = round_in_phase(
        storage, "commit", title="Samen aan de slag", method="equal_shares", budget=1000
    )
    ideas = seed_ideas(
        storage,
        voted,
        {"Jeu-de-boulesbaan bij het dorpshuis": 400, "Bankjes": 300, "Kunstgras": 900},
    )
    seed_ballots(storage, voted, [[ideas[0]["id"], ideas[1]["id"]], [ideas[2]["id"]]])
    done = round_in_phase(storage, "results", title="Dorpshuis open")
    made = seed_ideas(storage, done, {"Koffieochtend": 0, "Repair-café": 0})
    set_decision(storage, done["id"], made[0]["id"], "pilot", "Start in april met tien mensen")
    set_decision(storage, done["id"], made[1]["id"], "niet_nu", "Eerst een ruimte zoeken")
    update_round(storage, done["id"], {"results_published": True})
    live_server.rounds = {"voted": voted["id"], "done": done["id"]}  # type: ignore[attr-defined]
    return live_server


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def width(request) -> int:
    return request.param


@pytest.fixture
def page_at(browser: Browser, results_server: LiveServer, width: int) -> Iterator[Page]:
    context = new_context(browser, results_server, viewport={"width": width, "height": 800})
    yield context.new_page()
    context.close()


def _check(page: Page, path: str, *, charts: bool = False, fits_at: int | None = None) -> None:
    """Measure ``path``; ``fits_at``: from this width on, its tables fit without scrolling."""
    page.goto(path)
    width = page.viewport_size["width"]
    found = page.evaluate(MEASURE, fits_at is not None and width >= fits_at)
    if os.environ.get("VLIEGWIEL_SHOTS"):
        name = re.sub(r"\W+", "-", path).strip("-") or "home"
        page.screenshot(
            path=f"{os.environ['VLIEGWIEL_SHOTS']}/{name}-{page.viewport_size['width']}.png",
            full_page=True,
        )
    assert found["problems"] == [], (path, found["problems"])
    if charts:
        assert found["charts"] > 0, f"{path}: no chart shown"


def test_resident_results_pages_fit_the_screen(page_at: Page, results_server) -> None:
    rounds = results_server.rounds
    _check(page_at, f"/uitslag/{EXAMPLE}", charts=True, fits_at=390)
    _check(page_at, "/")
    # Stacked on phones, a plain table on a desktop: never a sideways scroll.
    _check(page_at, f"/ronde/{rounds['voted']}/uitslag", fits_at=0)
    _check(page_at, f"/ronde/{rounds['done']}", fits_at=0)
    _check(page_at, "/vliegwiel", fits_at=0)


def test_organiser_results_pages_fit_the_screen(page_at: Page, results_server) -> None:
    log_in(page_at)
    _check(page_at, f"/beheer/uitslag/{EXAMPLE}", charts=True)
    _check(page_at, f"/beheer/uitslag/{EXAMPLE}?uitsplitsing=huishouden", charts=True)
    _check(page_at, f"/beheer/uitslag/{EXAMPLE}/publiceren", charts=True)
    _check(page_at, f"/beheer/enquete/{EXAMPLE}", charts=True)
