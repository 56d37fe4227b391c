"""Same-page conditions in a real Chromium (issue 19): with JavaScript a dependent question
hides and shows live; without it, it shows with a hint. The Burgerpeiling's own routing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from vliegwiel.surveys.status import OPEN, set_status

from .live import DESKTOP, PHONE, LiveServer, new_context

SOURCE = Path(__file__).parents[1] / "data" / "burgerpeiling-2022.yaml"


@pytest.fixture
def burgerpeiling(instance_dir: Path, live_server: LiveServer) -> LiveServer:
    shutil.copy(SOURCE, instance_dir / "surveys" / "burgerpeiling.yaml")
    # A file copied into surveys/ is a concept until the team opens it.
    set_status(live_server.village.storage, "burgerpeiling", OPEN)
    assert live_server.village.surveys.get("burgerpeiling") is not None
    return live_server


def _page_number(server: LiveServer, question_id: str) -> int:
    survey = server.village.surveys.get("burgerpeiling")
    return next(
        i for i, p in enumerate(survey.pages, 1) if any(q.id == question_id for q in p.questions)
    )


def test_contact_questions_appear_live_when_javascript_runs(
    browser: Browser, burgerpeiling: LiveServer, screenshot_dir: Path
):
    for viewport, name in ((PHONE, "390"), (DESKTOP, "1280")):
        context = new_context(browser, burgerpeiling, viewport=viewport)
        page = context.new_page()
        page.goto(f"/enquete/burgerpeiling/pagina/{_page_number(burgerpeiling, 'dv02')}")
        topic = page.get_by_role("group", name="Over welk onderwerp heeft u contact gehad")
        expect(topic).to_be_hidden()
        page.locator("#dv02-1").check()  # ja
        expect(topic).to_be_visible()
        page.screenshot(path=str(screenshot_dir / f"reveal-contact-{name}.png"), full_page=True)
        page.locator("#dv02-2").check()  # nee
        expect(topic).to_be_hidden()
        # The hint is for readers without JavaScript (four questions and the instruction text
        # before them); with it, the questions just appear.
        expect(page.get_by_text("Alleen invullen als u bij vraag 25")).to_have_count(5)
        expect(page.get_by_text("Alleen invullen als u bij vraag 25").first).to_be_hidden()
        context.close()


def test_a_grid_row_decides_live_too(browser: Browser, burgerpeiling: LiveServer):
    context = new_context(browser, burgerpeiling, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"/enquete/burgerpeiling/pagina/{_page_number(burgerpeiling, 'zw08')}")
    reason = page.get_by_role("group", name="Wat is de reden om geen vrijwilligerswerk te doen?")
    expect(reason).to_be_visible()  # not answered yet: the question applies
    page.locator("#zw06__vrijwilligerswerk-1").check()  # vaak
    expect(reason).to_be_hidden()
    page.locator("#zw06__vrijwilligerswerk-3").check()  # (bijna) nooit
    expect(reason).to_be_visible()
    context.close()


def test_without_javascript_every_question_shows_with_its_hint(
    browser: Browser, burgerpeiling: LiveServer, screenshot_dir: Path
):
    context = new_context(browser, burgerpeiling, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/enquete/burgerpeiling/pagina/{_page_number(burgerpeiling, 'dv02')}")
    expect(
        page.get_by_role("group", name="Over welk onderwerp heeft u contact gehad")
    ).to_be_visible()
    expect(page.get_by_text("Alleen invullen als u bij vraag 25 „ja” koos.").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reveal-no-js-390.png"), full_page=True)
    # Saying "nee" and answering the contact questions anyway: the server drops them.
    page.locator("#dv02-2").check()
    page.locator("#dv00-1").check()
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Informatie van de gemeente")
    (draft,) = burgerpeiling.village.storage.all("drafts")
    assert draft["answers"]["dv02"] == "2" and "dv00" not in draft["answers"]
    context.close()


def test_every_burgerpeiling_page_passes_axe(browser: Browser, burgerpeiling: LiveServer):
    from .test_accessibility import blocking_violations

    context = new_context(browser, burgerpeiling, viewport=PHONE)
    page = context.new_page()
    survey = burgerpeiling.village.surveys.get("burgerpeiling")
    problems = {}
    for number in range(1, len(survey.pages) + 1):
        page.goto(f"/enquete/burgerpeiling/pagina/{number}")
        found = blocking_violations(page)
        if found:
            problems[number] = found
    assert problems == {}
    context.close()
