"""Browser fixtures: a live vliegwiel on 127.0.0.1 and Debian's Chromium driven by Playwright.

Every test gets a fresh instance (the ``instance_dir`` fixture of tests/conftest.py) served by
waitress in a thread on a free port, exactly as ``vliegwiel serve`` serves it. The browser is
the system Chromium; Playwright never downloads one. Without Chromium these tests skip, and
``.ci/run`` fails on any skip, so CI cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from vliegwiel.accounts.model import add_user
from vliegwiel.web.app import create_app

from .flows import ORGANISER, ORGANISER_PASSWORD
from .live import CHROMIUM, CHROMIUM_ARGS, LiveServer, new_context, serve

BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything in this folder drives the browser: `pytest -m "not browser"` skips it all.
    for item in items:
        if BROWSER_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(instance_dir: Path) -> Iterator[LiveServer]:
    """vliegwiel with a fresh instance (example survey, one account per role)."""
    # No TESTING flag: the app runs as in production (error pages, not tracebacks).
    app = create_app(instance_dir)
    add_user(app.extensions["vliegwiel"].storage, ORGANISER, "beheerder", ORGANISER_PASSWORD)
    yield from serve(app)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (or set VLIEGWIEL_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where screenshots go, for a person to look at (gitignored)."""
    path = Path(os.environ.get("VLIEGWIEL_SCREENSHOTS", BROWSER_DIR.parent.parent / "screenshots"))
    if path.exists():
        shutil.rmtree(path)  # a stale picture of a page that no longer exists misleads
    path.mkdir(parents=True)
    return path
