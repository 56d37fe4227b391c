"""The organiser's letters page in a real Chromium: a loopback base_url is refused with how to
set it, an open survey says its letters carry no code, and reminder letters come in the same
download with the same code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from vliegwiel.accounts.model import add_user
from vliegwiel.reach.codes import codes_collection
from vliegwiel.web.app import create_app

from .flows import CODE_SURVEY, ORGANISER, ORGANISER_PASSWORD, add_code_survey, log_in
from .live import DESKTOP, PHONE, LiveServer, new_context, serve

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@pytest.fixture
def loopback_server(instance_dir: Path) -> Iterator[LiveServer]:
    """An instance whose base_url is the laptop's own 127.0.0.1, as `init` used to write."""
    config = instance_dir / "vliegwiel.toml"
    text = re.sub(
        r'^base_url = ".*"$',
        'base_url = "http://127.0.0.1:8000"',
        config.read_text(encoding="utf-8"),
        flags=re.M,
    )
    config.write_text(text, encoding="utf-8")
    app = create_app(instance_dir)
    add_user(app.extensions["vliegwiel"].storage, ORGANISER, "beheerder", ORGANISER_PASSWORD)
    yield from serve(app)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_loopback_base_url_is_refused_with_how_to_set_it(
    browser: Browser, loopback_server: LiveServer, screenshot_dir: Path, viewport
):
    add_code_survey(loopback_server)
    context = new_context(browser, loopback_server, viewport=viewport)
    page = context.new_page()
    log_in(page)
    page.goto(f"/beheer/enquete/{CODE_SURVEY}/codes")
    notice = page.locator("#adres-bewoners")
    expect(notice).to_contain_text("Er kunnen nog geen brieven worden gemaakt.")
    expect(notice).to_contain_text("http://127.0.0.1:8000: dat werkt alleen op deze computer")
    expect(notice).to_contain_text("Zet base_url onder [server] in vliegwiel.toml")
    expect(notice).to_contain_text(f"vliegwiel codes {CODE_SURVEY} --base-url ADRES")
    expect(page.get_by_role("button", name="Brieven maken (PDF)")).to_have_count(0)
    # Nothing on the page is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(
        path=screenshot_dir / f"letters-loopback-{viewport['width']}.png", full_page=True
    )
    context.close()
    assert loopback_server.village.storage.count(codes_collection(CODE_SURVEY)) == 0


def test_letters_with_reminders_download_and_an_open_survey_says_no_code(
    browser: Browser, live_server: LiveServer, screenshot_dir: Path
):
    import pypdf

    add_code_survey(live_server)
    context = new_context(browser, live_server, viewport=DESKTOP, accept_downloads=True)
    page: Page = context.new_page()
    log_in(page)
    page.goto(f"/beheer/enquete/{CODE_SURVEY}/codes")
    page.get_by_label("Aantal brieven zonder adres").fill("2")
    reminders = page.get_by_label("Ook een herinneringsbrief per huishouden, met dezelfde code")
    reminders.check()
    page.screenshot(path=screenshot_dir / "letters-form-1280.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Brieven maken (PDF)").click()
    pdf = Path(download.value.path())
    texts = [p.extract_text() for p in pypdf.PdfReader(pdf).pages]
    assert len(texts) == 4
    assert CODE.findall(texts[0]) == CODE.findall(texts[2])
    assert CODE.findall(texts[1]) == CODE.findall(texts[3])
    assert "Al ingevuld? Dank u wel!" in texts[2] and "Al ingevuld" not in texts[0]
    assert live_server.village.storage.count(codes_collection(CODE_SURVEY)) == 2

    # The example survey is open to everyone: its letters page says they carry no code.
    page.set_viewport_size(PHONE)
    page.goto("/beheer/enquete/dorpsenquete/codes")
    expect(page.locator("#zonder-code")).to_contain_text("De brieven krijgen daarom geen code")
    expect(page.get_by_role("link", name="Enquête bewerken")).to_be_visible()
    expect(page.get_by_label("Codes geldig tot en met (optioneel)")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshot_dir / "letters-open-390.png", full_page=True)
    context.close()
